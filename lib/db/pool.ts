/**
 * One pool per process, and transactions by intent on top of it.
 */
import pg from 'pg';
import { currentTrace } from '../trace/index.ts';
import { isServerError, sendBatch, type BatchStatement } from './batch.ts';
import { assertIntentAllows, beginSql, makeTx, PREPARE_SETTINGS, settingValues, type Intent, type LockedTx, type Tx, type TxIdentity } from './intent.ts';

// bigint (int8) and numeric arrive as strings by default; counts and ids fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v));

/** A transaction opened by `Db.begin`, finished by the caller. */
export type OpenTx = (Tx | LockedTx) & {
  commit(): Promise<void>;
  /** Runs `sql` (no parameters; literals escaped by the caller) and commits, in one round trip. */
  commitAfter(sql: string): Promise<void>;
  /** Runs `statements` and commits, in one round trip (see batch.ts). */
  commitBatch(statements: readonly BatchStatement[]): Promise<void>;
  rollback(): Promise<void>;
};

export interface DbOptions {
  connectionString?: string;
  /** Use an existing pool instead of creating one. */
  pool?: pg.Pool;
  /** Pool size. @defaultValue `10` */
  max?: number;
  /** `application_name` shown in pg_stat_activity. @defaultValue `ballast` */
  applicationName?: string;
  /** Actor the audit ledger records for transactions that name none (config BALLAST_ACTOR). @defaultValue `ballast` */
  actor?: string | undefined;
}

function assertBatchAllowed(intent: Intent, statements: readonly BatchStatement[]): void {
  for (const s of statements) if (s.text) assertIntentAllows(intent, s.text);
}

export class Db {
  readonly pool: pg.Pool;
  /** Server-side prepared statements every connection gets before its first transaction. */
  private readonly statements = new Map<string, string>([['ballast_settings', PREPARE_SETTINGS]]);
  private readonly preparedOn = new WeakMap<pg.PoolClient, Set<string>>();
  private readonly actor: string;

