/**
 * The rescue's decisions, on rows a real graphile-worker queue holds: what
 * becomes of each job a dead worker locked, which attempts are abandoned,
 * and that failed-job recovery then raises a dead letter only for a crash
 * during a job's last attempt. Heartbeats are backdated (the clock the rescue
 * reads is the database's) instead of waiting for them to age.
 */
import t from 'tap';
import { z } from 'zod';
import type { Db } from '../../lib/db/index.ts';
import { rescueDeadWorkers } from '../../lib/fleet/index.ts';
import { recoverFailedJobs } from '../../lib/failures/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { defineStage } from '../../lib/stage/index.ts';
import rescueTask from '../../tasks/rescue_dead_workers.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { redactor } from '../helpers/redactor.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const log = createLogger('silent');

const beat = (db: Db, id: string, pools: string[]) =>
  db.query(`select ballast.beat_worker($1, 'host-t', 1, $2, '{probe}', 1, 100)`, [id, pools]);

async function addJob(db: Db, opts: { maxAttempts?: number; key?: string } = {}): Promise<string> {
  const { rows: [j] } = await db.query(
    `select id::text from graphile_worker.add_job('probe', json_build_object('trace_id', $1::text), max_attempts => $2, job_key => $3)`,
    [TRACE, opts.maxAttempts ?? 5, opts.key ?? null]);
  return j.id;
}

/** What graphile-worker's get_jobs does when a pool takes a job. */
const lock = (db: Db, id: string, pool: string) => db.query(
  `update graphile_worker._private_jobs set attempts = attempts + 1, locked_by = $2, locked_at = now() where id = $1`, [id, pool]);

let span = 0;
async function attempt(db: Db, jobId: string, worker: string, status: string, heartbeatAgo = '5 minutes'): Promise<string> {
  const s = (++span).toString(16).padStart(16, '0');
  await db.query(
    `insert into ballast.job_attempts (job_id, task, attempt, max_attempts, trace_id, span_id, worker_id, status, job_created_at, started_at, heartbeat_at, finished_at)
     values ($1, 'probe', 1, 5, $2, $3, $4, $5::text, now(), now() - interval '10 minutes', now() - $6::interval, case when $5::text = 'running' then null else now() end)`,
    [jobId, TRACE, s, worker, status, heartbeatAgo]);
  return s;
}

t.test('what becomes of each job of a dead worker, its attempts, and the dead letters recovery writes', async (t) => {
  const { db } = await testDatabase(t);
  await beat(db, 'live', ['pool-live']);
  await beat(db, 'dead', ['pool-dead']);
  await db.query(`update ballast.workers set last_beat_at = now() - interval '10 minutes' where worker_id = 'dead'`);

  const retry = await addJob(db);
  const last = await addJob(db, { maxAttempts: 1 });
  const completed = await addJob(db);
  const superseded = await addJob(db, { key: 'probe:1' });
  const liveJob = await addJob(db);
  for (const id of [retry, last, completed, superseded]) await lock(db, id, 'pool-dead');
  await lock(db, liveJob, 'pool-live');
  // New information arrives while the dead worker holds the job: add_job with
  // the same key supersedes it, and a newer job does the work.
  const newer = await addJob(db, { key: 'probe:1' });
  t.not(newer, superseded);
  await attempt(db, retry, 'dead', 'running');
  await attempt(db, completed, 'dead', 'succeeded');
  const slowSpan = await attempt(db, liveJob, 'live', 'running');
  const ghostSpan = await attempt(db, liveJob, 'ghost-from-before-heartbeats', 'running');
  const freshGhost = await attempt(db, liveJob, 'ghost-fresh', 'running', '0 seconds');

  // Just after an outage every beat is stale: nothing is dead until some worker has beaten without a gap for the grace period.
  t.match(await rescueDeadWorkers(db, { graceSeconds: 30 }), { workers: 0, jobs: 0, abandoned: 0 }, 'no rescue right after an outage');
  await db.query(`update ballast.workers set beating_since = now() - interval '1 hour' where worker_id = 'live'`);

  const [r1, r2] = await Promise.all([rescueDeadWorkers(db, { graceSeconds: 30 }), rescueDeadWorkers(db, { graceSeconds: 30 })]);
  const r = r1.workers ? r1 : r2;
  t.equal(r1.workers + r2.workers, 1, 'two rescues at once: one of them rescues the worker');
  t.match(r, { workers: 1, jobs: 4, retry: 1, last_attempt: 1, superseded: 1, completed: 1 });
  t.equal(r1.abandoned + r2.abandoned, 2, 'the dead worker\'s running attempt and the stale one of a worker with no row');

  const { rows: queue } = await db.query(`select id::text, attempts, max_attempts, locked_by, key from ballast.queued_jobs order by id`);
  t.same(queue, [
    { id: retry, attempts: 1, max_attempts: 5, locked_by: null, key: null },
    { id: last, attempts: 1, max_attempts: 1, locked_by: null, key: null },
    { id: liveJob, attempts: 1, max_attempts: 5, locked_by: 'pool-live', key: null },
    { id: newer, attempts: 0, max_attempts: 5, locked_by: null, key: 'probe:1' },
  ], 'retry and last attempt freed; superseded and completed removed; the live worker keeps its job');

  const { rows: fates } = await db.query(`select job_id::text, outcome, worker_id, pool_id, reason from ballast.rescued_jobs order by job_id`);
  t.same(fates.map((f) => [f.job_id, f.outcome]), [[retry, 'retry'], [last, 'last_attempt'], [completed, 'completed'], [superseded, 'superseded']]);
  t.ok(fates.every((f) => f.worker_id === 'dead' && f.pool_id === 'pool-dead' && /worker dead \(pid 1 on host-t\) stopped heartbeating/.test(f.reason)));

  const { rows: attempts } = await db.query(`select span_id, worker_id, status, will_retry, error from ballast.job_attempts order by id`);
  t.match(attempts.find((a) => a.worker_id === 'dead' && a.status !== 'succeeded'), { status: 'abandoned', will_retry: true, error: /stopped heartbeating/ });
  t.match(attempts.find((a) => a.span_id === ghostSpan), { status: 'abandoned', error: /has no heartbeat row/ });
  t.match(attempts.find((a) => a.span_id === slowSpan), { status: 'running' }, 'a live worker\'s attempt is never abandoned, however stale its own beat');
  t.match(attempts.find((a) => a.span_id === freshGhost), { status: 'running' }, 'an attempt still heartbeating is never abandoned');
  t.match(attempts.find((a) => a.worker_id === 'dead' && a.status === 'succeeded'), { error: null }, 'a finished attempt is left as it was');

  // Failed-job recovery: a dead letter only for the crash during the last attempt.
  const rec = await recoverFailedJobs({ db, log, redactor });
  t.equal(rec.recovered, 1);
  const { rows: letters } = await db.query(`select context->>'job_id' job_id, next_retry_at is not null as retryable, error_message, context from ballast.pipeline_failures`);
  t.equal(letters.length, 1);
  t.match(letters[0], { job_id: last, retryable: true, error_message: /worker dead .* stopped heartbeating.*last attempt/, context: { worker_died: true } });
});

