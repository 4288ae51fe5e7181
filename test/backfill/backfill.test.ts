import t from 'tap';
import { backfillTargets, compareVersions, countByVersion, enqueueBackfill, findBackfill } from '../../lib/backfill/index.ts';
import { stages } from '../../tasks/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { addAgent, AGENT_NUMBER, deliver, startTestReceiver, startTestWorker, waitForEvent } from '../helpers/pipeline.ts';

t.test('versions compare numerically', async (t) => {
  t.ok(compareVersions('1.0.0', '1.10.0') < 0);
  t.ok(compareVersions('2.0.0', '1.9.9') > 0);
  t.equal(compareVersions('1.0.0', '1.0.0'), 0);
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
});
