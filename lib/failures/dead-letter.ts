/**
 * The one dead-letter builder. Every place that gives up on work (a stage
 * out of attempts, failed-job recovery, search sync, the webhook receiver)
 * describes the failure here and gets the same row shape: business key,
 * redacted payload snapshot, the envelope's id and message, the trace, and
 * whether a replay may re-enqueue the snapshot.
 */
import type { DiagnosticCode } from './classify.ts';
import type { ErrorEnvelope } from './envelope.ts';
import type { DeadLetter } from './record.ts';
import type { Redactor } from './redact.ts';

/** The dead letter's business key: interaction, else inbox event, else correlation, else job. */
export function businessKey(payload: unknown, correlationId: string | null, jobId: string): string {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  if (p.interaction_id != null) return String(p.interaction_id);
  if (p.event_id != null) return `event:${p.event_id}`;
  return correlationId ?? `job:${jobId}`;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);

/** A job payload's trace fields, set by the triggers that enqueue jobs (TracePayload). */
export function payloadTrace(payload: unknown): { trace_id: string | null; parent_span_id: string | null; correlation_id: string | null; replay_of: string | null } {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  return { trace_id: str(p.trace_id), parent_span_id: str(p.parent_span_id), correlation_id: str(p.correlation_id), replay_of: str(p.replay_of) };
}

export interface DeadLetterInput {
  /** The envelope recorded with the dead letter: its id and redacted message. */
  envelope: ErrorEnvelope;
  failingFunction: string;
  /** Who handed the work over, when no parent span says so. @defaultValue resolved from the parent span */
  callerFunction?: string | null;
  /**
   * What the work was given. Trace fields are split off, the rest is kept
   * redacted as the snapshot a replay re-enqueues.
   */
  payload: unknown;
  /** @defaultValue `businessKey(payload, correlation id, jobId)` */
  key?: string;
  code: DiagnosticCode;
  httpStatus?: number | null;
  attempt: number;
  /** Schedule automatic replays (transient failures that ran out of attempts). */
  retryable: boolean;
  /**
   * May a replay re-enqueue the snapshot? It never may when redaction changed
   * it. @defaultValue `true` (then: unless redaction changed the snapshot)
   */
  replayable?: boolean;
  /** The failed work's trace. @defaultValue the payload's trace fields */
  trace?: { trace_id: string | null; span_id: string | null; parent_span_id: string | null; correlation_id: string | null };
  jobId?: string;
  /** More context for the operator (task, queue, notes). */
  context?: Record<string, unknown>;
}

export function buildDeadLetter(redactor: Redactor, i: DeadLetterInput): DeadLetter {
  const p = (i.payload && typeof i.payload === 'object' && !Array.isArray(i.payload) ? i.payload : { value: i.payload }) as Record<string, unknown>;
  const { trace_id: _t, parent_span_id: _p, correlation_id: _c, replay_of: _r, ...business } = p;
  const fromPayload = payloadTrace(p);
  const trace = i.trace ?? { ...fromPayload, span_id: fromPayload.parent_span_id };
  const { value: snapshot, changed } = redactor.redact(business);
  const replayable = (i.replayable ?? true) && !changed;
  return {
    interaction_id: i.key ?? businessKey(p, trace.correlation_id, i.jobId ?? 'unknown'),
    failing_function: i.failingFunction,
    ...(i.callerFunction !== undefined ? { caller_function: i.callerFunction } : {}),
    parent_span_id: trace.parent_span_id,
    http_status: i.httpStatus ?? null,
    error_code: i.code,
    error_message: i.envelope.message,
    attempt_count: i.attempt,
    payload_snapshot: snapshot,
    context: redactor.value({
      ...(i.jobId ? { job_id: i.jobId } : {}),
      ...i.context,
      trace_id: trace.trace_id, span_id: trace.span_id, correlation_id: trace.correlation_id,
      error_id: i.envelope.error_id, error_class: i.envelope.error_class, replayable,
    }),
    retryable: i.retryable,
    replay_of: fromPayload.replay_of,
  };
}
