/**
 * Crash recovery with real processes: a worker killed with SIGKILL mid-job
 * has its job rescued and completed by another worker; a slow worker that
 * still heartbeats keeps its job. The rescue runs with a short grace period
 * instead of the default 30 s; everything else is as in production.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import type { Db } from '../../lib/db/index.ts';
import { rescueDeadWorkers } from '../../lib/fleet/index.ts';
import { runNamed } from '../../lib/forensics/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const GRACE = 1;

function spawnWorker(t: { teardown(fn: () => unknown): void }, url: string, holdMs: number | 'release') {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/slow-worker.ts'), url, String(holdMs), '100', '1'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, exited, output: () => out };
}

/** The worker row of a process, once it has beaten (and, with `since`, beaten without a gap that long). */
const workerOf = (db: Db, pid: number, since = 0) => waitFor(`the heartbeat row of pid ${pid}`, async () =>
  (await db.query(`select * from ballast.workers where pid = $1 and beating_since <= now() - make_interval(secs => $2)
                     and cardinality(pool_ids) > 0`, [pid, since])).rows[0]);

async function setup(t: { teardown(fn: () => unknown): void }) {
  const { db, url } = await testDatabase(t);
  await db.query(`create table public.slow_outputs (n int primary key, runs int not null default 1)`);
  await db.query(`create table public.slow_release (n int primary key)`);
  await db.query(`select graphile_worker.add_job('slow', json_build_object('n', 1, 'trace_id', $1::text), max_attempts => 5)`, [TRACE]);
  return { db, url };
}

t.test('a worker killed with SIGKILL mid-job: its job is rescued and completes once on another worker', async (t) => {
  const { db, url } = await setup(t);
  const a = spawnWorker(t, url, 'release');
  await waitFor('the job to start on worker A', async () => a.output().includes('started 1'));
  const rowA = await workerOf(db, a.child.pid!);
  t.match(rowA, { host: String, pid: a.child.pid, tasks: ['slow'], concurrency: 1, beat_ms: 100, stopped_at: null, rescued_at: null });
  const { rows: [locked] } = await db.query(`select locked_by from ballast.queued_jobs`);
  t.ok(rowA.pool_ids.includes(locked.locked_by), 'the worker row names the graphile-worker pool that locked the job');
  const runningA = await waitFor('A\'s attempt to heartbeat', async () =>
    (await db.query(`select * from ballast.job_attempts where status = 'running'`)).rows[0]);
  t.equal(runningA.worker_id, rowA.worker_id);

  const b = spawnWorker(t, url, 0);
  await workerOf(db, b.child.pid!);
  t.same(await rescueDeadWorkers(db, { graceSeconds: GRACE }), { workers: 0, jobs: 0, retry: 0, last_attempt: 0, superseded: 0, completed: 0, abandoned: 0, rescued: [] },
    'nothing to rescue while both heartbeat');

  a.child.kill('SIGKILL');
  t.equal((await a.exited).signal, 'SIGKILL');
  // Each try is a real rescue: it finds nothing until A has been silent for the grace period.
  const r = await waitFor('the rescue of A', async () => {
    const res = await rescueDeadWorkers(db, { graceSeconds: GRACE });
    return res.workers > 0 ? res : null;
  });
  t.match(r, { workers: 1, jobs: 1, retry: 1, last_attempt: 0, superseded: 0, completed: 0, abandoned: 1 });
  t.same(r.rescued.map((w) => w.worker_id), [rowA.worker_id]);

  await waitFor('the job to complete on B', async () => (await db.query('select runs from public.slow_outputs where n = 1')).rows[0]);
  t.same((await db.query('select n, runs from public.slow_outputs')).rows, [{ n: 1, runs: 1 }], 'the job ran to completion once');
  await waitFor('the job to leave the queue', async () => (await db.query('select count(*)::int n from ballast.queued_jobs')).rows[0].n === 0);

  const { rows: attempts } = await db.query(`select attempt, status, worker_id, error, will_retry, finished_at is not null as finished
                                               from ballast.job_attempts order by attempt`);
  t.equal(attempts.length, 2);
  t.match(attempts[0], { attempt: 1, status: 'abandoned', worker_id: rowA.worker_id, will_retry: true, finished: true,
    error: new RegExp(`worker ${rowA.worker_id} \\(pid ${a.child.pid} on .*\\) stopped heartbeating`) });
  t.match(attempts[1], { attempt: 2, status: 'succeeded', finished: true });
  t.not(attempts[1].worker_id, rowA.worker_id, 'another worker ran it');

  const { rows: [rescued] } = await db.query(`select * from ballast.rescued_jobs`);
  t.match(rescued, { task: 'slow', attempt: 1, max_attempts: 5, worker_id: rowA.worker_id, pool_id: locked.locked_by, outcome: 'retry', trace_id: TRACE });
  t.match((await db.query(`select rescued_at, rescue_reason from ballast.workers where worker_id = $1`, [rowA.worker_id])).rows[0],
    { rescued_at: Date, rescue_reason: /stopped heartbeating/ });

  const { rows: [stale] } = await db.query(`select count(*)::int n from ballast.job_attempts a where a.status = 'running'
    and not exists (select 1 from ballast.workers w where w.worker_id = a.worker_id and w.rescued_at is null and w.stopped_at is null)`);
  t.equal(stale.n, 0, 'no attempt is left running without a live worker');
  t.same(await runNamed(db, 'stuck_attempts', [0.5]), [], 'nothing stuck');
  t.match(await runNamed(db, 'dead_workers', [GRACE, 3600]), [{ worker_id: rowA.worker_id, state: 'rescued', jobs_locked: 0, attempts_running: 0, attempts_abandoned: 1 }]);
  t.match(await runNamed(db, 'rescued_jobs', [3600]), [{ outcome: 'retry', worker_id: rowA.worker_id, now: 'gone' }]);
  t.same((await db.query(`select count(*)::int n from ballast.pipeline_failures`)).rows[0].n, 0, 'no dead letter');

  b.child.kill('SIGTERM');
  t.equal((await b.exited).code, 0);
  t.match((await db.query(`select stopped_at from ballast.workers where pid = $1`, [b.child.pid])).rows[0], { stopped_at: Date },
    'a graceful stop marks the row stopped');
});

