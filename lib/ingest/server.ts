/**
 * The receiver's HTTP server: the handler (receiver.ts) behind the timeouts
 * and the connection cap, with each failure mapped to its answer. A slow or
 * vanished client is a counted debug event (408 when it can still hear it);
 * 503 is kept for "the database is unavailable, retry"; anything else that
 * throws is a 500 with a critical envelope, since it is a bug.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../log/index.ts';
import { buildEnvelope, isDatabaseUnavailable, recordFailureSafely } from '../failures/index.ts';
import { ClientEvents, type ClientEventCounts } from './client-events.ts';
import { createHandler, DEFAULT_LIMITS, definedOnly, type Reply, type ReceiverOptions } from './receiver.ts';

export interface Receiver {
  url: string;
  server: http.Server;
  /** What unauthenticated clients did since the start. */
  clientEvents: ClientEventCounts;
  close(): Promise<void>;
}

export async function startReceiver(opts: ReceiverOptions): Promise<Receiver> {
  const limits = { ...DEFAULT_LIMITS, ...definedOnly(opts) };
  const log = opts.log ?? createLogger(undefined, undefined, opts.redactor);
  const events = opts.clientEvents ?? new ClientEvents(limits.unauthDiagnosticIntervalMs);
  const handle = createHandler({ ...opts, log, clientEvents: events });
  const server = http.createServer({
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // How often node looks for connections past those timeouts: a fraction of the shorter one.
    connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  }, (req, res) => {
    handle(req)
      .catch((e): Reply => {
        if (isDatabaseUnavailable(e)) {
          // Nothing was stored and nothing can be written down now; the sender retries.
          log.warn({ path: req.url, error: opts.redactor.text(String((e as Error).message)) }, 'database unavailable; answered 503 with Retry-After');
          return { status: 503, body: { error: 'unavailable', message: 'the database is unavailable; retry later' } };
        }
        const envelope = buildEnvelope(opts.redactor, { err: e, classification: { errorClass: 'infra.ingest.receiver_failed', layer: 'L2' },
          component: 'ingest.receiver', severity: 'critical', context: { path: req.url } });
        void recordFailureSafely({ db: opts.db, log, redactor: opts.redactor, door: 'ingest.record_failure' }, { envelope });
        log.error({ error_id: envelope.error_id, error: envelope.message }, 'webhook receiver failed; answered 500');
        return { status: 500, body: { error: 'internal_error', message: 'the receiver failed; see the error envelope', error_id: envelope.error_id } };
      })
      .then((reply) => {
        if (reply === null) {
          if (!answered.has(req.socket)) events.note('aborted', false);
          log.debug({ path: req.url }, 'client went away before its body arrived');
          res.destroy();
          return;
        }
        if (res.headersSent || res.destroyed) return;
        const { status, body } = reply;
        res.writeHead(status, { 'content-type': 'application/json', ...(status === 413 ? { connection: 'close' } : {}), ...(status === 503 ? { 'retry-after': String(opts.retryAfterSeconds ?? 5) } : {}) });
        res.end(JSON.stringify(body));
      });
  });
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  server.on('drop', () => {
    events.note('dropped', false);
    log.debug({ max_connections: limits.maxConnections }, 'connection refused at the cap');
  });
  // Sockets this handler answered (timeouts, bad HTTP): their request handler must not count an abort too.
  const answered = new WeakSet<object>();
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    answered.add(socket);
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    // A client that closes mid-message shows as a parse error at EOF.
    const gone = !socket.writable || err.code === 'ECONNRESET' || err.code === 'HPE_INVALID_EOF_STATE';
    const kind = timedOut ? 'timed_out' : gone ? 'aborted' : 'bad_request';
    events.note(kind, false);
    log.debug({ kind, code: err.code }, kind === 'aborted' ? 'client went away mid-request' : 'client error');
    const inFlight = (socket as { _httpMessage?: http.ServerResponse })._httpMessage;
    if (gone || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const [status, text, error] = timedOut ? [408, 'Request Timeout', 'request_timeout']
      : err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'headers_too_large'] : [400, 'Bad Request', 'bad_request'];
    const json = JSON.stringify({ error, message: timedOut ? 'the request did not arrive in time' : 'the request is not valid HTTP' });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(json)}\r\n\r\n${json}`,
      () => socket.destroy());
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
    clientEvents: events.totals,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
