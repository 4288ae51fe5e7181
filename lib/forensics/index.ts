/**
 * Named, read-only forensic queries from `sql/forensics/*.sql`, and the
 * trace timeline built on them. Operators can run the same files in psql.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/index.ts';

export const FORENSICS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql/forensics');

const cache = new Map<string, string>();

/** The text of `sql/forensics/<name>.sql`. */
export function namedQuery(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad query name ${name}`);
    text = fs.readFileSync(path.join(FORENSICS_DIR, `${name}.sql`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Runs a named query in a READ_ONLY transaction. */
export async function runNamed<R extends Record<string, any> = Record<string, any>>(db: Db, name: string, params: unknown[] = []): Promise<R[]> {
  return db.readOnly(async (tx) => (await tx.query<R>(namedQuery(name), params)).rows);
}

export interface TimelineRow { at: Date; kind: string; name: string; status: string | null; detail: Record<string, unknown> }

export async function resolveTraceIds(db: Db, id: string): Promise<string[]> {
  return (await runNamed<{ trace_id: string }>(db, 'resolve_trace', [id])).map((r) => r.trace_id);
}

/**
 * Since when a trace can have rows (`trace_window.sql`), or null for an
 * unknown trace. The trace recipes take it as their second parameter: with
 * it, the planner reads only the partitions from then on.
 */
export async function traceSince(db: Db, traceId: string): Promise<Date | null> {
  return (await runNamed<{ since: Date | null }>(db, 'trace_window', [traceId]))[0]?.since ?? null;
}

/** The trace's timeline with its failures (envelopes, dead letters) merged in by time. */
export async function traceTimeline(db: Db, traceId: string): Promise<TimelineRow[]> {
  const since = await traceSince(db, traceId);
  const [rows, failures] = await Promise.all([
    runNamed<TimelineRow>(db, 'trace_timeline', [traceId, since]),
    runNamed<TimelineRow>(db, 'trace_failures', [traceId, since]),
  ]);
  return [...rows, ...failures].sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime());
}

// Detail keys in reading order; jsonb sorts keys its own way.
const KEY_ORDER = ['error_id', 'error_class', 'error_code', 'message', 'event_id', 'webhook_id', 'correlation_id', 'job_id', 'attempt', 'attempts', 'ms', 'error', 'will_retry',
  'last_error', 'run_at', 'id', 'interaction_id', 'rows', 'kind', 'kinds', 'flags', 'summary', 'reason', 'stages_done',
  'produced_by', 'producer_version', 'version', 'model_version', 'prompt_version', 'span_id', 'parent_span_id', 'worker_id'];
const rank = (k: string) => { const i = KEY_ORDER.indexOf(k); return i < 0 ? KEY_ORDER.length : i; };

/** Human-readable timeline, one line per row, times relative to the first. */
export function formatTimeline(traceId: string, rows: TimelineRow[]): string {
  if (rows.length === 0) return `trace ${traceId}: nothing recorded`;
  const t0 = new Date(rows[0]!.at).getTime();
  const lines = [`trace ${traceId}`];
  for (const r of rows) {
    const dt = `+${((new Date(r.at).getTime() - t0) / 1000).toFixed(3)}s`.padStart(10);
    const detail = Object.entries(r.detail ?? {})
      .sort(([a], [b]) => rank(a) - rank(b))
      .filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      .join(' ');
    lines.push(`${dt}  ${r.kind.padEnd(11)} ${r.name.padEnd(24)} ${(r.status ?? '').padEnd(12)} ${detail}`);
  }
  return lines.join('\n');
}
