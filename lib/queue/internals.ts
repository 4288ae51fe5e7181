/**
 * Every statement ballast runs against graphile-worker's private tables
 * (`graphile_worker._private_jobs`, `_private_tasks`). They are not
 * graphile-worker's public API, so they live here, in one place, next to the
 * version they were checked against; test/queue/internals.test.ts fails when
 * the installed version differs or a column they use is gone.
 *
 * The SQL side has one reader too: the view `ballast.queued_jobs`
 * (sql/migrations), which the forensic queries and the unrecorded-failures
 * view read instead of the private tables.
 */
import type { Db, Tx } from '../db/index.ts';

/** The graphile-worker version these statements and the `ballast.queued_jobs` view were checked against. */
export const GRAPHILE_WORKER_VERSION = '0.17.3';

/** The private columns ballast reads or writes, by table (here and in `ballast.queued_jobs`). */
export const PRIVATE_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  _private_jobs: ['id', 'task_id', 'payload', 'run_at', 'attempts', 'max_attempts', 'last_error',
    'created_at', 'updated_at', 'key', 'locked_at', 'locked_by'],
  _private_tasks: ['id', 'identifier'],
};

/**
 * Makes this attempt of a running job its last: graphile-worker 0.17 has no
 * "fail permanently" call for a locked job (`permanently_fail_jobs` skips
 * locked ones), and a job whose attempts reached max_attempts is never fetched
 * again.
 */
export async function stopRetrying(db: Db, jobId: string): Promise<void> {
  await db.query(
    'update graphile_worker._private_jobs set max_attempts = attempts where id = $1 and attempts < max_attempts',
    [jobId]);
}

/**
 * Deletes jobs that failed for good (out of attempts, not locked, untouched
 * for `olderThanSeconds`) and whose dead letter exists: the dead letter is
 * now their record, and a requeue enqueues a fresh job. Returns how many.
 */
export async function removeDeadLetteredJobs(tx: Tx, olderThanSeconds: number): Promise<number> {
  const { rowCount } = await tx.query(
    `delete from graphile_worker._private_jobs j
      where j.attempts >= j.max_attempts and j.locked_at is null
        and j.updated_at < now() - make_interval(secs => $1)
        and exists (select 1 from ballast.pipeline_failures f
                     where f.context->>'job_id' = j.id::text or f.id::text = (j.payload::jsonb)->>'replay_of')`,
    [olderThanSeconds]);
  return rowCount ?? 0;
}
