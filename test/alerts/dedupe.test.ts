/**
 * One open alert per dedupe key, with two worker processes evaluating the
 * rules at once: every evaluation that found the condition either opened
 * the alert or bumped it, and none was lost or duplicated.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const RUNS = 40;

function spawnWorker(t: { teardown(fn: () => unknown): void }, url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/alerts-worker.ts'), url, '4'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  return { ready: () => waitFor('the worker to start', async () => out.includes('ready')) };
}

t.test('two worker processes evaluating at once keep one open alert, bumped once per evaluation', async (t) => {
  const { db, url } = await testDatabase(t);
  await db.query(`update ballast.alert_rules set for_seconds = 0 where name = 'dead_letters_present'`);
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function) values ('i', 'extract_claims')`);
  const a = spawnWorker(t, url);
  const b = spawnWorker(t, url);
  await Promise.all([a.ready(), b.ready()]);
  await db.query(`select graphile_worker.add_job('evaluate_alerts', '{"rules": ["dead_letters_present"]}') from generate_series(1, $1)`, [RUNS]);
  const runs = await waitFor(`${RUNS} evaluations`, async () => {
    const { rows } = await db.query(`select count(*)::int n, count(*) filter (where outcome = 'failed')::int failed from ballast.maintenance_runs where task = 'evaluate_alerts'`);
    return rows[0].n >= RUNS ? rows[0] : null;
  }, { timeoutMs: 60_000 });
  t.equal(runs.failed, 0, 'no evaluation failed');
  const { rows: workers } = await db.query(`select distinct worker_id from ballast.job_attempts where task = 'evaluate_alerts'`);
  t.equal(workers.length, 2, 'both processes evaluated');
  const { rows } = await db.query(`select dedupe_key, status, occurrences from ballast.alerts`);
  t.same(rows, [{ dedupe_key: 'dead_letters_present:extract_claims', status: 'open', occurrences: RUNS }],
    'one alert; every evaluation opened or bumped it');

  // Every shipped rule's condition runs with the worker's rights.
  await db.query(`select graphile_worker.add_job('evaluate_alerts', '{}')`);
  const all = await waitFor('an evaluation of every rule', async () => (await db.query(
    `select outcome, counts from ballast.maintenance_runs where task = 'evaluate_alerts' order by id desc limit 1`)).rows
    .find((r) => r.counts.taken > 1));
  const { rows: [{ n }] } = await db.query(`select count(*)::int as n from ballast.alert_rules where enabled`);
  t.match(all, { outcome: 'succeeded', counts: { taken: n, failed: 0 } }, 'as ballast_worker, no condition fails');
});