t.test('recovery raises no dead letter for a job that was superseded or whose attempt succeeded', async (t) => {
  const { db } = await testDatabase(t);
  // Both are failed for good in graphile-worker's eyes (attempts = max_attempts, unlocked), as after its 4-hour lock expiry.
  const done = await addJob(db, { maxAttempts: 3 });
  const replaced = await addJob(db, { maxAttempts: 3 });
  const crashed = await addJob(db, { maxAttempts: 3 });
  await db.query(`update graphile_worker._private_jobs set attempts = 3 where id = any($1::bigint[])`, [[done, replaced, crashed]]);
  await attempt(db, done, 'w', 'succeeded');
  await db.query(`insert into ballast.rescued_jobs (job_id, task, attempt, max_attempts, worker_id, pool_id, outcome, reason)
                  values ($1, 'probe', 1, 3, 'w', 'pool-w', 'superseded', 'superseded')`, [replaced]);
  const { rows } = await db.query(`select id::text from ballast.unrecorded_failed_jobs order by id`);
  t.same(rows.map((r) => r.id), [crashed], 'only the job with no record of its fate');
  t.equal((await recoverFailedJobs({ db, log, redactor })).recovered, 1);
  t.match((await db.query(`select context->>'job_id' job_id, error_message from ballast.pipeline_failures`)).rows, [{ job_id: crashed, error_message: 'unknown error' }]);
});

t.test('the rescue task: one runs row per run, and the next run scheduled under one job key', async (t) => {
  const { db, url } = await testDatabase(t);
  await beat(db, 'dead', ['pool-dead']);
  await db.query(`update ballast.workers set last_beat_at = now() - interval '10 minutes' where worker_id = 'dead'`);
  const worker = await startTestWorker(t, url, { stages: [rescueTask], heartbeatMs: 100 });
  await waitFor('the worker to beat for the grace period', async () =>
    (await db.query(`select 1 from ballast.workers where worker_id = $1 and beating_since <= now() - interval '1 second'`, [worker.workerId])).rows[0]);
  await db.query(`select graphile_worker.add_job('rescue_dead_workers', '{"grace_seconds": 1, "repeat_after_seconds": 20}')`);
  const run = await waitFor('the runs row', async () =>
    (await db.query(`select * from ballast.maintenance_runs where task = 'rescue_dead_workers'`)).rows[0]);
  t.match(run, { outcome: 'succeeded', error: null, counts: { batches: 1, taken: 1, workers: 1, jobs: 0, abandoned: 0 } });
  const { rows: next } = await db.query(
    `select key, payload, run_at > now() + interval '10 seconds' as later from ballast.queued_jobs where task_identifier = 'rescue_dead_workers'`);
  t.same(next, [{ key: 'rescue_dead_workers', later: true,
    payload: { grace_seconds: 1, repeat_after_seconds: 20, batch_size: 100, max_batches: 10 } }], 'one next run, 20 s later');
  t.match((await db.query(`select tasks, concurrency, beat_ms from ballast.workers where worker_id = $1`, [worker.workerId])).rows[0],
    { tasks: ['rescue_dead_workers'], beat_ms: 100 });
});

t.test('a worker the fleet declared dead stops itself, and its row stays rescued', async (t) => {
  const { db, url } = await testDatabase(t);
  const idle = defineStage({ task: 'probe', version: '1.0.0', payload: z.object({}), async run() {} });
  const worker = await startTestWorker(t, url, { stages: [idle], heartbeatMs: 50 });
  const { rows: [before] } = await db.query(`select pool_ids from ballast.workers where worker_id = $1`, [worker.workerId]);
  t.equal(before.pool_ids.length, 1, 'its graphile-worker pool is named');
  await db.query(`update ballast.workers set rescued_at = now(), rescue_reason = 'test' where worker_id = $1`, [worker.workerId]);
  await waitFor('the worker to stop', async () => Promise.race([worker.done.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 50))]));
  const { rows: [after] } = await db.query(`select stopped_at, rescued_at from ballast.workers where worker_id = $1`, [worker.workerId]);
  t.match(after, { stopped_at: null, rescued_at: Date }, 'a rescued row is never revived or marked stopped');
  t.equal(worker.rescued, true, 'the handle says why it stopped (`ballast worker` then exits 75, and systemd restarts it)');
});
