/**
 * The restore drill on a real backup: it passes on a healthy one and fails,
 * naming the mismatch, on a tampered manifest, a dump whose rows changed and a
 * corrupted dump file. Needs a pg_dump at least as new as the server: under
 * DATABASE_URL on PostgreSQL 15 (.ci/run's second suite) it uses that server;
 * on the embedded PostgreSQL 17, which ships no pg_dump, it starts a server of
 * its own from the installed pg_dump's PostgreSQL binaries; only with neither
 * does it skip, saying why.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import t from 'tap';
import pg from 'pg';
import { sealLedger } from '../../lib/audit/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { Db } from '../../lib/db/index.ts';
import { sampleEvent } from '../../lib/ingest/index.ts';
import { readBackup, runDrill, sha256File, takeBackup, toolMajor, type DrillReport } from '../../lib/restore/index.ts';
import { readCluster, ROOT, TEST_DATA_DIR } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { ownServer } from '../helpers/fleet.ts';
import { addAgent, deliver, startTestReceiver, startTestWorker, waitForEvent, waitForIdleQueue } from '../helpers/pipeline.ts';
import { drillCronEntry } from './cron-entry.ts';

const run = promisify(execFile);
const PG_DUMP = process.env.PG_DUMP ?? 'pg_dump';

interface Source { url: string; db: Db; pgBin: string | null }

/** Where a source database pg_dump can read lives: the test cluster, a server of its own (its binaries), or why neither. */
async function whereToTest(): Promise<{ pgBin: string | null } | string> {
  const dumpMajor = await toolMajor(PG_DUMP);
  if (dumpMajor === null) return `no pg_dump (${PG_DUMP}): install the PostgreSQL client tools or set PG_DUMP`;
  const cluster = await readCluster();
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  const serverMajor = Math.floor(Number((await admin.query('show server_version_num')).rows[0].server_version_num) / 10000);
  await admin.end();
  if (dumpMajor >= serverMajor) return { pgBin: null };
  const pgBin = `/usr/lib/postgresql/${dumpMajor}/bin`;
  if (!(await fs.stat(path.join(pgBin, 'postgres')).catch(() => null))) {
    return `pg_dump ${dumpMajor} cannot dump the PostgreSQL ${serverMajor} test server, and no PostgreSQL ${dumpMajor} server (${pgBin}) to start one of its own`;
  }
  return { pgBin };
}

async function source(t: { teardown(fn: () => unknown): void }, pgBin: string | null): Promise<Source> {
  if (!pgBin) {
    const { url, db } = await testDatabase(t);
    return { url, db, pgBin };
  }
  const dir = `${TEST_DATA_DIR}-drill-${randomBytes(3).toString('hex')}`;
  const server = await ownServer(path.join(dir, 'db'), pgBin);
  const db = new Db({ connectionString: server.url, max: 4 });
  t.teardown(async () => {
    await db.close();
    await server.remove();
    await fs.rm(dir, { recursive: true, force: true });
  });
  return { url: server.url, db, pgBin };
}

