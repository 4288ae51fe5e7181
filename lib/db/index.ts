export { Db, type DbOptions } from './pool.ts';
export { type OpenTx, type Statement } from './transaction.ts';
export { type CopyTx } from './copy.ts';
export { IntentViolationError, ROW_LOCK, type Intent, type LockedTx, type Tx, type TxIdentity } from './intent.ts';
export { Int8RangeError } from './types.ts';
export { migrate, MigrationHistoryError, MIGRATIONS_DIR, type MigrateResult } from './migrate.ts';
export { COMMAND_ROLES, LEAST_ROLE, NOT_MIGRATED, ROLES, explainMissingRole, withRole, roleForCommand, type DbRole } from './roles.ts';
export { describeTarget, explainConnectionFailure } from './connection.ts';
