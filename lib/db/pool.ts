/**
 * One pool per process, and transactions by intent on top of it.
 */
import pg from 'pg';
import { currentTrace, type TraceContext } from '../trace/index.ts';
import type { Intent, LockedTx, Tx, TxIdentity } from './intent.ts';
import { openTx, type OpenTx } from './transaction.ts';
import { copyTransaction, type CopyTx } from './copy.ts';
import { BALLAST_TYPES } from './types.ts';

export interface DbOptions {
  connectionString?: string;
  /** Pool size. @defaultValue `10` */
  max?: number;
  /** `application_name` shown in pg_stat_activity. @defaultValue `ballast` */
  applicationName?: string;
  /** Actor the audit ledger records for transactions that name none (config BALLAST_ACTOR). @defaultValue `ballast` */
  actor?: string | undefined;
}

export class Db {
  readonly pool: pg.Pool;
  private readonly actor: string;

  constructor(opts: DbOptions) {
    this.actor = opts.actor ?? 'ballast';
    this.pool = new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      application_name: opts.applicationName ?? 'ballast',
    });
    // An idle client that loses its server must not crash the process.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** A single autocommit statement (no trace settings). */
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>({ text, values: values ?? [], types: BALLAST_TYPES });
  }

  readOnly<T>(fn: (tx: Tx) => Promise<T>, who: TxIdentity = {}): Promise<T> {
    return this.transaction('READ_ONLY', fn as (tx: Tx | LockedTx) => Promise<T>, who);
  }

  atomicWrite<T>(fn: (tx: Tx) => Promise<T>, who: TxIdentity = {}): Promise<T> {
    return this.transaction('ATOMIC_WRITE', fn as (tx: Tx | LockedTx) => Promise<T>, who);
  }

  /** The only way to take row locks: one connection for the whole transaction. */
  lockedMutation<T>(fn: (tx: LockedTx) => Promise<T>, who: TxIdentity = {}): Promise<T> {
    return this.transaction('LOCKED_MUTATION', fn as (tx: Tx | LockedTx) => Promise<T>, who);
  }

  /**
   * A REPEATABLE READ transaction on one connection that can stream COPY
   * (copy.ts): one snapshot for every statement and COPY in it. Archive
   * export reads in it (`readOnly`); verification and restore load rows.
   */
  copyTransaction<T>(opts: { readOnly: boolean }, fn: (tx: CopyTx) => Promise<T>, who: TxIdentity = {}): Promise<T> {
    return copyTransaction(this.pool, { readOnly: opts.readOnly, who: { ...who, actor: who.actor ?? this.actor } }, fn);
  }

  /**
   * Opens a transaction the caller finishes with `commit()` or `rollback()`,
   * for code whose transaction outlives one callback (the stage runtime, a
   * cursor). Nothing is sent until its first statement.
   *
   * @param trace the trace its settings carry. @defaultValue the current one
   */
  async begin(intent: Intent, who: TxIdentity = {}, trace: TraceContext | null = currentTrace() ?? null): Promise<OpenTx> {
    return openTx(intent, await this.pool.connect(), trace, { ...who, actor: who.actor ?? this.actor });
  }

  private async transaction<T>(intent: Intent, fn: (tx: Tx | LockedTx) => Promise<T>, who: TxIdentity): Promise<T> {
    const tx = await this.begin(intent, who);
    let result: T;
    try {
      result = await fn(tx);
    } catch (e) {
      await tx.rollback();
      throw e;
    }
    await tx.commit();
    return result;
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
