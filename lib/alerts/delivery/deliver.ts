/**
 * Delivering alerts: one batch of ballast.alert_deliveries (the rows the
 * trigger on ballast.alerts writes when an alert opens or resolves).
 *
 * A batch claims due rows (moving their due time one lease ahead, so a
 * worker that dies mid-batch leaves them due again, never lost), sends each
 * through its sink, and records one ballast.alert_delivery_attempts row per
 * attempt. A failure is retried with doubling backoff; the last failed
 * attempt leaves the row `dead` (kept, not deleted), a dead letter through
 * the one builder in lib/failures, and an `alert_sink_down` alert about the
 * sink. A sink that takes an alert again gives its dead rows a new budget
 * and resolves its `alert_sink_down` alert, so delivery resumes by itself.
 */
import type { Db } from '../../db/index.ts';
import type { Logger } from '../../log/index.ts';
import { buildDeadLetter, buildEnvelope, recordFailureSafely, type Redactor } from '../../failures/index.ts';
import { type AlertEvent, type Sink, type SinkName, type SinkResult } from './sink.ts';

export interface DeliverySettings {
  /** Attempts per row before it goes dead. @defaultValue BALLAST_ALERT_MAX_ATTEMPTS (8) */
  maxAttempts: number;
  /** Wait after the first failure, doubled after each further one. @defaultValue BALLAST_ALERT_BACKOFF_MS (30 s) */
  backoffMs: number;
  /** Longest wait. @defaultValue BALLAST_ALERT_BACKOFF_MAX_MS (15 min) */
  backoffMaxMs: number;
  /** How long a claim holds a row before it is due again (longer than any attempt). @defaultValue 2 × timeout + 30 s */
  leaseMs: number;
}

export interface DeliverOptions {
  /** The sinks configured; a row of any other sink is marked `skipped`. */
  sinks: ReadonlyMap<SinkName, Sink>;
  settings: DeliverySettings;
  /** Rows one batch claims. */
  batchSize: number;
  /** The clock due times are read and written on (tests pass their own). @defaultValue `new Date()` */
  now?: Date;
  redactor: Redactor;
  log: Logger;
}

export interface DeliverResult {
  [count: string]: number;
  taken: number;
  delivered: number;
  failed: number;
  dead: number;
  skipped: number;
  revived: number;
}

/** The wait after the `attempt`-th failure: backoffMs, 2×, 4×, ..., at most backoffMaxMs. */
export const backoffAfter = (s: DeliverySettings, attempt: number): number =>
  Math.min(s.backoffMaxMs, s.backoffMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));

type Claimed = AlertEvent & { delivery_id: string; sink: SinkName; claimed: 'pending' | 'skipped'; attempts: number; attempts_left: number };

const ALERT_FIELDS = `a.id::text, a.rule, a.severity, a.status, a.subject, a.message, a.dedupe_key, a.first_seen_at, a.last_seen_at,
  a.occurrences, a.resolved_at, a.trace_id, a.correlation_id`;

async function claim(db: Db, o: DeliverOptions, now: Date): Promise<Claimed[]> {
  return db.lockedMutation((tx) => tx.lockRows<Claimed>(
    `with due as (
       select id from ballast.alert_deliveries
        where status = 'pending' and next_attempt_at <= $1
        order by next_attempt_at, id limit $2 for update skip locked)
     update ballast.alert_deliveries d
        set next_attempt_at = $1::timestamptz + make_interval(secs => $3 / 1000.0),
            attempts_left = coalesce(d.attempts_left, $5),
            status = case when d.sink = any ($4) then 'pending' else 'skipped' end,
            finished_at = case when d.sink = any ($4) then null else $1 end
       from due, ballast.alerts a
      where d.id = due.id and a.id = d.alert_id
     returning d.id::text as delivery_id, d.event, d.sink, d.status as claimed, d.attempts, d.attempts_left, ${ALERT_FIELDS}`,
    [now, o.batchSize, o.settings.leaseMs, [...o.sinks.keys()], o.settings.maxAttempts]));
}

interface Outcome { row: Claimed; result: SinkResult; ms: number }

