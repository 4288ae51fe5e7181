/**
 * The webhook receiver: `POST /webhooks/:source`.
 *
 * Order of work: known source (404) -> body within the limit (413) ->
 * signature (401) -> persist the raw body (idempotent on source+webhook-id)
 * -> JSON check (400, the body is kept as a rejected row). Every refusal has a
 * JSON body saying what was wrong, and none of them starts the pipeline.
 * While the database is unavailable it answers 503 with Retry-After, and
 * takes requests again as soon as the database answers (the pool reconnects).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../db/index.ts';
import { createLogger, type Logger } from '../log/index.ts';
import { newSpanId, newTraceId, parseTraceparent, withTrace } from '../trace/index.ts';
import { SignatureError, unixSeconds, verify } from './signature.ts';
import { buildDeadLetter, buildEnvelope, isDatabaseUnavailable, recordFailureSafely, type Redactor } from '../failures/index.ts';

const RECEIVER = { function_name: 'ingest.receiver', function_version: '1.0.0' };

export interface ReceiverOptions {
  db: Db;
  /** Secret per source; a source without one answers 404. */
  secrets: Map<string, string>;
  /** The install's redactor (`redactorFromConfig`): masks what refused requests leave behind. */
  redactor: Redactor;
  /** @defaultValue 1 MiB */
  maxBodyBytes?: number;
  /** @defaultValue `127.0.0.1` */
  host?: string;
  /** 0 picks a free port. @defaultValue `8787` */
  port?: number;
  /** @defaultValue a logger that masks with `redactor` */
  log?: Logger;
  /** Seconds since the epoch that webhook timestamps are checked against. @defaultValue the system clock */
  clock?: () => number;
  /** Retry-After (seconds) of a 503 while the database is unavailable. @defaultValue `5` */
  retryAfterSeconds?: number;
}

export interface Receiver {
  url: string;
  server: http.Server;
  close(): Promise<void>;
}

type Reply = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

const KEPT_HEADERS = ['content-type', 'user-agent', 'traceparent', 'tracestate', 'webhook-id', 'webhook-timestamp'];

class BodyTooLarge extends Error {}

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
    req.on('error', reject);
  });
}

