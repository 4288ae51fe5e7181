/**
 * Writing one delivery into the inbox. Everything its constraints check is
 * checked before (body.ts, the id length), so the database never refuses the
 * row and never prints a row's values into its log. Should it still refuse
 * one deterministically (a data or integrity error, or a program limit), the
 * body is the client's problem, not an outage: it is kept as a `rejected`
 * row holding the bytes, and the caller answers 400.
 */
import type { Db } from '../db/index.ts';

export interface InboxRow {
  source: string;
  webhookId: string;
  /** The body as text when it is storable exactly, else null (then `bytes` are kept). */
  text: string | null;
  bytes: Buffer;
  /** Whether PostgreSQL should parse `text` into `payload` (only for bodies that passed every check). */
  parse: boolean;
  headers: Record<string, unknown>;
  trace: { trace_id: string; span_id: string; correlation_id: string };
  /** Why the row is rejected; null for a received event. */
  reason: string | null;
}

export type Stored =
  | { kind: 'stored'; id: string; reason: string | null }
  /**
   * An id stored before: the first delivery won. `conflictId` names the
   * ingest.redelivery_conflicts row keeping this body when its bytes differ
   * from the first delivery's; null when they are the same.
   */
  | { kind: 'duplicate'; id: string; status: string; reason: string | null; trace_id: string; conflictId: string | null }
  /** Not even a rejected row could be written; `reason` says why. */
  | { kind: 'unstorable'; reason: string };

const sqlstate = (e: unknown): string => String((e as { code?: unknown })?.code ?? '');

/** Errors the same statement would raise again: data exceptions, integrity errors (not a unique race), program limits. */
export const isDeterministic = (e: unknown): boolean => /^(22|23|54)/.test(sqlstate(e)) && sqlstate(e) !== '23505';

const COLUMNS = 11;
/** One row's values; `$3` (the text) is sent once and parsed into `payload` by PostgreSQL when `$5` says so. */
const rowSql = (i: number) => {
  const p = (n: number) => `$${i * COLUMNS + n}`;
  return `(${p(1)}, ${p(2)}, ${p(3)}::text, ${p(4)}::bytea, case when ${p(5)}::boolean then ${p(3)}::text::jsonb end, `
    + `${p(6)}::jsonb, ${p(7)}, ${p(8)}, ${p(9)}, ${p(10)}, ${p(11)})`;
};

/** The INSERT of `n` inbox rows, returning what identifies each row stored (a duplicate is skipped by the key trigger). */
export const insertSql = (n: number): string => `insert into ingest.webhook_events
  (source, webhook_id, raw_body, raw_bytes, payload, headers, trace_id, span_id, correlation_id, status, status_reason)
  values ${Array.from({ length: n }, (_, i) => rowSql(i)).join(', ')}
  returning id, source, webhook_id`;

/** The values of one row of `insertSql`; `keepBytes` keeps the body as bytes rather than text. */
export function inboxValues(r: InboxRow, keepBytes = r.text === null): unknown[] {
  return [r.source, r.webhookId, keepBytes ? null : r.text, keepBytes ? r.bytes : null, !keepBytes && r.parse,
    JSON.stringify(r.headers), r.trace.trace_id, r.trace.span_id, r.trace.correlation_id, r.reason ? 'rejected' : 'received', r.reason];
}

async function insert(db: Db, r: InboxRow, keepBytes: boolean): Promise<string | null> {
  const { rows } = await db.query(insertSql(1), inboxValues(r, keepBytes));
  return rows[0]?.id ?? null;
}

/** Stores a delivery, or finds the one stored under its id before. Throws only what is not the client's fault. */
export async function storeDelivery(db: Db, r: InboxRow): Promise<Stored> {
  let id: string | null;
  let reason = r.reason;
  try {
    id = await insert(db, r, r.text === null);
  } catch (e) {
    if (!isDeterministic(e)) throw e;
    // The error's message may quote the body: keep only its SQLSTATE.
    reason = `the database refused the body (SQLSTATE ${sqlstate(e)}); it is kept as bytes`;
    try {
      id = await insert(db, { ...r, reason }, true);
    } catch (e2) {
      if (!isDeterministic(e2)) throw e2;
      return { kind: 'unstorable', reason: `the database refused the delivery (SQLSTATE ${sqlstate(e2)})` };
    }
  }
  if (id !== null) return { kind: 'stored', id, reason };
  return (await noteRedeliveries(db, [r]))[0]!;
}

/**
 * The duplicate path, for deliveries whose id was stored before: each gets
 * the first delivery's status, and a body whose bytes differ from the first
 * delivery's is kept in ingest.redelivery_conflicts (ingest.note_redelivery,
 * 029_redelivery_conflicts; the same body again is counted there). One
 * statement for any number of deliveries; results in their order.
 */
export async function noteRedeliveries(db: Db, rows: InboxRow[]): Promise<Stored[]> {
  const { rows: found } = await db.query(
    `select k.i, d.id, d.status, d.status_reason, d.trace_id, d.conflict_id
       from unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[], $6::text[], $7::text[])
              with ordinality as k(source, webhook_id, raw_body, raw_bytes, headers, trace_id, span_id, i)
      cross join lateral ingest.note_redelivery(k.source, k.webhook_id, k.raw_body, k.raw_bytes, k.headers, k.trace_id, k.span_id) d
      order by k.i`,
    [rows.map((r) => r.source), rows.map((r) => r.webhookId), rows.map((r) => r.text), rows.map((r) => (r.text === null ? r.bytes : null)),
      rows.map((r) => JSON.stringify(r.headers)), rows.map((r) => r.trace.trace_id), rows.map((r) => r.trace.span_id)]);
  const byIndex = new Map(found.map((p) => [Number(p.i), p]));
  return rows.map((_, i) => {
    const p = byIndex.get(i + 1);
    return { kind: 'duplicate', id: p?.id, status: p?.status, reason: p?.status_reason ?? null, trace_id: p?.trace_id, conflictId: p?.conflict_id ?? null };
  });
}