  constructor(opts: DbOptions) {
    this.actor = opts.actor ?? 'ballast';
    this.pool = opts.pool ?? new pg.Pool({
      connectionString: opts.connectionString,
      max: opts.max ?? 10,
      application_name: opts.applicationName ?? 'ballast',
    });
    // An idle client that loses its server must not crash the process.
    this.pool.on('error', () => undefined);
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /**
   * Registers `prepare <name> as ...` text to run once on every connection
   * before its first transaction; then `execute <name>(...)` works inside
   * any transaction (for hot statements sent with the simple protocol).
   */
  registerPrepared(name: string, prepareSql: string): void {
    this.statements.set(name, prepareSql);
  }

  /** A pooled client whose connection has every registered statement prepared. */
  private async connect(): Promise<pg.PoolClient> {
    const client = await this.pool.connect();
    let done = this.preparedOn.get(client);
    if (!done) this.preparedOn.set(client, (done = new Set()));
    for (const [name, sql] of this.statements) {
      if (done.has(name)) continue;
      try {
        await client.query(sql);
      } catch (e) {
        // 42P05: already prepared on this connection (by an earlier Db on a shared pool)
        if ((e as { code?: string }).code !== '42P05') { client.release(); throw e; }
      }
      done.add(name);
    }
    return client;
  }

  /** A single autocommit statement (no trace settings). */
  query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.pool.query<R>(text, values as any[]);
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
   * Opens a transaction the caller finishes with `commit()` or `rollback()`;
   * for code whose transaction outlives one callback (the stage runtime).
   */
  async begin(intent: Intent, who: TxIdentity = {}): Promise<OpenTx> {
    return (await this.beginWith(intent, who)).tx;
  }

  /**
   * Like `begin`, and runs `firstSql` (statements with their values already
   * inlined, see inline.ts) in the same round trip as BEGIN. The stage runtime
   * opens its transaction this way, so a stage pays no round trip for it.
   * Returns the last statement's result.
   */
  async beginWith<R extends pg.QueryResultRow = any>(
    intent: Intent, who: TxIdentity, firstSql?: string,
  ): Promise<{ tx: OpenTx; first: pg.QueryResult<R> | null }> {
    if (firstSql) assertIntentAllows(intent, firstSql);
    const client = await this.connect();
    let firstResult: pg.QueryResult<R> | null = null;
    try {
      const open = beginSql(intent, client, currentTrace(), this.identity(who));
      if (firstSql) {
        const results = (await client.query(`${open}; ${firstSql}`)) as unknown as pg.QueryResult<R>[];
        firstResult = results[results.length - 1]!;
      } else {
        await client.query(open);
      }
    } catch (e) {
      // An error in the first statement leaves the transaction aborted: roll back, keep the connection.
      const ok = await client.query('rollback').then(() => true, () => false);
      client.release(ok ? undefined : (e as Error));
      throw e;
    }
    let done = false;
    const finish = async (sql: string | readonly BatchStatement[], rethrow: boolean) => {
      if (done) return;
      done = true;
      try {
        if (typeof sql === 'string') await client.query(sql);
        else await sendBatch(client, sql);
        client.release();
      } catch (e) {
        if (rethrow) await client.query('rollback').catch(() => undefined);
        // A failed COMMIT/ROLLBACK leaves the connection in doubt: drop it.
        client.release(e as Error);
        if (rethrow) throw e;
      }
    };
    const tx: OpenTx = Object.assign(makeTx(intent, client), {
      commit: () => finish('commit', true),
      commitAfter: (sql: string) => finish(`${sql}; commit`, true),
      commitBatch: (statements: readonly BatchStatement[]) => {
        assertBatchAllowed(intent, statements);
        return finish([...statements, { text: 'commit' }], true);
      },
      rollback: () => finish('rollback', false),
    });
    return { tx, first: firstResult };
  }

  /**
   * BEGIN, `sql` (values inlined), COMMIT: a whole transaction in one round
   * trip, for writes that need no answer (the stage runtime's final flush).
   */
  async oneShot(intent: Intent, who: TxIdentity, sql: string): Promise<void> {
    assertIntentAllows(intent, sql);
    const client = await this.connect();
    try {
      await client.query(`${beginSql(intent, client, currentTrace(), this.identity(who))}; ${sql}; commit`);
      client.release();
    } catch (e) {
      const ok = await client.query('rollback').then(() => true, () => false);
      client.release(ok ? undefined : (e as Error));
      throw e;
    }
  }

  /**
   * A whole transaction in one round trip: the trace settings, then
   * `statements`, as one implicit transaction over the extended protocol (see
   * batch.ts). Named and cached statements are neither parsed nor planned
   * again, so this is the cheapest way to write: the stage runtime's final
   * flush uses it.
   */
  async batch(intent: Intent, who: TxIdentity, statements: readonly BatchStatement[]): Promise<void> {
    assertBatchAllowed(intent, statements);
    const all: BatchStatement[] = [{ name: 'ballast_settings', values: settingValues(currentTrace(), this.identity(who)) }, ...statements];
    if (intent === 'READ_ONLY') all.unshift({ text: 'set transaction read only' });
    await this.rawBatch(all);
  }

  /**
   * `statements` as one implicit transaction, without trace settings or
   * intent: for the runtime's own bookkeeping (the ledger's batches).
   */
  async rawBatch(statements: readonly BatchStatement[]): Promise<void> {
    const client = await this.connect();
    try {
      await sendBatch(client, statements);
      client.release();
    } catch (e) {
      // The implicit transaction is already rolled back; a broken connection is not reused.
      client.release(isServerError(e) ? undefined : (e as Error));
      throw e;
    }
  }

  /** `who`, with this Db's actor when it names none. */
  private identity(who: TxIdentity): TxIdentity {
    return who.actor ? who : { ...who, actor: this.actor };
  }

  private async transaction<T>(intent: Intent, fn: (tx: Tx | LockedTx) => Promise<T>, who: TxIdentity): Promise<T> {
    const tx = await this.begin(intent, who);
    try {
      const result = await fn(tx);
      await tx.commit();
      return result;
    } catch (e) {
      await tx.rollback();
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
