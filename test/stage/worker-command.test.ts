import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import t from 'tap';
import pg from 'pg';
import { ROLES } from '../../lib/db/index.ts';
import { readCluster, ROOT, withDatabase } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

function ballast(args: string[], databaseUrl: string, env: Record<string, string> = {}): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: databaseUrl, BALLAST_CONCURRENCY: '1', LOG_LEVEL: 'warn', ...env },
  });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  child.stderr!.on('data', (c) => { out += c; });
  return { child, output: () => out };
}

t.test('`ballast worker` does not migrate: on an unmigrated database it refuses and says what to run', async (t) => {
  const { adminUrl } = await readCluster();
  const name = `ballast_t_unmigrated_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  t.teardown(async () => {
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.end();
  });
  const { child, output } = ballast(['worker'], withDatabase(adminUrl, name));
  const [code] = await once(child, 'exit');
  t.equal(code, 1);
  t.match(output(), /not migrated: run `ballast migrate`/);
  const c = new pg.Client({ connectionString: withDatabase(adminUrl, name) });
  await c.connect();
  const { rows: [r] } = await c.query(`select to_regnamespace('graphile_worker') is null and to_regnamespace('ballast') is null as untouched`);
  await c.end();
  t.ok(r.untouched, 'no schema was installed');
});

t.test('`ballast worker` runs its jobs as ballast_worker', async (t) => {
  const { db, url } = await testDatabase(t);
  // An event type no stage handles: normalize_event quarantines it, an audited update.
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, webhook_id, raw_body, payload) values ('telephony', 'wh_worker_role', '{}', '{"type":"x"}') returning id`);
  const { child, output } = ballast(['worker'], url);
  t.teardown(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  const row = await waitFor('the quarantine', async () => {
    if (child.exitCode !== null) throw new Error(`the worker exited: ${output()}`);
    const { rows: [r] } = await db.query(
      `select db_role from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1 and operation = 'update'`, [String(ev.id)]);
    return r;
  }, { timeoutMs: 60_000 });
  t.equal(row.db_role, ROLES.worker, 'the audit row names the role the worker acted as');
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.equal(code, 0, 'SIGTERM stops it cleanly');
});

t.test('`ballast worker` that started the local search engine still exits on SIGTERM', async (t) => {
  const { db, url } = await testDatabase(t);
  const dataDir = t.testdir();
  const { child, output } = ballast(['worker'], url, { BALLAST_DATA_DIR: dataDir });
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  await db.query(`select graphile_worker.add_job('search_sync', '{}'::json)`);
  await waitFor('a search_sync run', async () => {
    if (child.exitCode !== null) throw new Error(`the worker exited: ${output()}`);
    return (await db.query(`select 1 from ballast.maintenance_runs where task = 'search_sync'`)).rowCount;
  }, { timeoutMs: 60_000 });
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  t.equal(code, 0, 'the engine it started is closed, so the process ends');
});
