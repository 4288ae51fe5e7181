/**
 * Trace context: W3C trace ids carried through AsyncLocalStorage.
 *
 * `trace_id` (32 hex) names a workflow, `span_id` (16 hex) one job attempt or
 * request, `correlation_id` the business root (for example `telephony:wh_123`).
 * The logger and every database transaction read the current context.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

export interface TraceContext {
  trace_id: string | null;
  span_id: string;
  parent_span_id: string | null;
  correlation_id: string | null;
  /** Task identifier and version of the running stage, stamped on rows it writes. */
  task?: string;
  task_version?: string;
  model_version?: string | null;
  prompt_version?: string | null;
}

const storage = new AsyncLocalStorage<TraceContext>();

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

// Ids come from a pool of random bytes: one call into the CSPRNG per 256 span
// ids instead of one per id (a span id is made for every job attempt).
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;
function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return /^0+$/.test(hex) ? randomHex(bytes) : hex; // W3C: all zeros is invalid
}

export const newTraceId = (): string => randomHex(16);
export const newSpanId = (): string => randomHex(8);
export const isTraceId = (v: unknown): v is string =>
  typeof v === 'string' && TRACE_ID.test(v) && !/^0+$/.test(v);
export const isSpanId = (v: unknown): v is string =>
  typeof v === 'string' && SPAN_ID.test(v) && !/^0+$/.test(v);

/** The context of the code running now, if any. */
export const currentTrace = (): TraceContext | undefined => storage.getStore();

/** Runs `fn` inside `ctx`. */
export const withTrace = <T>(ctx: TraceContext, fn: () => T): T => storage.run(ctx, fn);

/**
 * Parses a W3C `traceparent` header (`00-<trace>-<span>-<flags>`).
 * Returns null for anything malformed, so a bad header starts a new trace.
 */
export function parseTraceparent(header: string | undefined | null): { trace_id: string; span_id: string } | null {
  if (!header) return null;
  const m = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(header.trim().toLowerCase());
  if (!m || m[1] === 'ff') return null;
  const [, , trace_id, span_id] = m as unknown as [string, string, string, string];
  if (!isTraceId(trace_id) || !isSpanId(span_id)) return null;
  return { trace_id, span_id };
}

export const formatTraceparent = (trace_id: string, span_id: string): string => `00-${trace_id}-${span_id}-01`;
