/**
 * `ballast alerts check`, as a monitor outside the fleet runs it: critical
 * while no evaluation of the rules has succeeded lately (a fleet with no
 * worker raises no alert), warning or critical for open alerts that nobody
 * has acknowledged, and its exit status says which.
 */
import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const run = promisify(execFile);
/** The check's stdout and exit status (a non-zero status is its answer, not a failure). */
const check = async (url: string, ...args: string[]) => run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'alerts', 'check', ...args],
  { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' } })
  .then(({ stdout }) => ({ status: 0, stdout }), (e: { code: number; stdout: string }) => ({ status: e.code, stdout: e.stdout }));

/** One evaluation of `rules` by a real worker process (test/helpers/alerts-worker.ts), which then stops. */
async function evaluateOnce(t: { teardown(fn: () => unknown): void }, db: { query: (q: string, v?: unknown[]) => Promise<{ rows: any[] }> }, url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/alerts-worker.ts'), url, '1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL'); });
  const before = (await db.query(`select count(*)::int n from ballast.maintenance_runs where task = 'evaluate_alerts'`)).rows[0].n;
  await db.query(`select graphile_worker.add_job('evaluate_alerts', '{}')`);
  await waitFor('an evaluation', async () => (await db.query(
    `select count(*)::int n from ballast.maintenance_runs where task = 'evaluate_alerts' and outcome = 'succeeded'`)).rows[0].n > before, { timeoutMs: 60_000 });
  child.kill('SIGTERM');
  await exited;
}

t.test('critical until the rules are evaluated; then the open alerts decide; an old evaluation is critical again', async (t) => {
  const { db, url } = await testDatabase(t);
  const never = await check(url);
  t.equal(never.status, 2, 'no evaluation yet: critical');
  t.match(never.stdout, /^CRITICAL alert rules are not being evaluated: no evaluation has ever succeeded, so no alert can fire/);

  await evaluateOnce(t, db, url);
  const ok = await check(url, '--max-age', '86400');
  t.equal(ok.status, 0);
  t.match(ok.stdout, /^OK alert rules evaluated \d+s ago, no open alert\n$/);

  await db.query(`update ballast.alert_rules set for_seconds = 0 where name = 'dead_letters_present'`);
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function) values ('i', 'extract_claims')`);
  await evaluateOnce(t, db, url);
  const warned = await check(url, '--max-age', '86400');
  t.equal(warned.status, 1, 'an open warning alert');
  t.match(warned.stdout, /^WARNING 1 open warning alert\(s\) of rule dead_letters_present \(`ballast alerts list --open`\)\n$/);

  await db.query(`insert into ballast.alerts (rule, severity, subject, message, dedupe_key, status, acknowledged_at)
                  values ('archive_failed', 'critical', '{}', 'm', 'archive_failed:x', 'acknowledged', now())`);
  await db.query(`update ballast.alerts set status = 'acknowledged', acknowledged_at = now() where rule = 'dead_letters_present'`);
  const acked = await check(url, '--max-age', '86400');
  t.equal(acked.status, 0, 'acknowledged alerts do not raise the status: somebody is on them');
  t.match(acked.stdout, /^OK alert rules evaluated \d+s ago, no open alert that nobody has acknowledged\nNOTE 1 acknowledged critical alert\(s\) of rule archive_failed/);

  await db.query(`update ballast.alerts set status = 'open', acknowledged_at = null`);
  const critical = await check(url, '--max-age', '86400');
  t.equal(critical.status, 2);
  t.match(critical.stdout, /^CRITICAL 1 open critical alert\(s\) of rule archive_failed.*\nWARNING 1 open warning/);

  // The last evaluation ended ten minutes ago: nothing evaluates the rules any more.
  await db.query(`update ballast.maintenance_runs set finished_at = now() - interval '10 minutes' where task = 'evaluate_alerts'`);
  const stale = await check(url, '--max-age', '300');
  t.equal(stale.status, 2);
  t.match(stale.stdout, /^CRITICAL alert rules are not being evaluated: the last succeeded (6\d\d|[7-9]\d\d|\d{4,})s ago \(\d{4}-/);
  t.equal((await check(url, '--max-age', '86400')).stdout.split('\n')[0]!.startsWith('CRITICAL 1 open critical'), true, 'within a longer --max-age the evaluation is fresh');
});

t.test('--max-age must be a positive whole number', async (t) => {
  const { url } = await testDatabase(t);
  const r = await check(url, '--max-age', 'soon');
  t.not(r.status, 0);
});
