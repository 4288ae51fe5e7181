/**
 * Gated destructive operations (seed 003, Hard Requirements). The database
 * refuses a DELETE on a gated table unless the transaction states a reason
 * (`audit.require_reason()`), and the destructive functions
 * (`ballast.cleanup_old_errors`) refuse to run without one; the audit rows
 * record it. Commands that destroy data are also off until an operator turns
 * them on, and run as the owner (lib/db/roles.ts), the only role granted them.
 */
import type { Config } from '../config/index.ts';
import type { Db, Tx } from '../db/index.ts';

/** The statement that states a transaction's reason; a stage may queue it with `write(REASON_SQL, [reason])`. */
export const REASON_SQL = `select set_config('ballast.reason', $1, true)`;

/** States why this transaction deletes or replaces rows; the audit rows record it. */
export async function stateReason(tx: Tx, reason: string): Promise<void> {
  if (!reason.trim()) throw new Error('a reason must say something');
  await tx.query(REASON_SQL, [reason]);
}

export const DESTRUCTIVE_ENV = 'BALLAST_ALLOW_DESTRUCTIVE';

export class DestructiveDisabledError extends Error {
  override name = 'DestructiveDisabledError';
}

/** Throws unless `BALLAST_ALLOW_DESTRUCTIVE=1`; the message says how to enable it. */
export function assertDestructiveAllowed(what: string, config: Pick<Config, 'allowDestructive'>): void {
  if (config.allowDestructive) return;
  throw new DestructiveDisabledError(
    `${what} is a destructive operation and is disabled by default; ` +
    `enable it for this command with ${DESTRUCTIVE_ENV}=1 (the deletion is audited with its --reason)`);
}

export interface DestructiveOptions {
  /** Why; every audit row of the transaction records it. */
  reason: string;
  /** Who, as the audit ledger names them (`cli:<user>`). */
  actor: string;
  config: Pick<Config, 'allowDestructive'>;
}

/**
 * The one way to run a destructive operation: refused unless enabled, then
 * `fn` in one transaction that states its reason.
 */
export async function destructiveWrite<T>(db: Db, what: string, opts: DestructiveOptions, fn: (tx: Tx) => Promise<T>): Promise<T> {
  assertDestructiveAllowed(what, opts.config);
  if (!opts.reason.trim()) throw new Error(`${what}: a reason must say something`);
  return db.atomicWrite(async (tx) => {
    await stateReason(tx, opts.reason);
    return fn(tx);
  }, { actor: opts.actor, reason: opts.reason });
}