/** One batch: claim, send, record. */
export async function deliverAlertsOnce(db: Db, o: DeliverOptions): Promise<DeliverResult> {
  const now = o.now ?? new Date();
  const rows = await claim(db, o, now);
  const counts: DeliverResult = { taken: rows.length, delivered: 0, failed: 0, dead: 0, skipped: 0, revived: 0 };
  const due = rows.filter((r) => r.claimed === 'pending');
  counts.skipped = rows.length - due.length;
  const outcomes: Outcome[] = await Promise.all(due.map(async (row) => {
    const started = performance.now();
    const { delivery_id, sink: _s, claimed: _c, attempts: _a, attempts_left: _l, ...alert } = row;
    const result = await o.sinks.get(row.sink)!.send({ id: `alert_delivery_${delivery_id}`, alert: o.redactor.value({ ...alert, ...stamps(alert) }) });
    return { row, result, ms: Math.round(performance.now() - started) };
  }));
  if (outcomes.length === 0) return counts;
  const recorded = outcomes.map(({ row, result, ms }) => {
    const attempt = row.attempts + 1;
    const left = result.ok ? row.attempts_left : row.attempts_left - 1;
    const status = result.ok ? 'delivered' : left <= 0 ? 'dead' : 'pending';
    const next = status === 'pending' ? new Date(now.getTime() + backoffAfter(o.settings, attempt)) : null;
    return {
      id: row.delivery_id, alert_id: row.id, event: row.event, sink: row.sink, attempt, attempts_left: left, status,
      outcome: result.ok ? 'delivered' : status === 'dead' ? 'dead' : 'failed',
      next_attempt_at: next, http_status: result.httpStatus ?? null,
      error: result.ok ? null : o.redactor.text(result.error ?? 'failed').slice(0, 500), duration_ms: ms,
    };
  });
  await db.atomicWrite((tx) => tx.query(
    `with r as (
       select * from json_to_recordset($1::json) as r(id bigint, alert_id bigint, sink text, attempt int, attempts_left int, status text,
         outcome text, next_attempt_at timestamptz, http_status int, error text, duration_ms int)),
     u as (
       update ballast.alert_deliveries d
          set status = r.status, attempts = r.attempt, attempts_left = r.attempts_left,
              next_attempt_at = coalesce(r.next_attempt_at, d.next_attempt_at),
              last_http_status = r.http_status, last_error = r.error,
              finished_at = case when r.status = 'pending' then null else $2::timestamptz end
         from r where d.id = r.id)
     insert into ballast.alert_delivery_attempts (delivery_id, alert_id, sink, attempt, outcome, http_status, error, next_attempt_at, duration_ms, attempted_at, trace_id)
     select id, alert_id, sink, attempt, outcome, http_status, error, next_attempt_at, duration_ms, $2, ballast.setting('trace_id') from r`,
    [JSON.stringify(recorded), now]), { actor: 'maintenance:deliver_alerts' });

  for (const r of recorded) counts[r.outcome === 'dead' ? 'dead' : r.outcome === 'delivered' ? 'delivered' : 'failed']! += 1;
  for (const r of recorded.filter((r) => r.outcome !== 'delivered')) {
    o.log.warn({ delivery_id: r.id, alert_id: r.alert_id, sink: r.sink, attempt: r.attempt, http_status: r.http_status, error: r.error, next_attempt_at: r.next_attempt_at },
      r.outcome === 'dead' ? 'alert delivery out of attempts: dead letter' : 'alert delivery failed; will retry');
  }
  for (const r of recorded.filter((r) => r.outcome === 'dead')) {
    await sinkGaveUp(db, o, { delivery_id: r.id, alert_id: r.alert_id, sink: r.sink, event: r.event, attempt: r.attempt, http_status: r.http_status, error: r.error ?? 'failed' });
  }
  for (const sink of new Set(recorded.filter((r) => r.outcome === 'delivered').map((r) => r.sink))) {
    counts.revived += await sinkIsBack(db, sink, o.settings, now);
  }
  return counts;
}

/** Dates as ISO text, as a sink sends them. */
function stamps(a: Omit<AlertEvent, 'event'> & Record<string, unknown>): Pick<AlertEvent, 'first_seen_at' | 'last_seen_at' | 'resolved_at'> {
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : String(v));
  return { first_seen_at: iso(a.first_seen_at)!, last_seen_at: iso(a.last_seen_at)!, resolved_at: iso(a.resolved_at) };
}

