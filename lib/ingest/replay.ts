/**
 * Inbox replay: events go back to `received` and `normalize_event` is
 * enqueued again on each event's original trace, under a new span
 * (`ingest.replay_events`, 032_replay_rejected.sql). The stages replace their
 * outputs, so a replay never duplicates an interaction or a decision. Every
 * replayed event leaves an audit row (the inbox is audited) naming the
 * operator, the reason and the replay's span.
 *
 * A rejected event is replayed only when its stored body passes the
 * receiver's own body checks today (body.ts `inspectBody`, without a
 * Content-Type or Content-Encoding: the operator vouches for them); its payload is then
 * PostgreSQL's parse of the stored text, and the receiver's dead letter of
 * the refusal is resolved with the note. One whose body still fails stays
 * rejected, untouched, and is reported with the reason.
 */
import type { Db } from '../db/index.ts';
import { inspectBody } from './body.ts';
import { DEFAULT_LIMITS } from './receiver.ts';

/** Statuses an event can be replayed from: those a pipeline run has finished with, and rejected (when its body passes the checks now). */
export const REPLAYABLE_STATUSES = ['quarantined', 'completed', 'rejected'] as const;
export type ReplayableStatus = (typeof REPLAYABLE_STATUSES)[number];

export interface ReplayFilter {
  status: ReplayableStatus;
  /** Quarantine reason code(s): `unknown_phone`, `agent_suspended`, `unsupported_event_type`, `not_an_object`, `usage_blocked`, ... */
  reason?: string | readonly string[] | undefined;
  /** Only events received at or after this. */
  since?: Date | undefined;
  /** Only events for this number (our side: ingest.event_number()). */
  number?: string | undefined;
  /** At most this many, oldest first. @defaultValue no limit */
  limit?: number | undefined;
}

export interface ReplayCandidate {
  id: number;
  received_at: Date;
  event_type: string | null;
  status: string;
  status_reason: string | null;
}

/**
 * The events a filter selects, oldest first. Events whose unknown number an
 * operator dismissed (app.unknown_phone) are left out; name them by id to
 * replay them anyway.
 */
export async function findReplayable(db: Db, f: ReplayFilter): Promise<ReplayCandidate[]> {
  if (!(REPLAYABLE_STATUSES as readonly string[]).includes(f.status)) {
    throw new Error(`--status must be one of ${REPLAYABLE_STATUSES.join(', ')}, got "${f.status}"`);
  }
  if (f.status === 'rejected' && (f.reason !== undefined || f.number !== undefined)) {
    throw new Error('--reason and --number are read from a parsed body (a quarantine reason code, the number); a rejected event has neither');
  }
  const reasons = f.reason === undefined ? null : typeof f.reason === 'string' ? [f.reason] : [...f.reason];
  for (const r of reasons ?? []) {
    if (!/^[a-z][a-z0-9_]*$/.test(r)) throw new Error(`--reason is a reason code like unknown_phone or usage_blocked, got "${r}"`);
  }
  const { rows } = await db.readOnly((tx) => tx.query(
    `select e.id, e.received_at, e.event_type, e.status, e.status_reason
       from ingest.webhook_events e
      where e.status = $1
        and ($2::text[] is null or ingest.reason_code(e.status_reason) = any ($2))
        and ($3::timestamptz is null or e.received_at >= $3)
        and ($4::text is null or ingest.event_number(e.payload) = $4)
        and not exists (select 1 from app.unknown_phone u where u.event_id = e.id and u.resolution = 'dismissed')
      order by e.id
      limit $5`,
    [f.status, reasons, f.since ?? null, f.number ?? null, f.limit ?? null]));
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

export interface ReplayOptions {
  /** Who asks (`cli:<user>`): the audit rows' actor, and `resolved_by` of the unknown numbers it resolves. */
  actor: string;
  /** Why; every audit row records it. */
  note: string;
  /** Events per transaction. @defaultValue `200` */
  batchSize?: number;
  /** The receiver's nesting limit, which a rejected event's body must pass. @defaultValue `64` (BALLAST_MAX_JSON_DEPTH) */
  maxJsonDepth?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ReplayResult {
  /** Back in the pipeline, with the span each replay was given. */
  replayed: { id: number; span_id: string }[];
  /**
   * Found but not replayable, with the status that prevented it: received or
   * processing (still in the pipeline), failed (a dead letter to requeue), or
   * rejected with the reason its body is still refused.
   */
  skipped: { id: number; status: string; reason?: string }[];
  notFound: number[];
}

/** A store to read from: a Db or an open transaction. */
interface Queryable { query(text: string, values?: unknown[]): Promise<{ rows: any[] }> }

/**
 * Why each rejected event among `ids` would stay rejected: its body is kept
 * as bytes, or fails the receiver's body checks (body.ts). A rejected event
 * whose body passes them, and any event not rejected, is absent.
 */
export async function whyStillRejected(db: Queryable, ids: readonly number[], maxJsonDepth = DEFAULT_LIMITS.maxJsonDepth): Promise<Map<number, string>> {
  const { rows } = await db.query(
    `select id, raw_body from ingest.webhook_events where id = any ($1::bigint[]) and status = 'rejected'`, [ids]);
  const why = new Map<number, string>();
  for (const r of rows) {
    if (r.raw_body === null) {
      why.set(Number(r.id), 'its body is kept as bytes, not as UTF-8 text; only a text body can be replayed');
      continue;
    }
    const inspected = inspectBody(Buffer.from(r.raw_body, 'utf8'), maxJsonDepth);
    if (!inspected.ok) why.set(Number(r.id), inspected.problem.message);
  }
  return why;
}

/** Replays the events `ids`, in batches of one transaction each. */
export async function replayEvents(db: Db, ids: readonly number[], opts: ReplayOptions): Promise<ReplayResult> {
  if (!opts.note.trim()) throw new Error('a replay needs a note saying why (it is recorded in the audit ledger)');
  const result: ReplayResult = { replayed: [], skipped: [], notFound: [] };
  const size = opts.batchSize ?? 200;
  for (let i = 0; i < ids.length; i += size) {
    const batch = ids.slice(i, i + size);
    const { rows, refused } = await db.atomicWrite(async (tx) => {
      // Bodies never change, so what is checked here is what the function parses.
      const refused = await whyStillRejected(tx, batch, opts.maxJsonDepth);
      const { rows } = await tx.query<{ event_id: string; outcome: string; span_id: string | null; reason: string | null }>(
        'select event_id, outcome, span_id, reason from ingest.replay_events($1::bigint[], $2, $3)',
        [batch.filter((id) => !refused.has(id)), opts.actor, opts.note]);
      return { rows, refused };
    }, { actor: opts.actor, reason: `inbox replay: ${opts.note}` });
    const seen = new Set<number>(refused.keys());
    for (const [id, reason] of refused) result.skipped.push({ id, status: 'rejected', reason });
    for (const r of rows) {
      const id = Number(r.event_id);
      seen.add(id);
      if (r.outcome === 'replayed') result.replayed.push({ id, span_id: r.span_id! });
      else result.skipped.push({ id, status: r.outcome, ...(r.reason ? { reason: r.reason } : {}) });
    }
    for (const id of batch) if (!seen.has(id)) result.notFound.push(id);
    opts.onProgress?.(Math.min(i + size, ids.length), ids.length);
  }
  result.skipped.sort((a, b) => a.id - b.id);
  return result;
}
