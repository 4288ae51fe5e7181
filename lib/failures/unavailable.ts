/**
 * "The database is unavailable, retry": the one test for it. A process that
 * sees this keeps running and tries again later (a worker restarts its
 * queue runner, the receiver answers 503 with Retry-After); any other error
 * is the error itself.
 */

// Connection exceptions (08), admin/crash shutdown and "cannot connect now"
// while starting or stopping (57P01-57P03), too many connections (53300).
const PG_UNAVAILABLE = /^(08|57P0[1-3]|53300)/;

// What node-postgres and the socket report when there is no server to talk
// to: refused, reset, timed out, unreachable, or a Unix socket whose file is
// gone while the server restarts (ENOENT on connect).
const SOCKET_UNAVAILABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// node-postgres's own messages for a connection that ended or never came up.
const PG_CLIENT_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;

/** True when `err` says the database could not be reached or went away, as opposed to refusing the statement. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof AggregateError) return err.errors.length > 0 && err.errors.every(isDatabaseUnavailable);
  const e = err as { code?: unknown; syscall?: unknown; message?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  const code = typeof e.code === 'string' ? e.code : '';
  // Socket codes first: EPIPE has the shape of an SQLSTATE too.
  if (SOCKET_UNAVAILABLE.has(code)) return true;
  if (code === 'ENOENT' && e.syscall === 'connect') return true;
  if (/^[0-9A-Z]{5}$/.test(code)) return PG_UNAVAILABLE.test(code);
  if (typeof e.message === 'string' && PG_CLIENT_MESSAGES.test(e.message)) return true;
  return e.cause != null && e.cause !== err && isDatabaseUnavailable(e.cause);
}
