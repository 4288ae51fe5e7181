import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { backfillTargets, compareVersions, countByVersion, enqueueBackfill, findBackfill } from '../../lib/backfill/index.ts';
import { checkVersion } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { addAgent, AGENT_NUMBER, deliver, startTestReceiver, startTestWorker, waitForEvent } from '../helpers/pipeline.ts';

t.test('versions compare numerically', async (t) => {
  t.ok(compareVersions('1.0.0', '1.10.0') < 0);
  t.ok(compareVersions('2.0.0', '1.9.9') > 0);
  t.equal(compareVersions('1.0.0', '1.0.0'), 0);
  t.equal(compareVersions('1.2', '1.2.0'), 0, 'a missing part is 0');
});

t.test('versions follow semver precedence: a pre-release ranks below its release', async (t) => {
  // The order the semver specification gives as its example, then the next release.
  const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11',
    '1.0.0-rc.1', '1.0.0', '1.0.1-rc.1', '1.0.1', '1.1-rc.1', '1.1'];
  for (let i = 0; i < ordered.length; i++) {
    for (let j = 0; j < ordered.length; j++) {
      t.equal(compareVersions(ordered[i]!, ordered[j]!), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
    }
  }
});

t.test('a version is 1, 1.2 or 1.2.3, with an optional pre-release; anything else is refused', async (t) => {
  for (const v of ['1', '1.2', '1.2.3', '1.10.0', '1.2.3-rc.1']) t.equal(checkVersion(v), v, v);
  for (const v of ['notaversion', '', 'v1.2.3', '1.2.3.4', '1..2', '1.2.3-', ' 1.2.3']) t.throws(() => checkVersion(v), /must be a version like 1\.2\.3/, JSON.stringify(v));
});

t.test('backfill refuses a --version-below that is not a version, before opening a database', async (t) => {
  const env = { ...process.env, DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none', LOG_LEVEL: 'warn' };
  const r = await promisify(execFile)(process.execPath,
    [path.join(ROOT, 'bin/ballast.js'), 'backfill', '--task', 'extract_claims', '--version-below', 'notaversion', '--dry-run'], { cwd: ROOT, env })
    .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
  t.equal(r.code, 1);
  t.match(r.stderr, 'ballast: --version-below must be a version like 1.2.3 (or 1, 1.2, 1.2.3-rc.1), got "notaversion"');
});

const targets = backfillTargets(stages);

t.test('the targets are the stages that declare output tables', async (t) => {
  t.same(Object.keys(targets).sort(), ['detect_striking', 'extract_claims', 'normalize_event', 'segment_interaction', 'summarize_interaction']);
  t.match(targets.extract_claims, { tables: ['app.claims'], inputKey: 'interaction_id', snapshots: true });
  t.match(targets.normalize_event, { tables: ['app.interactions'], inputKey: 'event_id', snapshots: false });
});

t.test('backfill finds the inputs an older version produced, counts them, and re-runs them', async (t) => {
  const { db, url } = await testDatabase(t);
  await addAgent(db);
  const receiver = await startTestReceiver(t, db);
  await startTestWorker(t, url);
  for (let i = 0; i < 2; i++) {
    const res = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER, callId: `call_${i}` }));
    await waitForEvent(db, (res.body as { event_id: number }).event_id);
  }
  t.same(await findBackfill(db, targets, 'extract_claims', '1.0.0'), [], 'nothing is below the current version');
  const candidates = await findBackfill(db, targets, 'extract_claims', '1.1.0');
  t.equal(candidates.length, 2);
  t.same(countByVersion(candidates), { '1.0.0': 2 }, 'the dry run counts by version');
  const before = (await db.query(`select count(*)::int as n from ballast.job_attempts where task = 'extract_claims'`)).rows[0].n;
  t.equal(await enqueueBackfill(db, targets, 'extract_claims', candidates), 2);
  await waitFor('the re-runs', async () =>
    (await db.query(`select count(*)::int as n from ballast.job_attempts where task = 'extract_claims' and status = 'succeeded'`)).rows[0].n === before + 2);
  const { rows } = await db.query(`select distinct trace_id from ballast.job_attempts where task = 'extract_claims'`);
  t.equal(rows.length, 2, 're-runs keep each input\'s original trace');
  await t.rejects(findBackfill(db, targets, 'no_such_task', '1.0.0'), /unknown task/);
  await t.rejects(findBackfill(db, targets, 'extract_claims', 'notaversion'), /must be a version/, 'text would sort above every version: refused');
});
