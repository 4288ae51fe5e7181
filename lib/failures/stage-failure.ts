/**
 * What a failed stage attempt leaves behind: an envelope always, a bounded
 * diagnostic, and a dead letter when the job will not be retried.
 */
import type { Classification } from './classify.ts';
import { buildEnvelope } from './envelope.ts';
import type { FailureRecord } from './record.ts';
import { redactor } from './redact.ts';

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

/** The dead letter's business key: interaction, else inbox event, else correlation, else job. */
export function businessKey(payload: unknown, correlationId: string | null, jobId: string): string {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  if (p.interaction_id != null) return String(p.interaction_id);
  if (p.event_id != null) return `event:${p.event_id}`;
  return correlationId ?? `job:${jobId}`;
}

/**
 * A job payload split into its trace fields and its business part, redacted.
 * Replays re-enqueue the stored snapshot, so only a snapshot that redaction
 * left intact is replayable.
 */
export function payloadSnapshot(payload: unknown): {
  snapshot: Record<string, unknown>; replayable: boolean; traceId: unknown; parentSpanId: unknown; correlationId: unknown; replayOf: string | null;
} {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  const { trace_id, parent_span_id, correlation_id, replay_of, ...business } = p;
  const snapshot = redactor.value(business);
  return {
    snapshot, replayable: JSON.stringify(snapshot) === JSON.stringify(business),
    traceId: trace_id, parentSpanId: parent_span_id, correlationId: correlation_id,
    replayOf: typeof replay_of === 'string' ? replay_of : null,
  };
}

export function stageFailure(err: unknown, c: Classification, a: StageAttempt, willRetry: boolean): FailureRecord {
  const envelope = buildEnvelope({
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
  const { snapshot, replayable, replayOf } = payloadSnapshot(a.payload);
  return {
    envelope,
    diagnostic,
    deadLetter: {
      interaction_id: businessKey(a.payload, a.trace.correlation_id, a.jobId),
      failing_function: a.task,
      parent_span_id: a.trace.parent_span_id,
      http_status: c.httpStatus,
      error_code: c.code,
      error_message: envelope.message,
      attempt_count: a.attempt,
      payload_snapshot: snapshot,
      context: {
        job_id: a.jobId, task: a.task, task_version: a.version, queue: a.queue, trace_id: a.trace.trace_id,
        span_id: a.trace.span_id, correlation_id: a.trace.correlation_id, error_id: envelope.error_id,
        error_class: c.errorClass, outcome: c.outcome, replayable,
      },
      retryable: c.outcome === 'transient',
      replay_of: replayOf,
    },
  };
}
