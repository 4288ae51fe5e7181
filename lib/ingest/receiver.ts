/**
 * The webhook receiver: `POST /webhooks/:source`.
 *
 * Order of work: known source (404) -> body within the limit (413) ->
 * signature (401) -> webhook-id within the inbox's limit (400, an envelope
 * says why) -> Content-Encoding, Content-Type and body checks (body.ts) -> persist the raw body (idempotent on
 * source+webhook-id; concurrent deliveries share one INSERT, group-commit.ts;
 * a re-delivery whose body differs from the first is answered as a duplicate
 * and its body kept in ingest.redelivery_conflicts, store.ts);
 * a body that can never succeed is kept as a `rejected` row and answered 400,
 * or 415 when its Content-Type is not JSON in UTF-8 or it has a Content-Encoding.
 * Every refusal has a JSON body saying what was wrong, and none of them
 * starts the pipeline. 503 means only "the database is unavailable, retry".
 *
 * Unauthenticated clients cost little: their failures are counted and
 * written as sampled diagnostics (client-events.ts), a client that goes away
 * is a debug line, and slow clients meet the timeouts and the connection cap
 * of `startReceiver`.
 */
import type http from 'node:http';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import { createLogger, traceFields, type Logger } from '../log/index.ts';
import { newSpanId, newTraceId, parseTraceparent } from '../trace/index.ts';
import { SignatureError, unixSeconds, verify } from './signature.ts';
import { ACCEPTED_MEDIA_TYPES, bodyExcerpt, inspectBody, MAX_WEBHOOK_ID_LENGTH } from './body.ts';
import { ClientEvents } from './client-events.ts';
import { GroupCommit } from './group-commit.ts';
import { buildDeadLetter, buildEnvelope, recordFailureSafely, type Redactor } from '../failures/index.ts';

const RECEIVER = { function_name: 'ingest.receiver', function_version: '1.1.0' };

/** What the receiver accepts and how long it waits; every field comes from lib/config (`receiverLimits`). */
export interface ReceiverLimits {
  /** @defaultValue 1 MiB (BALLAST_MAX_BODY_BYTES) */
  maxBodyBytes?: number;
  /** @defaultValue 64 (BALLAST_MAX_JSON_DEPTH) */
  maxJsonDepth?: number;
  /** @defaultValue 10 s (BALLAST_HTTP_HEADERS_TIMEOUT_MS) */
  headersTimeoutMs?: number;
  /** @defaultValue 20 s (BALLAST_HTTP_REQUEST_TIMEOUT_MS) */
  requestTimeoutMs?: number;
  /** @defaultValue 5 s (BALLAST_HTTP_KEEPALIVE_TIMEOUT_MS) */
  keepAliveTimeoutMs?: number;
  /** @defaultValue 512 (BALLAST_HTTP_MAX_CONNECTIONS) */
  maxConnections?: number;
  /** @defaultValue 60 s (BALLAST_UNAUTH_DIAGNOSTIC_INTERVAL_MS) */
  unauthDiagnosticIntervalMs?: number;
}

/** The configured limits. */
export function receiverLimits(c: Pick<Config, 'BALLAST_MAX_BODY_BYTES' | 'BALLAST_MAX_JSON_DEPTH' | 'BALLAST_HTTP_HEADERS_TIMEOUT_MS'
  | 'BALLAST_HTTP_REQUEST_TIMEOUT_MS' | 'BALLAST_HTTP_KEEPALIVE_TIMEOUT_MS' | 'BALLAST_HTTP_MAX_CONNECTIONS' | 'BALLAST_UNAUTH_DIAGNOSTIC_INTERVAL_MS'>): Required<ReceiverLimits> {
  return {
    maxBodyBytes: c.BALLAST_MAX_BODY_BYTES, maxJsonDepth: c.BALLAST_MAX_JSON_DEPTH,
    headersTimeoutMs: c.BALLAST_HTTP_HEADERS_TIMEOUT_MS, requestTimeoutMs: c.BALLAST_HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: c.BALLAST_HTTP_KEEPALIVE_TIMEOUT_MS, maxConnections: c.BALLAST_HTTP_MAX_CONNECTIONS,
    unauthDiagnosticIntervalMs: c.BALLAST_UNAUTH_DIAGNOSTIC_INTERVAL_MS,
  };
}

export const DEFAULT_LIMITS: Required<ReceiverLimits> = {
  maxBodyBytes: 1024 * 1024, maxJsonDepth: 64, headersTimeoutMs: 10_000, requestTimeoutMs: 20_000,
  keepAliveTimeoutMs: 5_000, maxConnections: 512, unauthDiagnosticIntervalMs: 60_000,
};

