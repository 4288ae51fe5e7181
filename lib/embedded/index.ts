/** The embedded PostgreSQL a developer machine gets, where the database is (DATABASE_URL or the embedded server), and `ballast up`'s watch over it. */
export { startEmbedded, stopEmbedded, freePort, type EmbeddedOptions, type EmbeddedServer } from './server.ts';
export { resolveDatabase, type DatabaseHandle } from './resolve.ts';
export type { Postmaster, PostmasterExit } from './postmaster.ts';
export { DEFAULT_RESTART_POLICY, restartDelay, watchEmbedded, type EmbeddedWatch, type RestartPolicy, type WatchOptions } from './watch.ts';
