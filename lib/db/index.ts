export { Db, type DbOptions } from './pool.ts';
export { type OpenTx, type Statement } from './transaction.ts';
export { IntentViolationError, ROW_LOCK, type Intent, type LockedTx, type Tx, type TxIdentity } from './intent.ts';
export { Int8RangeError } from './types.ts';
export { migrate, MIGRATIONS_DIR, type MigrateResult } from './migrate.ts';
export { startEmbedded, stopEmbedded, freePort, type EmbeddedOptions, type EmbeddedServer } from './embedded.ts';
export { resolveDatabase, type DatabaseHandle } from './connect.ts';
export { ROLES, withRole, roleForCommand, type DbRole } from './roles.ts';