export const SINK_DOWN_RULE = 'alert_sink_down';
export const sinkDownKey = (sink: string): string => `${SINK_DOWN_RULE}:${sink}`;

interface GaveUp { delivery_id: string; alert_id: string; sink: string; event: string; attempt: number; http_status: number | null; error: string }

/** The last attempt failed: a dead letter, and an alert about the sink (one open per sink; a recurrence bumps it). */
async function sinkGaveUp(db: Db, o: DeliverOptions, g: GaveUp): Promise<void> {
  const { redactor, log } = o;
  const correlation = `alert:${g.alert_id}`;
  const envelope = buildEnvelope(redactor, {
    err: new Error(`alert sink ${g.sink} gave up on alert ${g.alert_id} (${g.event}) after ${g.attempt} attempts: ${g.error}`),
    classification: { errorClass: 'infra.alerts.sink_down', layer: 'L3' }, component: `alerts.${g.sink}`, severity: 'error',
    input: { delivery_id: g.delivery_id }, trace: { trace_id: null, span_id: null, correlation_id: correlation },
    context: { delivery_id: g.delivery_id, alert_id: g.alert_id, sink: g.sink, event: g.event, attempts: g.attempt },
  });
  const deadLetterId = await recordFailureSafely({ db, log, redactor }, {
    envelope,
    diagnostic: { function_name: 'deliver_alerts', function_version: '1.0.0', log_level: 'error', code: 'DOWNSTREAM_CALL_FAILED',
      message: envelope.message, metadata: { error_id: envelope.error_id, delivery_id: g.delivery_id, sink: g.sink } },
    deadLetter: buildDeadLetter(redactor, {
      envelope, failingFunction: 'deliver_alerts', callerFunction: 'ballast.alerts', key: `alert:${g.alert_id}:${g.event}:${g.sink}`,
      payload: { delivery_id: g.delivery_id, alert_id: g.alert_id, event: g.event, sink: g.sink },
      code: 'DOWNSTREAM_CALL_FAILED', httpStatus: g.http_status, attempt: g.attempt, retryable: false, replayable: false,
      trace: { trace_id: null, span_id: null, parent_span_id: null, correlation_id: correlation },
      context: { delivery_id: g.delivery_id, note: 'the delivery row is kept (status dead) and retried once the sink takes an alert again; check the sink with `ballast alerts test ' + g.sink + '`' },
    }),
  });
  await db.atomicWrite((tx) => tx.query(
    `insert into ballast.alerts (rule, severity, subject, message, dedupe_key, evidence)
     values ($1, 'critical', jsonb_build_object('component', 'alerts.' || $2::text, 'sink', $2::text), $3, $4, $5)
     on conflict (dedupe_key) where status <> 'resolved'
     do update set last_seen_at = now(), occurrences = ballast.alerts.occurrences + 1, evidence = excluded.evidence`,
    [SINK_DOWN_RULE, g.sink, `alert sink ${g.sink} is down: gave up delivering alert ${g.alert_id} after ${g.attempt} attempts (${g.error})`.slice(0, 1000),
      sinkDownKey(g.sink), JSON.stringify({ delivery_id: g.delivery_id, alert_id: g.alert_id, dead_letter_id: deadLetterId, error_id: envelope.error_id })]),
  { actor: 'maintenance:deliver_alerts' });
}

/**
 * The sink took an alert: its dead rows get a new budget and are due now,
 * and its `alert_sink_down` alert resolves. Returns the rows revived.
 */
export async function sinkIsBack(db: Db, sink: string, settings: Pick<DeliverySettings, 'maxAttempts'>, now: Date): Promise<number> {
  return db.atomicWrite(async (tx) => {
    const { rowCount } = await tx.query(
      `update ballast.alert_deliveries set status = 'pending', attempts_left = $2, next_attempt_at = $3, finished_at = null
        where sink = $1 and status = 'dead'`, [sink, settings.maxAttempts, now]);
    await tx.query(
      `update ballast.alerts set status = 'resolved', resolved_at = now(), note = coalesce(note, 'the sink took an alert again')
        where dedupe_key = $1 and status <> 'resolved'`, [sinkDownKey(sink)]);
    return rowCount ?? 0;
  }, { actor: 'maintenance:deliver_alerts' });
}


