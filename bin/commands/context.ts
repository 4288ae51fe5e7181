/** What every command needs: config, and a database it closes when done. */
import { loadConfig, type Config } from '../../lib/config/index.ts';
import { Db, resolveDatabase, type DatabaseHandle } from '../../lib/db/index.ts';

export interface Session { config: Config; handle: DatabaseHandle; db: Db; close(): Promise<void> }

export async function openSession(opts: { poolSize?: number } = {}): Promise<Session> {
  const config = loadConfig();
  const handle = await resolveDatabase(config);
  const db = new Db({ connectionString: handle.url, max: opts.poolSize ?? 4, applicationName: `ballast ${process.argv[2] ?? ''}`.trim() });
  return {
    config, handle, db,
    async close() {
      await db.close().catch(() => undefined);
      await handle.release();
    },
  };
}

/** Runs `fn` with a session and always closes it. */
export async function withSession<T>(fn: (s: Session) => Promise<T>, opts?: { poolSize?: number }): Promise<T> {
  const s = await openSession(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/** Resolves on the first SIGINT/SIGTERM; a second one exits at once. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let got = false;
    const on = (sig: NodeJS.Signals) => {
      if (got) process.exit(1);
      got = true;
      resolve(sig);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}
