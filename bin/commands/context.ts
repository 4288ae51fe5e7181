/** What every command needs: config, and a database it closes when done. */
import { loadConfig, type Config } from '../../lib/config/index.ts';
import { Db, roleForCommand, withRole, type DbRole } from '../../lib/db/index.ts';
import { resolveDatabase, type DatabaseHandle } from '../../lib/embedded/index.ts';
import { redactorFromConfig, type Redactor } from '../../lib/failures/index.ts';
import { createLogger, type Logger } from '../../lib/log/index.ts';

export interface Session {
  config: Config;
  handle: DatabaseHandle;
  /** The role the command declared (COMMAND_ROLES), which `db` acts as. */
  role: DbRole;
  db: Db;
  /** The install's redactor, built from config. */
  redactor: Redactor;
  /** A logger that masks with `redactor`. */
  log: Logger;
  close(): Promise<void>;
}

/**
 * `db` acts as the role the command declared (COMMAND_ROLES in
 * lib/db/roles.ts; the least privileged one if it declared none);
 * `handle.url` stays the login user's, for migrations. `config`: one the
 * command already loaded (default: loadConfig()). `childServer`: an embedded
 * server this process starts runs as its child (`ballast up` watches it).
 */
export async function openSession(opts: { poolSize?: number; role?: DbRole; config?: Config; childServer?: boolean } = {}): Promise<Session> {
  const config = opts.config ?? loadConfig();
  const redactor = redactorFromConfig(config);
  const handle = await resolveDatabase(config, { child: opts.childServer ?? false });
  const role = opts.role ?? roleForCommand(process.argv[2], process.argv[3]);
  const db = new Db({ connectionString: withRole(handle.url, role), max: opts.poolSize ?? 4, actor: config.BALLAST_ACTOR, applicationName: `ballast ${process.argv[2] ?? ''}`.trim() });
  return {
    config, handle, role, db, redactor, log: createLogger(config.LOG_LEVEL, undefined, redactor),
    async close() {
      await db.close().catch(() => undefined);
      await handle.release();
    },
  };
}

/** Runs `fn` with a session and always closes it. */
export async function withSession<T>(fn: (s: Session) => Promise<T>, opts?: { poolSize?: number; role?: DbRole }): Promise<T> {
  const s = await openSession(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Resolves on the first SIGINT/SIGTERM; a second one runs `onSecond` (which must not wait) and exits at once. */
export function untilSignal(onSecond?: () => void): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let got = false;
    const on = (sig: NodeJS.Signals) => {
      if (got) {
        onSecond?.();
        process.exit(1);
      }
      got = true;
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