t.test('a slow worker that still heartbeats keeps its job, however long it runs', async (t) => {
  const { db, url } = await setup(t);
  const a = spawnWorker(t, url, 'release');
  await waitFor('the job to start', async () => a.output().includes('started 1'));
  const rowA = await workerOf(db, a.child.pid!, GRACE);
  const b = spawnWorker(t, url, 0);
  await workerOf(db, b.child.pid!, GRACE);
  // The job has now run for longer than the grace period, several times over.
  await waitFor('the attempt to outlast the grace period', async () =>
    (await db.query(`select 1 from ballast.job_attempts where status = 'running' and started_at < now() - make_interval(secs => $1)`, [3 * GRACE])).rows[0]);
  for (let i = 0; i < 3; i++) {
    const r = await rescueDeadWorkers(db, { graceSeconds: GRACE });
    t.match(r, { workers: 0, jobs: 0, abandoned: 0 }, `rescue ${i + 1} takes nothing from a live worker`);
  }
  const { rows: [job] } = await db.query(`select locked_by from ballast.queued_jobs`);
  t.ok(rowA.pool_ids.includes(job.locked_by), 'the job is still locked by the slow worker');

  await db.query('insert into public.slow_release values (1)');
  await waitFor('the job to complete', async () => (await db.query('select runs from public.slow_outputs where n = 1')).rows[0]);
  t.same((await db.query('select n, runs from public.slow_outputs')).rows, [{ n: 1, runs: 1 }]);
  const { rows: attempts } = await db.query(`select status, worker_id from ballast.job_attempts`);
  t.same(attempts, [{ status: 'succeeded', worker_id: rowA.worker_id }], 'one attempt, by the slow worker');
  t.same((await db.query(`select count(*)::int n from ballast.rescued_jobs`)).rows[0].n, 0);
  t.same((await db.query(`select count(*)::int n from ballast.workers where rescued_at is not null`)).rows[0].n, 0);
  for (const w of [a, b]) w.child.kill('SIGTERM');
  t.same((await Promise.all([a.exited, b.exited])).map((e) => e.code), [0, 0]);
});