const where = await whereToTest();
if (typeof where === 'string') {
  t.plan(0, `restore drill: ${where}`);
} else t.test('the restore drill', async (t) => {
  const src = await source(t, where.pgBin);
  const { url, db } = src;
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-drill-work-'));
  t.teardown(() => fs.rm(work, { recursive: true, force: true }));
  const env = {
    ...process.env, BALLAST_DATA_DIR: path.join(work, 'data'),
    ...(src.pgBin
      ? { PG_DUMP: path.join(src.pgBin, 'pg_dump'), PG_RESTORE: path.join(src.pgBin, 'pg_restore') }
      : { PG_DUMP, PG_RESTORE: process.env.PG_RESTORE ?? (path.isAbsolute(PG_DUMP) ? path.join(path.dirname(PG_DUMP), 'pg_restore') : 'pg_restore') }),
  };

  // Real rows through the real pipeline: events, decisions, outbox rows, a sealed audit chain.
  const worker = await startTestWorker(t, url);
  const receiver = await startTestReceiver(t, db);
  await addAgent(db);
  for (let i = 0; i < 3; i++) {
    const r = await deliver(receiver.url, sampleEvent('+15555550142'));
    t.equal(r.status, 200);
    await waitForEvent(db, (r.body as { event_id: number }).event_id);
  }
  await waitForIdleQueue(db);
  await worker.stop();
  await worker.done;
  await sealLedger(db);
  const config = loadConfig(env);
  const scratch = () => `ballast_drill_t_${randomBytes(4).toString('hex')}`;
  const drill = (backup: string) => runDrill({ config, sourceUrl: url, backup, database: scratch() });
  const failed = (r: DrillReport) => r.checks.filter((c) => c.status === 'fail').map((c) => c.name);

  const healthy = path.join(work, 'healthy');
  await takeBackup(url, { out: healthy, pgDump: config.PG_DUMP });

  await t.test('a drill of a healthy backup passes every check, is recorded, and drops its scratch database', async (t) => {
    const r = await drill(healthy);
    t.same(failed(r), [], JSON.stringify(r.checks.filter((c) => c.status !== 'pass'), null, 2));
    t.match(r, { status: 'passed', mismatches: 0, rto_target_seconds: 3600 });
    t.same(r.checks.map((c) => c.name), ['backup', 'restore', 'migrations', 'data', 'audit', 'search', 'fleet', 'forensics', 'rto']);
    const byName = Object.fromEntries(r.checks.map((c) => [c.name, c]));
    t.ok((byName.data!.detail as { rows: number }).rows > 0);
    t.ok((byName.audit!.detail as { checked: number }).checked > 0, 'the sealed chain was verified against the recorded head');
    t.ok((byName.search!.detail as { expected: number }).expected >= 3, 'every summary and claim was repopulated into the scratch collection');
    t.match(byName.fleet!.detail, { status: 'completed' });
    const { rows: [row] } = await db.query('select status, mismatches, rto_seconds::float8 as rto, report from ballast.restore_drills where id = $1', [r.drill_id]);
    t.match(row, { status: 'passed', mismatches: 0 });
    t.equal(row.report.checks.length, 9);
    const { rows: left } = await db.query('select datname from pg_database where datname = $1', [r.database]);
    t.same(left, [], 'the scratch database is gone');
  });

  await t.test('a manifest whose count was changed fails the drill, naming the table, and raises restore_drill_failed', async (t) => {
    const dir = path.join(work, 'count');
    await fs.cp(healthy, dir, { recursive: true });
    const file = path.join(dir, 'manifest.json');
    const m = JSON.parse(await fs.readFile(file, 'utf8'));
    m.tables['app.summaries'].rows += 1;
    await fs.writeFile(file, JSON.stringify(m));
    const r = await drill(dir);
    t.equal(r.status, 'failed');
    t.same(failed(r), ['data']);
    t.match(r.checks.find((c) => c.name === 'data')!.mismatches, [/^app\.summaries: \d+ rows restored, the manifest has \d+$/]);
    const { rows: alerts } = await db.query(`select message from ballast.alerts where rule = 'restore_drill_failed' and status = 'open'`);
    t.match(alerts, [{ message: new RegExp(`restore drill ${r.drill_id} of .* failed: 1 mismatch.*failed checks: data`) }]);
  });

  await t.test('a dump whose rows changed fails the drill on their content hash; a corrupted dump file fails before any restore', async (t) => {
    await db.query(`update app.agents set nickname = 'changed after the backup' where agent_id = 'agent_test'`);
    const later = path.join(work, 'later');
    await takeBackup(url, { out: later, pgDump: config.PG_DUMP });
    // The later dump under the healthy backup's manifest, its checksum made to match.
    const dir = path.join(work, 'rows');
    await fs.cp(healthy, dir, { recursive: true });
    await fs.copyFile(path.join(later, 'ballast.dump'), path.join(dir, 'ballast.dump'));
    const { manifest } = await readBackup(dir);
    manifest.dump.sha256 = await sha256File(path.join(dir, 'ballast.dump'));
    await fs.writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    const r = await drill(dir);
    t.equal(r.status, 'failed');
    t.ok(failed(r).includes('data'));
    t.match(r.checks.find((c) => c.name === 'data')!.mismatches, [/app\.agents: content hash \w+ restored, the manifest has \w+ \(same \d+ rows, different content\)/]);

    const corrupt = path.join(work, 'corrupt');
    await fs.cp(healthy, corrupt, { recursive: true });
    const f = await fs.open(path.join(corrupt, 'ballast.dump'), 'r+');
    await f.write(Buffer.from('x'), 0, 1, 100);
    await f.close();
    const c = await drill(corrupt);
    t.same(failed(c), ['backup']);
    t.match(c.checks[0]!.mismatches, [/ballast\.dump: sha256 \w+, the manifest has \w+/]);
    t.same(c.checks.filter((x) => x.status === 'skip').map((x) => x.name), ['restore', 'migrations', 'data', 'audit', 'search', 'fleet', 'forensics', 'rto'],
      'nothing was restored, so the RTO is not judged either');
  });

  await t.test('`ballast drill restore` takes a fresh backup, prints the JSON report and exits 0; 1 on a tampered backup', async (t) => {
    const cli = (...args: string[]) => run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'drill', 'restore', '--database', scratch(), ...args],
      { cwd: ROOT, env: { ...env, DATABASE_URL: url, TAP: '', LOG_LEVEL: 'silent' }, maxBuffer: 16 * 1024 * 1024 });
    const ok = JSON.parse((await cli()).stdout) as DrillReport;
    t.match(ok, { status: 'passed', mismatches: 0 });
    t.match(ok.backup, /drills\/ballast_drill_t_\w+\/backup$/, 'a fresh backup was taken');
    const err = await cli('--backup', path.join(work, 'count')).then(() => null, (e) => e as { code: number; stdout: string });
    t.equal(err?.code, 1);
    t.equal((JSON.parse(err!.stdout) as DrillReport).status, 'failed');
  });

  await t.test('the cron entry\'s command, run by /bin/sh with only cron\'s environment, drills and records a passed drill', async (t) => {
    const cron = await drillCronEntry();
    const etc = path.join(work, 'etc');
    await fs.mkdir(etc, { recursive: true });
    const quote = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
    await fs.writeFile(path.join(etc, 'env'), `LOG_LEVEL=silent\nBALLAST_DATA_DIR=${quote(path.join(work, 'wrong'))}\n`);
    await fs.writeFile(path.join(etc, 'drill.env'), Object.entries({ DATABASE_URL: url, PG_DUMP: env.PG_DUMP!, PG_RESTORE: env.PG_RESTORE! })
      .map(([k, v]) => `${k}=${quote(v)}\n`).join(''));
    const log = path.join(work, 'restore-drill.log');
    // The install's paths, each of which must be in the line, replaced by this checkout's.
    let command = cron.command;
    for (const [from, to] of [['/opt/ballast', ROOT], ['/etc/ballast/env', path.join(etc, 'env')], ['/etc/ballast/drill.env', path.join(etc, 'drill.env')],
      ['/var/lib/ballast', path.join(work, 'cron-data')], ['/usr/bin/node', process.execPath], ['/var/log/ballast/restore-drill.log', log]] as const) {
      t.ok(command.includes(from), `the line names ${from}`);
      command = command.replaceAll(from, to);
    }
    const before = Number((await db.query('select count(*) from ballast.restore_drills')).rows[0].count);
    await run('/bin/sh', ['-c', command], { env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: work, SHELL: '/bin/sh', LOGNAME: 'ballast' } });
    const report = JSON.parse(await fs.readFile(log, 'utf8')) as DrillReport;
    t.match(report, { status: 'passed', mismatches: 0 }, 'the report is in the log');
    const { rows } = await db.query('select status from ballast.restore_drills order by id desc limit 1');
    t.equal(Number((await db.query('select count(*) from ballast.restore_drills')).rows[0].count), before + 1, 'and in ballast.restore_drills');
    t.same(rows, [{ status: 'passed' }]);
    t.ok(await fs.stat(path.join(work, 'cron-data')).catch(() => null), 'with the data directory the line sets');
  });
});
