/**
 * Resolves where the database is: DATABASE_URL, or the embedded server.
 */
import type { Config } from '../config/index.ts';
import { startEmbedded, type EmbeddedServer } from './server.ts';

export interface DatabaseHandle {
  url: string;
  /** The embedded server, when DATABASE_URL was not set. */
  embedded: EmbeddedServer | null;
  /** Stops the embedded server if this process started it. */
  release(): Promise<void>;
}

/** `child`: run an embedded server this process starts as its child (EmbeddedOptions.child). */
export async function resolveDatabase(config: Config, opts: { child?: boolean } = {}): Promise<DatabaseHandle> {
  if (config.DATABASE_URL) {
    return { url: config.DATABASE_URL, embedded: null, release: async () => undefined };
  }
  const embedded = await startEmbedded({ dataDir: config.dataDir, child: opts.child ?? false, ...(config.BALLAST_PG_PORT ? { port: config.BALLAST_PG_PORT } : {}) });
  return { url: embedded.url, embedded, release: () => embedded.stop() };
}
