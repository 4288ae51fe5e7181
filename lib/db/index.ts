export { Db, type DbOptions, type OpenTx } from './pool.ts';
export { IntentViolationError, ROW_LOCK, settingValues, type Intent, type LockedTx, type Tx, type TxIdentity } from './intent.ts';
export { migrate, MigrationHistoryError, MIGRATIONS_DIR, type MigrateResult } from './migrate.ts';
export { COMMAND_ROLES, LEAST_ROLE, ROLES, withRole, roleForCommand, type DbRole } from './roles.ts';
export { inlineParams, isMultiStatement, sqlLiteral } from './inline.ts';
export { sendBatch, type BatchStatement } from './batch.ts';
