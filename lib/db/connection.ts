/**
 * What to say when a connection to the database fails: where it was tried
 * (host, port and database, never the user or the password) and why.
 */
import { ConfigError } from '../config/index.ts';
import { isDatabaseUnavailable } from '../failures/unavailable.ts';

/** host:port/database of `url`: where, never who or with what password. */
export function describeTarget(url: string): string {
  const u = new URL(url);
  return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
}

// The server refused the login: a wrong password (28P01), no pg_hba.conf
// entry or an unknown user (28000), no such database (3D000).
const LOGIN_REFUSED = new Set(['28P01', '28000', '3D000']);

/**
 * The error to show for `e` when it says the database `where` names (e.g.
 * `at db.example.com:5432/ballast (DATABASE_URL)`) could not be reached, or
 * refused the login; that one is a ConfigError, since retrying cannot help.
 * Any other error is returned as it is.
 */
export function explainConnectionFailure(e: unknown, where: string): unknown {
  const err = e as { code?: unknown; syscall?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : '';
  const why = typeof err?.message === 'string' && err.message ? err.message : code;
  if (LOGIN_REFUSED.has(code)) return new ConfigError(`the database ${where} refused the connection: ${why}`, { cause: e });
  // node-postgres throws its connection errors as they are; an error that only
  // wraps one (a failed fetch of the search engine) is about something else.
  const own = { code: err?.code, syscall: err?.syscall, message: err?.message };
  if (isDatabaseUnavailable(own) || (code === 'ENOTFOUND' && err?.syscall === 'getaddrinfo')) {
    return new Error(`the database ${where} is unavailable: ${why}`, { cause: e });
  }
  return e;
}