const header = (req: http.IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

export function createHandler(opts: ReceiverOptions): (req: http.IncomingMessage) => Promise<Reply> {
  const { db, secrets, redactor } = opts;
  const limit = opts.maxBodyBytes ?? 1024 * 1024;
  const log = opts.log ?? createLogger(undefined, undefined, redactor);
  const sink = { db, log, redactor };

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
      body = await readBody(req, limit);
    } catch (e) {
      if (e instanceof BodyTooLarge) return { status: 413, body: { error: 'payload_too_large', message: `body exceeds ${limit} bytes` } };
      throw e;
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
      log.warn({ source, code: 'AUTH_FAILED', reason: e.message }, 'webhook signature refused');
      // Unauthenticated input is not stored; the bounded diagnostic counts it.
      void recordFailureSafely(sink, { diagnostic: { ...RECEIVER, log_level: 'warn', code: 'AUTH_FAILED',
        message: `signature refused for source ${source}: ${e.message}`, metadata: { source, webhook_id: header(req, 'webhook-id') ?? null } } });
      return { status: 401, body: { error: 'invalid_signature', message: e.message } };
    }

    const incoming = parseTraceparent(header(req, 'traceparent'));
    const trace = {
      trace_id: incoming?.trace_id ?? newTraceId(),
      span_id: newSpanId(),
      parent_span_id: incoming?.span_id ?? null,
      correlation_id: `${source}:${id}`,
    };
    return withTrace(trace, async () => {
      const raw = body.toString('utf8');
      let payload: unknown = null;
      let reason: string | null = null;
      try {
        payload = JSON.parse(raw);
      } catch (e) {
        reason = `body is not valid JSON: ${(e as Error).message}`;
      }
      const headers = Object.fromEntries(KEPT_HEADERS.flatMap((h) => (req.headers[h] ? [[h, header(req, h)]] : [])));
      const { rows } = await db.query(
        `insert into ingest.webhook_events
           (source, webhook_id, raw_body, payload, headers, trace_id, span_id, correlation_id, status, status_reason)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         on conflict (source, webhook_id) do nothing
         returning id`,
        [source, id, raw, payload === null ? null : JSON.stringify(payload), JSON.stringify(headers),
          trace.trace_id, trace.span_id, trace.correlation_id, reason ? 'rejected' : 'received', reason]);
      if (rows.length === 0) {
        const { rows: [prior] } = await db.query(
          'select id, status, status_reason, trace_id from ingest.delivery_status($1, $2)', [source, id]);
        if (prior?.status === 'rejected') {
          return { status: 400, body: { error: 'malformed_json', message: prior.status_reason, event_id: prior.id } };
        }
        return { status: 200, body: { status: 'duplicate', event_id: prior?.id, webhook_id: id, trace_id: prior?.trace_id } };
      }
      const eventId = rows[0].id;
      if (reason) {
        const envelope = buildEnvelope(redactor, { err: new Error(reason), classification: { errorClass: 'infra.ingest.malformed_body', layer: 'L2' },
          component: 'ingest.receiver', severity: 'error', input: raw, trace, context: { source, event_id: eventId } });
        await recordFailureSafely(sink, {
          envelope,
          diagnostic: { ...RECEIVER, log_level: 'error', code: 'INPUT_INVALID', message: reason, metadata: { source, event_id: eventId, error_id: envelope.error_id } },
          deadLetter: buildDeadLetter(redactor, {
            envelope, failingFunction: 'ingest.receiver', callerFunction: source, key: `event:${eventId}`,
            payload: { event_id: eventId, body_excerpt: raw.slice(0, 200) },
            code: 'INPUT_INVALID', httpStatus: 400, attempt: 1, retryable: false, replayable: false, trace,
            context: { event_id: eventId, note: 'the raw body is kept in ingest.webhook_events' },
          }),
        });
        log.warn({ source, event_id: eventId, code: 'INPUT_INVALID', error_id: envelope.error_id }, 'webhook body is not JSON; kept as rejected');
        return { status: 400, body: { error: 'malformed_json', message: reason, event_id: eventId } };
      }
      log.info({ source, event_id: eventId, webhook_id: id }, 'webhook accepted');
      return { status: 200, body: { status: 'accepted', event_id: eventId, webhook_id: id, trace_id: trace.trace_id } };
    });
  };
}

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const log = opts.log ?? createLogger(undefined, undefined, opts.redactor);
  const handle = createHandler({ ...opts, log });
  const server = http.createServer((req, res) => {
    handle(req)
      .catch((e): Reply => {
        if (isDatabaseUnavailable(e)) {
          // Nothing was stored and nothing can be written down now; the sender retries.
          log.warn({ path: req.url, error: opts.redactor.text(String((e as Error).message)) }, 'database unavailable; answered 503 with Retry-After');
          return { status: 503, headers: { 'retry-after': String(opts.retryAfterSeconds ?? 5) },
            body: { error: 'unavailable', message: 'the database is unavailable; retry later' } };
        }
        const envelope = buildEnvelope(opts.redactor, { err: e, classification: { errorClass: 'infra.ingest.store_failed', layer: 'L2' },
          component: 'ingest.receiver', severity: 'critical', context: { path: req.url } });
        // Most likely the database is down, so this write probably fails too; the log line still carries the id.
        void recordFailureSafely({ db: opts.db, log, redactor: opts.redactor }, { envelope });
        log.error({ error_id: envelope.error_id, error: envelope.message }, 'webhook receiver could not store the event; answered 503');
        return { status: 503, body: { error: 'unavailable', message: 'could not store the event; retry later' } };
      })
      .then(({ status, body, headers }) => {
        if (res.headersSent) return;
        res.writeHead(status, { 'content-type': 'application/json', ...headers, ...(status === 413 ? { connection: 'close' } : {}) });
        res.end(JSON.stringify(body));
      });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n\r\n{"error":"bad_request"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 8787, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
