/**
 * The rescue of dead workers' jobs, after River's job rescuer and Oban's
 * Lifeline: a worker whose heartbeat is older than the grace period is
 * declared dead; the jobs its graphile-worker pools locked are freed with
 * graphile-worker's own `force_unlock_workers` (instead of after its 4-hour
 * lock timeout), and its running attempts are marked `abandoned`. A worker
 * that still heartbeats keeps its jobs, however long they run.
 *
 * Each freed job gets a row in `ballast.rescued_jobs` saying what became of it:
 * - `retry`: it runs again on a live worker;
 * - `last_attempt`: the worker died during its last attempt; failed-job
 *   recovery writes its dead letter with the reason;
 * - `superseded`: add_job replaced it through its job key while it ran, so it
 *   would never run again and the newer job does the work: removed;
 * - `completed`: its attempt had committed its success in the ledger before
 *   the worker died: removed, not run twice.
 */
import type { Db, Tx } from '../db/index.ts';
import { forceUnlockWorkers, jobsLockedBy, removeJobs, type LockedJob } from '../queue/index.ts';

export interface RescueOptions {
  /** Seconds of silence after which a worker is dead (never less than 3 of its own beat intervals). @defaultValue `30` */
  graceSeconds?: number;
  /** Dead workers rescued per call. @defaultValue `100` */
  limit?: number;
  /** Actor the audit ledger records. @defaultValue `maintenance:rescue_dead_workers` */
  actor?: string;
}

export type RescueOutcome = 'retry' | 'last_attempt' | 'superseded' | 'completed';

export interface RescuedWorker { worker_id: string; pool_ids: string[]; last_beat_at: Date; reason: string }

export interface RescueResult {
  /** Workers declared dead. */
  workers: number;
  /** Jobs they held, freed. */
  jobs: number;
  retry: number;
  last_attempt: number;
  superseded: number;
  completed: number;
  /** Running attempts marked abandoned (of these workers, or of earlier dead ones). */
  abandoned: number;
  rescued: RescuedWorker[];
}

export const DEFAULT_GRACE_SECONDS = 30;

/** What becomes of a freed job. */
export function rescueOutcome(job: LockedJob, succeeded: boolean): RescueOutcome {
  if (succeeded) return 'completed';
  if (job.superseded) return 'superseded';
  return job.attempts >= job.max_attempts ? 'last_attempt' : 'retry';
}

/** One rescue, in one transaction: declare, free, record, abandon. */
export async function rescueDeadWorkers(db: Db, opts: RescueOptions = {}): Promise<RescueResult> {
  const grace = opts.graceSeconds ?? DEFAULT_GRACE_SECONDS;
  return db.atomicWrite(async (tx) => {
    const { rows: rescued } = await tx.query<RescuedWorker>(
      'select worker_id, pool_ids, last_beat_at, reason from ballast.rescue_workers($1, $2)', [grace, opts.limit ?? 100]);
    const counts = { retry: 0, last_attempt: 0, superseded: 0, completed: 0 };
    const owner = new Map(rescued.flatMap((w) => w.pool_ids.map((p) => [p, w] as const)));
    const jobs = owner.size ? await jobsLockedBy(tx, [...owner.keys()]) : [];
    if (owner.size) await forceUnlockWorkers(tx, [...owner.keys()]);
    if (jobs.length) {
      const done = await succeededJobs(tx, jobs.map((j) => j.id));
      const rows = jobs.map((j) => {
        const outcome = rescueOutcome(j, done.has(j.id));
        counts[outcome] += 1;
        const w = owner.get(j.locked_by)!;
        return { job_id: j.id, task: j.task, attempt: j.attempts, max_attempts: j.max_attempts, worker_id: w.worker_id,
          pool_id: j.locked_by, outcome, reason: `${w.reason}; ${REASONS[outcome](j)}`, trace_id: j.trace_id };
      });
      await removeJobs(tx, rows.filter((r) => r.outcome === 'superseded' || r.outcome === 'completed').map((r) => r.job_id));
      await tx.query(
        `insert into ballast.rescued_jobs (job_id, task, attempt, max_attempts, worker_id, pool_id, outcome, reason, trace_id)
         select job_id, task, attempt, max_attempts, worker_id, pool_id, outcome, reason, trace_id
           from json_to_recordset($1::json) as r(job_id bigint, task text, attempt int, max_attempts int, worker_id text,
                                                 pool_id text, outcome text, reason text, trace_id text)`,
        [JSON.stringify(rows)]);
    }
    // After the jobs are settled, so each abandoned attempt's will_retry is the truth.
    const { rows: [a] } = await tx.query<{ n: number }>('select ballast.abandon_attempts($1) as n', [grace]);
    return { workers: rescued.length, jobs: jobs.length, ...counts, abandoned: a?.n ?? 0, rescued };
  }, { actor: opts.actor ?? 'maintenance:rescue_dead_workers' });
}

const REASONS: Record<RescueOutcome, (j: LockedJob) => string> = {
  retry: (j) => `job ${j.id} freed after attempt ${j.attempts} of ${j.max_attempts}; it runs again`,
  last_attempt: (j) => `job ${j.id} was on its last attempt (${j.attempts} of ${j.max_attempts}); failed-job recovery writes its dead letter`,
  superseded: (j) => `job ${j.id} was superseded through its job key while it ran; the newer job does the work, so it was removed`,
  completed: (j) => `job ${j.id} had recorded its success before the worker died; removed instead of run twice`,
};

/** Ids among `jobIds` with a succeeded attempt in the ledger. */
async function succeededJobs(tx: Tx, jobIds: string[]): Promise<Set<string>> {
  const { rows } = await tx.query<{ job_id: string }>(
    `select distinct job_id::text as job_id from ballast.job_attempts where job_id = any($1::bigint[]) and status = 'succeeded'`, [jobIds]);
  return new Set(rows.map((r) => r.job_id));
}
