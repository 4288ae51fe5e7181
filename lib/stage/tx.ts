/**
 * The stage transaction: one ATOMIC_WRITE transaction for a stage's outputs,
 * the jobs their triggers enqueue and the ledger's success row.
 *
 * Nothing is sent until it must be. Writes queued with `write()` go with the
 * stage's next `tx.query` or with the final commit, together with BEGIN and
 * the trace settings when they are the first: a stage that reads once and
 * writes costs two round trips, one that only writes costs one (see
 * lib/db/transaction.ts). Each distinct statement text is prepared once per
 * connection and only bound after that.
 */
import type pg from 'pg';
import { PermanentError } from '../failures/index.ts';
import type { Db, OpenTx, Statement, Tx } from '../db/index.ts';

/** The server refuses several statements in one prepared statement (42601) with this message. */
const MULTI_STATEMENT = /cannot insert multiple commands into a prepared statement/;

export class StageTx implements Tx {
  readonly intent = 'ATOMIC_WRITE' as const;
  private opening: Promise<OpenTx> | null = null;
  private pending: Statement[] = [];

  constructor(private readonly db: Db, private readonly actor: string) {}

  /** Did the stage query or write anything? */
  get used(): boolean { return this.opening != null || this.pending.length > 0; }

  write(text: string, values?: unknown[]): void {
    this.pending.push({ text, values: values ?? [] });
  }

  async query<R extends pg.QueryResultRow = any>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return explain((await this.open()).send([...this.pending.splice(0), { text, values: values ?? [] }])) as Promise<pg.QueryResult<R>>;
  }

  /** Sends the queued writes, `last` (the ledger row) and COMMIT, in one round trip. */
  async commit(last: Statement): Promise<void> {
    await explain((await this.open()).commit([...this.pending.splice(0), last]));
  }

  async rollback(): Promise<void> {
    this.pending = [];
    const tx = await this.opening?.catch(() => null);
    await tx?.rollback();
  }

  private open(): Promise<OpenTx> {
    return (this.opening ??= this.db.begin('ATOMIC_WRITE', { actor: this.actor }));
  }
}

/** A statement text that holds several statements fails as a bug in the stage, and says what to do. */
async function explain<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if ((e as { code?: string }).code === '42601' && MULTI_STATEMENT.test((e as Error).message)) {
      throw new PermanentError('write() and tx.query() take one SQL statement each: call write() once per statement', 'MULTI_STATEMENT', { cause: e });
    }
    throw e;
  }
}
