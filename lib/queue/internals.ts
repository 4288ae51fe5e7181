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

/** A job locked by a graphile-worker pool, as a rescue sees it before freeing it. */
export interface LockedJob {
  id: string;
  task: string;
  /** The attempt the pool holds (graphile-worker counts it when it locks the job). */
  attempts: number;
  max_attempts: number;
  locked_by: string;
  trace_id: string | null;
  /**
   * add_job replaced it through its job key while it was locked: graphile-worker
   * then clears its key, sets attempts to max_attempts and updated_at to now(),
   * and the newer job does the work. Locking a job sets neither updated_at nor
   * key, so a job updated after it was locked was superseded.
   */
  superseded: boolean;
}

/** The jobs these pools (graphile-worker's `locked_by`) hold. */
export async function jobsLockedBy(tx: Tx, poolIds: readonly string[]): Promise<LockedJob[]> {
  const { rows } = await tx.query<LockedJob>(
    `select j.id::text as id, t.identifier as task, j.attempts, j.max_attempts, j.locked_by,
            j.payload->>'trace_id' as trace_id,
            (j.key is null and j.attempts >= j.max_attempts and j.updated_at > j.locked_at) as superseded
       from graphile_worker._private_jobs j
       join graphile_worker._private_tasks t on t.id = j.task_id
      where j.locked_by = any($1::text[])
      order by j.id`,
    [poolIds]);
  return rows;
}

/** graphile-worker's `force_unlock_workers` (public API): frees every job and queue these pools lock. */
export async function forceUnlockWorkers(tx: Tx, poolIds: readonly string[]): Promise<void> {
  await tx.query('select graphile_worker.force_unlock_workers($1::text[])', [poolIds]);
}

/** graphile-worker's `complete_jobs` (public API): removes unlocked jobs. Returns the ids removed. */
export async function removeJobs(tx: Tx, jobIds: readonly string[]): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const { rows } = await tx.query<{ id: string }>('select id::text as id from graphile_worker.complete_jobs($1::bigint[])', [jobIds]);
  return rows.map((r) => r.id);
}
