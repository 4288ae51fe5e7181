/**
 * An open transaction on one pooled connection: the one way ballast writes.
 *
 * Statements are parameterized, and each distinct text is prepared once per
 * connection and only bound after that. The statements of one `send` go to
 * the server as one batch (batch.ts): one round trip however many there are.
 * BEGIN and the trace settings are not sent on their own: they go with the
 * transaction's first statements, and COMMIT with its last. A transaction
 * whose every statement goes in one round trip sends neither BEGIN nor COMMIT.
 */
import pg from 'pg';
import type { TraceContext } from '../trace/index.ts';
import { sendBatch } from './batch.ts';
import { assertIntentAllows, IntentViolationError, ROW_LOCK, SETTINGS_SQL, settingValues, type Intent, type LockedTx, type Tx, type TxIdentity } from './intent.ts';

/** One SQL statement with `$n` parameters. */
export interface Statement {
  text: string;
  values?: readonly unknown[];
}

/** A transaction opened by `Db.begin`, finished by the caller. */
export type OpenTx = (Tx | LockedTx) & {
  /**
   * Runs `statements` in order in this transaction, in one round trip, and
   * returns the last one's result. Rejects with the first error; the
   * transaction is then aborted and must be rolled back.
   */
  send(statements: readonly Statement[]): Promise<pg.QueryResult>;
  /**
   * Runs `statements`, then COMMIT, in one round trip, and returns the
   * connection. On error, rolls back and rejects. When nothing was sent
   * before, the settings and `statements` go as one implicit transaction.
   */
  commit(statements?: readonly Statement[]): Promise<void>;
  rollback(): Promise<void>;
};

export function openTx(intent: Intent, client: pg.PoolClient, trace: TraceContext | null, who: TxIdentity): OpenTx {
  return intent === 'LOCKED_MUTATION' ? new LockedTransaction(client, trace, who) : new Transaction(intent, client, trace, who);
}

// A class, not a closure per method: one is made per transaction, on the
// stage runtime's per-job path.
class Transaction {
  private begun = false;
  private done = false;

  constructor(readonly intent: Intent, private readonly client: pg.PoolClient, private readonly trace: TraceContext | null, private readonly who: TxIdentity) {}

  private settings(): Statement {
    return { text: SETTINGS_SQL, values: settingValues(this.trace, this.who) };
  }

  send(statements: readonly Statement[]): Promise<pg.QueryResult> {
    return this.run(statements);
  }

  query(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    return this.run([{ text, values: values ?? [] }]);
  }

  // What send, commit and lockRows run (never each other). `whole`: these
  // statements are the transaction's only round trip, so they need no BEGIN
  // (nor COMMIT): a batch's statements before its Sync are one implicit
  // transaction, which commits at the Sync or rolls back at the first error
  // (batch.ts). Same statements, same atomicity, two fewer to run and answer.
  protected async run(statements: readonly Statement[], whole = false): Promise<pg.QueryResult> {
    if (this.done) throw new Error('this transaction has ended');
    for (const s of statements) assertIntentAllows(this.intent, s.text);
    if (this.begun) return sendBatch(this.client, statements);
    this.begun = true;
    const begin: Statement[] = whole ? [] : [{ text: this.intent === 'READ_ONLY' ? 'begin read only' : 'begin' }];
    return sendBatch(this.client, [...begin, this.settings(), ...statements]);
  }

  async commit(statements: readonly Statement[] = []): Promise<void> {
    if (this.done) throw new Error('this transaction has ended');
    if (!this.begun && statements.length === 0) return this.release();
    // A read-only transaction keeps its BEGIN READ ONLY.
    const whole = !this.begun && this.intent !== 'READ_ONLY';
    try {
      if (whole) await this.run(statements, true);
      else await this.run([...statements, { text: 'commit' }]);
    } catch (e) {
      // Sent whole, it ended at its batch's Sync: there is nothing to roll back.
      if (whole) this.release(e);
      else await this.end(e);
      throw e;
    }
    this.release();
  }

  rollback(): Promise<void> {
    return this.end();
  }

  private async end(cause?: unknown): Promise<void> {
    if (this.done) return;
    if (!this.begun) return this.release();
    // A ROLLBACK with no transaction open (COMMIT already ended it) is only a warning.
    const ok = await this.client.query('rollback').then(() => true, () => false);
    this.release(ok ? cause : new Error('rollback failed'));
  }

  private release(err?: unknown): void {
    this.done = true;
    // A server error leaves the connection usable; any other may have broken it.
    this.client.release(err != null && !(err instanceof pg.DatabaseError) ? (err as Error) : undefined);
  }
}

class LockedTransaction extends Transaction {
  declare readonly intent: 'LOCKED_MUTATION';

  constructor(client: pg.PoolClient, trace: TraceContext | null, who: TxIdentity) {
    super('LOCKED_MUTATION', client, trace, who);
  }

  async lockRows(text: string, values?: unknown[]): Promise<any[]> {
    if (!ROW_LOCK.test(text)) throw new IntentViolationError('lockRows needs a row-locking clause');
    return (await this.run([{ text, values: values ?? [] }])).rows;
  }
}
