/**
 * What a sink is given and what it answers. A sink sends one alert event
 * somewhere (a log line, a webhook, an e-mail command) and says how it went;
 * it never throws, and it never retries: deliver.ts owns retries, backoff
 * and dead letters, so every sink gets them the same way.
 */

export type SinkName = 'log' | 'webhook' | 'email';
export const SINK_NAMES: readonly SinkName[] = ['log', 'webhook', 'email'];

/** An alert as sinks see it: the row of ballast.alerts, and why it is sent now. */
export interface AlertEvent {
  /** `opened` and `resolved` page; `test` comes from `ballast alerts test`. */
  event: 'opened' | 'resolved' | 'test';
  id: string;
  rule: string;
  severity: 'info' | 'warning' | 'critical';
  status: string;
  subject: Record<string, unknown>;
  message: string;
  dedupe_key: string;
  first_seen_at: string;
  last_seen_at: string;
  occurrences: number;
  resolved_at: string | null;
  trace_id: string | null;
  correlation_id: string | null;
}

/** One delivery: the same `id` on every attempt, so a receiver can drop a repeat (the webhook's `webhook-id`). */
export interface Delivery {
  id: string;
  alert: AlertEvent;
}

export interface SinkResult {
  ok: boolean;
  /** The HTTP status the webhook answered, if it answered. */
  httpStatus?: number;
  /** What went wrong (not yet redacted: deliver.ts redacts before it stores or logs it). */
  error?: string;
}

export interface Sink {
  name: SinkName;
  send(d: Delivery): Promise<SinkResult>;
}

/** One line, for chat and e-mail subjects. */
export function alertHeadline(a: AlertEvent): string {
  const what = a.event === 'resolved' ? 'RESOLVED' : a.event === 'test' ? 'TEST' : a.severity.toUpperCase();
  return `[ballast ${what}] ${a.rule}: ${a.message}`;
}

/** Error text of anything a sink caught, with its cause (fetch puts ECONNREFUSED there). */
export function failureText(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const cause = err?.cause ? ` (${err.cause.code ?? err.cause.message ?? String(err.cause)})` : '';
  return `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}${cause}`.slice(0, 500);
}
