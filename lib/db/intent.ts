/**
 * Transactions declared by intent (seed 002, "Transaction Intent").
 *
 * - READ_ONLY: `BEGIN READ ONLY`; the server refuses writes.
 * - ATOMIC_WRITE: writes that commit together; row locks are refused.
 * - LOCKED_MUTATION: the only place row locks (`FOR UPDATE`, `SKIP LOCKED`)
 *   may be taken; one connection is held for the whole transaction.
 *
 * Every transaction sets the current trace context and audit identity as
 * transaction-local settings (`ballast.trace_id`, ...), so SQL triggers and
 * column defaults read them without the application passing them along.
 */
import type pg from 'pg';
import type { TraceContext } from '../trace/index.ts';

export type Intent = 'READ_ONLY' | 'ATOMIC_WRITE' | 'LOCKED_MUTATION';

export class IntentViolationError extends Error {
  override name = 'IntentViolationError';
}

/** Who is acting and why, recorded by audit triggers. */
export interface TxIdentity {
  /** Actor identity. @defaultValue the Db's `actor` */
  actor?: string;
  request_id?: string | null;
  /** Stated reason, required by gated deletes. */
  reason?: string | null;
}

export interface Tx {
  readonly intent: Intent;
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/** A transaction that may take row locks. */
export interface LockedTx extends Tx {
  readonly intent: 'LOCKED_MUTATION';
  /** Runs a locking SELECT (`FOR UPDATE [SKIP LOCKED]`) and returns its rows. */
  lockRows<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<R[]>;
}

// Any row-locking clause, however it is spelled or spaced.
export const ROW_LOCK = /\bfor\s+(?:no\s+key\s+update|key\s+share|update|share)\b/i;

const SETTINGS = [
  'trace_id', 'span_id', 'parent_span_id', 'correlation_id',
  'task', 'task_version', 'model_version', 'prompt_version',
] as const;

const NAMES = [...SETTINGS, 'actor', 'request_id', 'reason'] as const;

/** Sets every transaction-local setting at once; sent (as a named statement) right after BEGIN. */
export const SETTINGS_SQL = `select ${NAMES.map((k, i) => `set_config('ballast.${k}', $${i + 1}, true)`).join(', ')}`;

/** The values of SETTINGS_SQL, in order; an unset value is '', which ballast.setting() reads as null. */
export function settingValues(trace: TraceContext | null | undefined, who: TxIdentity): string[] {
  const values = [
    ...SETTINGS.map((k) => trace?.[k]),
    who.actor ?? 'ballast', who.request_id, who.reason,
  ];
  return values.map((v) => (v == null ? '' : String(v)));
}

/** Throws when `sql` takes row locks outside a LOCKED_MUTATION transaction. */
export function assertIntentAllows(intent: Intent, sql: string): void {
  if (intent !== 'LOCKED_MUTATION' && ROW_LOCK.test(sql)) {
    throw new IntentViolationError(`row locks are only allowed in a LOCKED_MUTATION transaction (${intent} got: ${sql.slice(0, 80)})`);
  }
}
