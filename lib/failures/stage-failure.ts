/**
 * What a failed stage attempt leaves behind: an envelope always, a bounded
 * diagnostic, and a dead letter when the job will not be retried.
 */
import type { Classification } from './classify.ts';
import { buildDeadLetter } from './dead-letter.ts';
import { buildEnvelope } from './envelope.ts';
import type { FailureRecord } from './record.ts';
import type { Redactor } from './redact.ts';

export interface StageAttempt {
  task: string;
  version: string;
  jobId: string;
  attempt: number;
  maxAttempts: number;
  queue: string | null;
  workerId: string;
  payload: unknown;
  trace: { trace_id: string | null; span_id: string; parent_span_id: string | null; correlation_id: string | null };
}

export function stageFailure(redactor: Redactor, err: unknown, c: Classification, a: StageAttempt, willRetry: boolean): FailureRecord {
  const envelope = buildEnvelope(redactor, {
    err,
    classification: c,
    component: `tasks.${a.task}`,
    severity: willRetry ? 'warning' : 'error',
    input: a.payload,
    trace: a.trace,
    ids: { run_id: a.jobId },
    context: { task: a.task, task_version: a.version, job_id: a.jobId, attempt: a.attempt, max_attempts: a.maxAttempts,
      outcome: c.outcome, will_retry: willRetry, worker_id: a.workerId },
  });
  const diagnostic = {
    function_name: a.task,
    function_version: a.version,
    log_level: willRetry ? 'warn' as const : 'error' as const,
    code: c.code,
    message: envelope.message,
    metadata: { error_id: envelope.error_id, error_class: c.errorClass, job_id: a.jobId, attempt: a.attempt, will_retry: willRetry },
  };
  if (willRetry) return { envelope, diagnostic };
  return {
    envelope,
    diagnostic,
    deadLetter: buildDeadLetter(redactor, {
      envelope, failingFunction: a.task, payload: a.payload, code: c.code, httpStatus: c.httpStatus,
      attempt: a.attempt, retryable: c.outcome === 'transient', trace: a.trace, jobId: a.jobId,
      context: { task: a.task, task_version: a.version, queue: a.queue, outcome: c.outcome },
    }),
  };
}
