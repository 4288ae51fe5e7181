/**
 * Writing failures down: one call stores the envelope, the bounded diagnostic
 * and the dead letter in one transaction (SQL `ballast.record_failure`).
 * Recording never throws into the caller's path; a failure to record is
 * itself logged with the error id, and failed-job recovery (recover.ts) writes the dead letter later.
 */
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/index.ts';
import type { DiagnosticCode } from './classify.ts';
import type { ErrorEnvelope } from './envelope.ts';
import type { Redactor } from './redact.ts';

export interface Diagnostic {
  function_name: string;
  function_version: string;
  log_level: 'warn' | 'error';
  code: DiagnosticCode;
  message: string;
  metadata?: Record<string, unknown>;
}

export interface DeadLetter {
  /** Business key: interaction id, else `event:<id>`, else the correlation id. */
  interaction_id: string;
  failing_function: string;
  caller_function?: string | null;
  /** Span of the attempt that enqueued the failing job; resolves caller_function. */
  parent_span_id?: string | null;
  http_status: number | null;
  error_code: string;
  error_message: string;
  attempt_count: number;
  payload_snapshot: unknown;
  context: Record<string, unknown>;
  /** Schedule automatic replays (transient failures that ran out of attempts). */
  retryable: boolean;
  /** The dead letter this failed replay belongs to. */
  replay_of?: string | null;
}

/**
 * The SQL function a process records its failures through: the worker's
 * (any failure), or the webhook receiver's narrower door (its own envelopes
 * and diagnostics, non-replayable dead letters of rejected events).
 */
export type FailureDoor = 'ballast.record_failure' | 'ingest.record_failure';

/** What writing a failure down needs: the database, and the install's redactor (and a log for the safe variant). */
export interface FailureSink {
  db: Db;
  redactor: Redactor;
  /** @defaultValue `ballast.record_failure` */
  door?: FailureDoor;
}

export interface FailureRecord {
  envelope?: ErrorEnvelope | null;
  diagnostic?: Diagnostic | null;
  deadLetter?: DeadLetter | null;
}

/**
 * Stores the record; returns the dead letter's id (or null). Throws on
 * database errors. The builders redact already; this is the last line, so
 * nothing reaches the tables unredacted (masks are left as they are).
 */
export async function recordFailure({ db, redactor, door = 'ballast.record_failure' }: FailureSink, r: FailureRecord): Promise<string | null> {
  const dl = r.deadLetter ? { ...r.deadLetter, error_message: redactor.text(r.deadLetter.error_message),
    payload_snapshot: redactor.value(r.deadLetter.payload_snapshot), context: redactor.value(r.deadLetter.context) } : null;
  const diag = r.diagnostic ? { ...r.diagnostic, message: redactor.text(r.diagnostic.message), metadata: redactor.value(r.diagnostic.metadata ?? {}) } : null;
  const { rows: [row] } = await db.query<{ id: string | null }>(
    `select ${door}($1::jsonb, $2::jsonb, $3::jsonb) as id`,
    [r.envelope ? JSON.stringify(r.envelope) : null, diag ? JSON.stringify(diag) : null, dl ? JSON.stringify(dl) : null]);
  return row?.id ?? null;
}

/** Like recordFailure, but never throws: a failure to record is logged (failed-job recovery writes missing dead letters). */
export async function recordFailureSafely(sink: FailureSink & { log: Logger }, r: FailureRecord): Promise<string | null> {
  const { log, redactor } = sink;
  try {
    return await recordFailure(sink, r);
  } catch (e) {
    log.error({ error_id: r.envelope?.error_id, record_error: redactor.text(String((e as Error).message)) },
      'could not record failure (envelope/dead letter); failed-job recovery will write the dead letter');
    return null;
  }
}
