/**
 * Recovering failed jobs nobody wrote down. A worker that crashes between
 * "the job failed" and "the dead letter was written" leaves a job
 * graphile-worker holds as failed for good with no dead letter; this writes
 * the missing dead letter, then removes permanently failed jobs whose dead
 * letter exists (the dead letter is now the record, and a requeue enqueues a
 * fresh job).
 *
 * A job whose worker died during its last attempt is freed by the rescue of
 * dead workers (lib/fleet), which records why; its dead letter says so.
 * Jobs that did their work (superseded through their job key, or whose
 * attempt succeeded in the ledger) are not failures: the view
 * `ballast.unrecorded_failed_jobs` leaves them out.
 */
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/index.ts';
import { removeDeadLetteredJobs } from '../queue/index.ts';
import { classify } from './classify.ts';
import { buildDeadLetter } from './dead-letter.ts';
import { buildEnvelope } from './envelope.ts';
import { InvalidInputError, ModelParseError, PermanentError, TransientError } from './errors.ts';
import { recordFailure } from './record.ts';
import type { Redactor } from './redact.ts';

export interface RecoverConfig {
  /** Jobs examined per run. @defaultValue `500` */
  limit?: number;
  /** Failed jobs with a dead letter are removed after this many seconds. @defaultValue `60` */
  removeAfterSeconds?: number;
}

export interface RecoverResult { recovered: number; removed: number }

const NAMED: Record<string, (message: string) => Error> = {
  InvalidInputError: (m) => new InvalidInputError(m),
  ZodError: (m) => new InvalidInputError(m),
  PermanentError: (m) => new PermanentError(m),
  TransientError: (m) => new TransientError(m),
  ModelParseError: (m) => new ModelParseError(m),
};

/**
 * The error a failed job's `last_error` stands for, for `classify()`.
 * graphile-worker keeps only the message; a leading `Name: ` (how the stage
 * runtime rethrows invalid input) names the class, and the message itself
 * carries the rest (`POLICY_VIOLATION ...`, network and timeout errors).
 */
export function errorFromLastError(lastError: string): Error {
  const m = /^(\w+Error): ([\s\S]*)$/.exec(lastError);
  const make = m ? NAMED[m[1]!] : undefined;
  return make ? make(m![2]!) : new Error(lastError);
}

export async function recoverFailedJobs(deps: { db: Db; log: Logger; redactor: Redactor }, cfg: RecoverConfig = {}): Promise<RecoverResult> {
  const { db, log, redactor } = deps;
  const { rows } = await db.query(
    `select j.id, j.task_identifier, j.payload, j.attempts, j.last_error,
            (select r.reason from ballast.rescued_jobs r
              where r.job_id = j.id and r.outcome = 'last_attempt' order by r.id desc limit 1) as rescue_reason
       from ballast.unrecorded_failed_jobs j order by j.id limit $1`,
    [cfg.limit ?? 500]);
  let recovered = 0;
  for (const j of rows) {
    const payload = (j.payload ?? {}) as Record<string, unknown>;
    // A crash is transient: the dead letter is retryable, within the requeue bound.
    const err = j.rescue_reason ? new TransientError(j.rescue_reason) : errorFromLastError(String(j.last_error ?? 'unknown error'));
    const c = classify(err);
    const envelope = buildEnvelope(redactor, {
      err,
      classification: { errorClass: 'system.dead_letter_recovered', layer: 'L5' }, component: 'failures.recover',
      severity: 'critical', input: payload,
      trace: { trace_id: (payload.trace_id as string) ?? null, span_id: null, correlation_id: (payload.correlation_id as string) ?? null },
      context: { job_id: String(j.id), task: j.task_identifier, error_class: c.errorClass },
    });
    await recordFailure({ db, redactor }, {
      envelope,
      deadLetter: buildDeadLetter(redactor, {
        envelope, failingFunction: j.task_identifier, payload, code: c.code, httpStatus: c.httpStatus,
        attempt: j.attempts, retryable: c.outcome === 'transient', jobId: String(j.id),
        context: { task: j.task_identifier, recovered: true, outcome: c.outcome, ...(j.rescue_reason ? { worker_died: true } : {}) },
      }),
    });
    log.error({ error_id: envelope.error_id, job_id: String(j.id), task: j.task_identifier }, 'wrote the missing dead letter of a failed job');
    recovered += 1;
  }
  const removed = await db.atomicWrite((tx) => removeDeadLetteredJobs(tx, cfg.removeAfterSeconds ?? 60), { actor: 'ballast:recover' });
  return { recovered, removed };
}
