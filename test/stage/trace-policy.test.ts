import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { z } from 'zod';
import { defineStage } from '../../lib/stage/index.ts';
import { runNamed } from '../../lib/forensics/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const noop = defineStage({ task: 'noop', version: '1.0.0', payload: z.object({}), async run() {} });
const writes = defineStage({
  task: 'writes', version: '1.0.0', payload: z.object({}),
  async run(_input, { tx }) { await tx.query('select 1'); },
});

const finished = (db: import('../../lib/db/index.ts').Db, n: number) => waitFor(`${n} finished attempts`, async () => {
  const { rows } = await db.query(`select * from ballast.job_attempts where status <> 'running' order by id`);
  return rows.length >= n ? rows : null;
});

t.test('log-only: a job without a trace still succeeds and leaves a critical violation row', async (t) => {
  const { db, url } = await testDatabase(t);
  await startTestWorker(t, url, { stages: [noop, writes] });
  await db.query(`select graphile_worker.add_job('noop', '{}')`);
  await db.query(`select graphile_worker.add_job('writes', '{}')`);
  await db.query(`select graphile_worker.add_job('noop', json_build_object('trace_id', $1::text))`, [TRACE]);
  const rows = await finished(db, 3);
  t.same(rows.map((r) => r.status), ['succeeded', 'succeeded', 'succeeded']);
  const { rows: v } = await db.query(`select policy, severity, task, message from ballast.policy_violations order by task`);
  t.equal(v.length, 2, 'one per traceless success, none for the traced job');
  t.match(v[0], { policy: 'trace_id_required', severity: 'critical', task: 'noop', message: /^POLICY_VIOLATION: Job \d+ succeeded without trace_id/ });
  t.match(v[1], { task: 'writes' });

  const [day] = await runNamed(db, 'trace_compliance');
  t.match(day, { total_succeeded: 3, with_trace: 1, without_trace: 2 });
  t.equal(Number(day!.compliance_percent), 33.33);
});

t.test('strict: the success is refused and the job fails with POLICY_VIOLATION, permanently', async (t) => {
  const { db, url } = await testDatabase(t);
  await db.query(`update ballast.trace_policy set mode = 'strict'`);
  await startTestWorker(t, url, { stages: [noop, writes] });
  await db.query(`select graphile_worker.add_job('noop', '{}')`);
  await db.query(`select graphile_worker.add_job('writes', '{}')`);
  await db.query(`select graphile_worker.add_job('noop', json_build_object('trace_id', $1::text))`, [TRACE]);
  const rows = await finished(db, 3);
  const failed = rows.filter((r) => r.status === 'failed');
  t.equal(failed.length, 2, 'both traceless jobs failed, batched or in a transaction');
  for (const f of failed) t.match(f, { error: /POLICY_VIOLATION: Job \d+ succeeded without trace_id/, will_retry: false });
  t.equal(rows.filter((r) => r.status === 'succeeded').length, 1, 'the traced job is unaffected');
  const jobs = await waitFor('graphile-worker to record both failures', async () => {
    const { rows } = await db.query(`select last_error, attempts, max_attempts from ballast.queued_jobs where last_error is not null`);
    return rows.length === 2 ? rows : null;
  });
  for (const j of jobs) {
    t.match(j.last_error, /^POLICY_VIOLATION/);
    t.equal(j.attempts, j.max_attempts, 'never retried');
  }
  t.equal((await db.query('select count(*)::int as n from ballast.policy_violations')).rows[0].n, 0, 'strict refuses instead of recording');
});

t.test('jobs created before the cutoff are legacy: no violation, no refusal', async (t) => {
  const { db, url } = await testDatabase(t);
  await db.query(`update ballast.trace_policy set mode = 'strict', cutoff = now() + interval '1 day'`);
  await startTestWorker(t, url, { stages: [noop] });
  await db.query(`select graphile_worker.add_job('noop', '{}')`);
  const [row] = await finished(db, 1);
  t.equal(row.status, 'succeeded');
  t.equal((await db.query('select count(*)::int as n from ballast.policy_violations')).rows[0].n, 0);
});

t.test('switching mode is one statement and records who did it', async (t) => {
  const { db } = await testDatabase(t);
  await db.atomicWrite((tx) => tx.query(`update ballast.trace_policy set mode = 'strict'`), { actor: 'alice' });
  const { rows: [p] } = await db.query('select mode, updated_by from ballast.trace_policy');
  t.same(p, { mode: 'strict', updated_by: 'alice' });
  await t.rejects(db.query(`update ballast.trace_policy set mode = 'lenient'`), /check constraint/);
  await t.rejects(db.query(`insert into ballast.trace_policy (singleton) values (true)`), /duplicate key/, 'one settings row');
});

t.test('`ballast policy --cutoff` refuses a cutoff in the future (every job would be legacy) and takes one in the past', async (t) => {
  const { db, url } = await testDatabase(t);
  const policy = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'policy', ...args],
    { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops' } })
    .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);
  const before = (await db.query('select mode, cutoff from ballast.trace_policy')).rows[0];
  const future = await policy('--mode', 'strict', '--cutoff', '2999-01-01');
  t.equal(future.code, 1);
  t.match(future.stderr, /^ballast: --cutoff 2999-01-01 is in the future: every job would be legacy and strict would refuse nothing; give a time in the past\n$/);
  t.same((await db.query('select mode, cutoff from ballast.trace_policy')).rows[0], before, 'nothing changed, not even the mode');
  const past = await policy('--cutoff', '2000-01-01T00:00:00Z');
  t.equal(past.code, 0, past.stderr);
  t.match(past.stdout, /trace-id policy: mode=log_only cutoff=2000-01-01T00:00:00.000Z .* by cli:ops/);
});
