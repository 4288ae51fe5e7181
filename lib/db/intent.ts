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
import { currentTrace, type TraceContext } from '../trace/index.ts';

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

/** Server-side prepared statement that sets every transaction-local setting at once. */
export const PREPARE_SETTINGS = `prepare ballast_settings (${[...SETTINGS, 'actor', 'request_id', 'reason'].map(() => 'text').join(', ')}) as select ${
  [...SETTINGS, 'actor', 'request_id', 'reason'].map((k, i) => `set_config('ballast.${k}', $${i + 1}, true)`).join(', ')}`;

/** The values of `ballast_settings`, in order; an unset value is '', which ballast.setting() reads as null. */
export function settingValues(trace: TraceContext | undefined, who: TxIdentity): string[] {
  const values = [
    ...SETTINGS.map((k) => trace?.[k]),
    who.actor ?? 'ballast', who.request_id, who.reason,
  ];
  return values.map((v) => (v == null ? '' : String(v)));
}

/**
 * The `BEGIN; execute ballast_settings(...)` that opens every transaction, as
 * one round trip (the connection must have run PREPARE_SETTINGS; see Db).
 */
export function beginSql(
  intent: Intent,
  client: pg.PoolClient,
  trace: TraceContext | undefined,
  who: TxIdentity,
): string {
  const lit = (v: string) => (v === '' ? "''" : client.escapeLiteral(v));
  const begin = intent === 'READ_ONLY' ? 'begin read only' : 'begin';
  return `${begin}; execute ballast_settings(${settingValues(trace, who).map(lit).join(', ')})`;
}

/** Throws when `sql` takes row locks outside a LOCKED_MUTATION transaction. */
export function assertIntentAllows(intent: Intent, sql: string): void {
  if (intent !== 'LOCKED_MUTATION' && ROW_LOCK.test(sql)) {
    throw new IntentViolationError(`row locks are only allowed in a LOCKED_MUTATION transaction (${intent} got: ${sql.slice(0, 80)})`);
  }
}

export function makeTx(intent: Intent, client: pg.PoolClient): Tx | LockedTx {
  const query = async (text: string, values?: unknown[]) => {
    assertIntentAllows(intent, text);
    return client.query(text, values as any[]);
  };
  if (intent !== 'LOCKED_MUTATION') return { intent, query };
  return {
    intent,
    query,
    async lockRows(text: string, values?: unknown[]) {
      if (!ROW_LOCK.test(text)) throw new IntentViolationError('lockRows needs a row-locking clause');
      return (await client.query(text, values as any[])).rows;
    },
  };
}

export { currentTrace };