export interface ReceiverOptions extends ReceiverLimits {
  db: Db;
  /** Secret per source; a source without one answers 404. */
  secrets: Map<string, string>;
  /** The install's redactor (`redactorFromConfig`): masks what refused requests leave behind. */
  redactor: Redactor;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** 0 picks a free port. @defaultValue `8787` */
  port?: number;
  /** @defaultValue a logger that masks with `redactor` */
  log?: Logger;
  /** Seconds since the epoch that webhook timestamps are checked against. @defaultValue the system clock */
  clock?: () => number;
  /** Counts of unauthenticated client events, shared with the server. @defaultValue a new one */
  clientEvents?: ClientEvents;
  /** Retry-After (seconds) of a 503 while the database is unavailable. @defaultValue `5` */
  retryAfterSeconds?: number;
}


export type Reply = { status: number; body: Record<string, unknown> };

const KEPT_HEADERS = ['content-type', 'content-encoding', 'user-agent', 'traceparent', 'tracestate', 'webhook-id', 'webhook-timestamp'];

class BodyTooLarge extends Error {}
/** The client went away (or was timed out) before its body arrived: nobody to answer. */
class ClientAborted extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => reject(new ClientAborted()));
    req.on('close', () => { if (!req.complete) reject(new ClientAborted()); });
  });
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function createHandler(opts: ReceiverOptions): (req: http.IncomingMessage) => Promise<Reply | null> {
  const { db, secrets, redactor } = opts;
  const limits = { ...DEFAULT_LIMITS, ...definedOnly(opts) };
  const log = opts.log ?? createLogger(undefined, undefined, redactor);
  const events = opts.clientEvents ?? new ClientEvents(limits.unauthDiagnosticIntervalMs);
  const sink = { db, log, redactor, door: 'ingest.record_failure' } as const;
  const inbox = new GroupCommit(db);

  /** An unauthenticated failure: counted; now and then a diagnostic row with the counts since the last one. */
  const unauthenticated = (kind: 'auth_failed' | 'too_large', source: string, message: string) => {
    const counts = events.note(kind, true);
    if (!counts) {
      log.debug({ source, kind }, message);
      return;
    }
    log.warn({ source, kind, counts }, `${message} (sampled; counts since the last diagnostic)`);
    void recordFailureSafely(sink, { diagnostic: { ...RECEIVER, log_level: 'warn', code: kind === 'auth_failed' ? 'AUTH_FAILED' : 'INPUT_INVALID',
      message: `${message} (source ${source})`, metadata: { source, sampled: true, counts_since_last: counts } } });
  };

  return async (req) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/healthz') {
      await db.query('select 1');
      return { status: 200, body: { ok: true } };
    }
    const m = /^\/webhooks\/([a-z0-9][a-z0-9_-]{0,62})\/?$/.exec(url.pathname);
    if (!m) return { status: 404, body: { error: 'not_found', message: 'POST /webhooks/:source' } };
    if (req.method !== 'POST') return { status: 405, body: { error: 'method_not_allowed', message: 'use POST' } };
    const source = m[1]!;
    const secret = secrets.get(source);
    if (!secret) return { status: 404, body: { error: 'unknown_source', message: `no webhook secret is configured for source "${source}"` } };

    let body: Buffer;
    try {
      body = await readBody(req, limits.maxBodyBytes);
    } catch (e) {
      if (e instanceof ClientAborted) return null;
      if (!(e instanceof BodyTooLarge)) throw e;
      unauthenticated('too_large', source, `webhook body over ${limits.maxBodyBytes} bytes refused`);
      return { status: 413, body: { error: 'payload_too_large', message: `body exceeds ${limits.maxBodyBytes} bytes` } };
    }

    let id: string;
    try {
      ({ id } = verify(secret, {
        'webhook-id': header(req, 'webhook-id'),
        'webhook-timestamp': header(req, 'webhook-timestamp'),
        'webhook-signature': header(req, 'webhook-signature'),
      }, body, (opts.clock ?? unixSeconds)()));
    } catch (e) {
      if (!(e instanceof SignatureError)) throw e;
      unauthenticated('auth_failed', source, `webhook signature refused: ${e.message}`);
      return { status: 401, body: { error: 'invalid_signature', message: e.message } };
    }

    const incoming = parseTraceparent(header(req, 'traceparent'));
    const trace = {
      trace_id: incoming?.trace_id ?? newTraceId(),
      span_id: newSpanId(),
      parent_span_id: incoming?.span_id ?? null,
      correlation_id: `${source}:${id}`,
    };
    // The trace goes into the row and the log lines explicitly, not through
    // AsyncLocalStorage: on Node 20 its promise hooks, once on, tax every
    // promise of the process (docs/performance.md, "The receiver without AsyncLocalStorage").
    // A child's bindings skip the logger's formatters, so they are masked here.
    const traced = () => log.child(redactor.value(traceFields(trace)));
    if (id.length > MAX_WEBHOOK_ID_LENGTH) {
      // Nothing can be kept: the id is the inbox's key. The envelope says why.
      const message = `webhook-id is ${id.length} characters; at most ${MAX_WEBHOOK_ID_LENGTH} are accepted`;
      const envelope = buildEnvelope(redactor, { err: new Error(message), classification: { errorClass: 'infra.ingest.rejected_delivery', layer: 'L2' },
        component: 'ingest.receiver', severity: 'warning', trace: { ...trace, correlation_id: null },
        context: { source, webhook_id_length: id.length, webhook_id_prefix: id.slice(0, 32), body_bytes: body.length, kept: false } });
      const tlog = traced();
      await recordFailureSafely({ ...sink, log: tlog }, { envelope });
      tlog.warn({ source, error_id: envelope.error_id }, message);
      return { status: 400, body: { error: 'webhook_id_too_long', message, error_id: envelope.error_id } };
    }
    const inspected = inspectBody(body, limits.maxJsonDepth, header(req, 'content-type'), header(req, 'content-encoding'));
    const headers = Object.fromEntries(KEPT_HEADERS.flatMap((h) => (req.headers[h] ? [[h, header(req, h)]] : [])));
    const stored = await inbox.store({
      source, webhookId: id, text: inspected.text, bytes: body, parse: inspected.ok, headers, trace,
      reason: inspected.ok ? null : inspected.problem.message,
    });
    if (stored.kind === 'duplicate') {
      // The first delivery wins either way; a body that differs from it is kept and named, so the sender's log shows where.
      const differs = stored.conflictId === null ? {} : { body_differs: true, conflict_id: stored.conflictId };
      if (stored.conflictId !== null) {
        traced().info({ source, event_id: stored.id, webhook_id: id, conflict_id: stored.conflictId },
          're-delivery with a different body: the first delivery stands; this body is kept in ingest.redelivery_conflicts');
      }
      if (stored.status === 'rejected') return { status: 400, body: { error: 'rejected', message: stored.reason, event_id: stored.id, ...differs } };
      return { status: 200, body: { status: 'duplicate', event_id: stored.id, webhook_id: id, trace_id: stored.trace_id, ...differs } };
    }
    if (stored.kind === 'stored' && stored.reason === null) {
      // The inbox row (with its trace id) is the record of an accepted delivery; this line is for debugging.
      if (log.isLevelEnabled('debug')) traced().debug({ source, event_id: stored.id, webhook_id: id }, 'webhook accepted');
      return { status: 200, body: { status: 'accepted', event_id: stored.id, webhook_id: id, trace_id: trace.trace_id } };
    }
    const error = inspected.ok || stored.kind === 'unstorable' ? 'unstorable_body' : inspected.problem.error;
    const eventId = stored.kind === 'stored' ? stored.id : null;
    const reason = stored.reason!;
    // A Content-Type or Content-Encoding the receiver does not take is 415 (RFC 9110); the answer names the types it takes.
    const status = error === 'unsupported_media_type' ? 415 : 400;
    const errorClass = status === 415 ? 'infra.ingest.unsupported_media_type' : 'infra.ingest.malformed_body';
    const envelope = buildEnvelope(redactor, { err: new Error(reason), classification: { errorClass, layer: 'L2' },
      component: 'ingest.receiver', severity: 'error', trace, context: { source, event_id: eventId, reason: error, kept: eventId !== null } });
    // The excerpt is raw text: the text masks (patterns and key-like "password":"..." pairs) apply to it.
    const excerpt = redactor.text(bodyExcerpt(body, inspected.text)).slice(0, 200);
    const tlog = traced();
    await recordFailureSafely({ ...sink, log: tlog }, {
      envelope,
      diagnostic: { ...RECEIVER, log_level: 'error', code: 'INPUT_INVALID', message: reason, metadata: { source, event_id: eventId, error_id: envelope.error_id } },
      deadLetter: eventId === null ? null : buildDeadLetter(redactor, {
        envelope, failingFunction: 'ingest.receiver', callerFunction: source, key: `event:${eventId}`,
        payload: { event_id: eventId, body_excerpt: excerpt },
        code: 'INPUT_INVALID', httpStatus: status, attempt: 1, retryable: false, replayable: false, trace,
        context: { event_id: eventId, note: 'the raw body is kept in ingest.webhook_events' },
      }),
    });
    tlog.warn({ source, event_id: eventId, code: 'INPUT_INVALID', error_id: envelope.error_id, reason: error }, 'webhook body refused; kept as rejected');
    return { status, body: { error, message: reason, event_id: eventId, ...(status === 415 ? { accepted: ACCEPTED_MEDIA_TYPES } : {}) } };
  };
}

export function definedOnly(o: ReceiverLimits): ReceiverLimits {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k in DEFAULT_LIMITS));
}
