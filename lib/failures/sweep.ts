/**
 * The silent-drop sweeper. A worker that crashes between "the job failed"
 * and "the dead letter was written" leaves a job graphile-worker holds as
 * failed for good with no dead letter; this writes the missing dead letter,
 * then removes permanently failed jobs whose dead letter exists (the dead
 * letter is now the record, and replay enqueues a fresh job).
 */
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/index.ts';
import { removeDeadLetteredJobs } from '../queue/index.ts';
import { classify } from './classify.ts';
import { buildEnvelope } from './envelope.ts';
import { recordFailure } from './record.ts';
import { businessKey, payloadSnapshot } from './stage-failure.ts';
import { redactor } from './redact.ts';

export interface SweepConfig {
  /** Jobs examined per run. @defaultValue `500` */
  limit?: number;
  /** Failed jobs with a dead letter are removed after this many seconds. @defaultValue `60` */
  removeAfterSeconds?: number;
}

export interface SweepResult { recovered: number; removed: number }

// Permanent errors leave these prefixes in graphile-worker's last_error.
const PERMANENT_PREFIX = /^(InvalidInputError|PermanentError|ZodError|POLICY_VIOLATION)/;

export async function sweepFailedJobs(db: Db, log: Logger, cfg: SweepConfig = {}): Promise<SweepResult> {
  const { rows } = await db.query(
    'select id, task_identifier, payload, attempts, last_error from ballast.unrecorded_failed_jobs order by id limit $1',
    [cfg.limit ?? 500]);
  let recovered = 0;
  for (const j of rows) {
    const payload = (j.payload ?? {}) as Record<string, unknown>;
    const lastError = String(j.last_error ?? 'unknown error');
    const permanent = PERMANENT_PREFIX.test(lastError);
    const err = new Error(`recovered by the sweeper: ${lastError}`);
    const envelope = buildEnvelope({
      err, classification: { errorClass: 'system.dead_letter_recovered', layer: 'L5' }, component: 'failures.sweeper',
      severity: 'critical', input: payload,
      trace: { trace_id: (payload.trace_id as string) ?? null, span_id: null, correlation_id: (payload.correlation_id as string) ?? null },
      context: { job_id: String(j.id), task: j.task_identifier },
    });
    const { snapshot, replayable, traceId, parentSpanId, correlationId, replayOf } = payloadSnapshot(payload);
    await recordFailure(db, {
      envelope,
      deadLetter: {
        interaction_id: businessKey(payload, (correlationId as string) ?? null, String(j.id)),
        failing_function: j.task_identifier, parent_span_id: (parentSpanId as string) ?? null,
        http_status: null, error_code: permanent ? 'INPUT_INVALID' : classify(err).code,
        error_message: redactor.text(lastError).slice(0, 500), attempt_count: j.attempts, payload_snapshot: snapshot,
        context: { job_id: String(j.id), task: j.task_identifier, trace_id: traceId, correlation_id: correlationId, span_id: parentSpanId,
          error_id: envelope.error_id, swept: true, replayable },
        retryable: !permanent,
        replay_of: replayOf,
      },
    });
    log.error({ error_id: envelope.error_id, job_id: String(j.id), task: j.task_identifier }, 'sweeper wrote a missing dead letter');
    recovered += 1;
  }
  const removed = await db.atomicWrite((tx) => removeDeadLetteredJobs(tx, cfg.removeAfterSeconds ?? 60), { actor: 'ballast:sweeper' });
  return { recovered, removed };
}
