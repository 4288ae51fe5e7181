/**
 * Gated destructive operations (seed 003, Hard Requirements). The database
 * refuses a DELETE on a gated table unless the transaction states a reason
 * (`audit.require_reason()`); commands that destroy data are also off until
 * an operator turns them on.
 */
import type { Config } from '../config/index.ts';
import type { Tx } from '../db/index.ts';

/** States why this transaction deletes or replaces rows; the audit rows record it. */
export async function stateReason(tx: Tx, reason: string): Promise<void> {
  if (!reason.trim()) throw new Error('a reason must say something');
  await tx.query(`select set_config('ballast.reason', $1, true)`, [reason]);
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
