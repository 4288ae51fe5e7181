/** The embedded PostgreSQL a developer machine gets, and where the database is (DATABASE_URL or the embedded server). */
export { startEmbedded, stopEmbedded, freePort, type EmbeddedOptions, type EmbeddedServer } from './server.ts';
export { resolveDatabase, type DatabaseHandle } from './resolve.ts';
