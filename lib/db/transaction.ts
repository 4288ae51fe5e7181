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
  let begun = false;
  let done = false;

  const settings: Statement = { text: SETTINGS_SQL, values: settingValues(trace, who) };
  const send = async (statements: readonly Statement[]): Promise<pg.QueryResult> => {
    if (done) throw new Error('this transaction has ended');
    for (const s of statements) assertIntentAllows(intent, s.text);
    const opening: Statement[] = begun ? [] : [{ text: intent === 'READ_ONLY' ? 'begin read only' : 'begin' }, settings];
    begun = true;
    return sendBatch(client, [...opening, ...statements]);
  };

  // A transaction sent whole, in its only round trip (a write-only stage, a
  // ledger batch), needs no BEGIN or COMMIT: a batch's statements before its
  // Sync are one implicit transaction, which commits at the Sync or rolls
  // back at the first error (batch.ts). Same statements, same atomicity, two
  // statements fewer for the server to run and the client to answer.
  const sendWhole = async (statements: readonly Statement[]): Promise<void> => {
    for (const s of statements) assertIntentAllows(intent, s.text);
    begun = true;
    await sendBatch(client, [settings, ...statements]);
  };

  const release = (err?: unknown) => {
    done = true;
    // A server error leaves the connection usable; any other may have broken it.
    client.release(err != null && !(err instanceof pg.DatabaseError) ? (err as Error) : undefined);
  };

  const rollback = async (cause?: unknown) => {
    if (done) return;
    if (!begun) return release();
    // A ROLLBACK with no transaction open (COMMIT already ended it) is only a warning.
    const ok = await client.query('rollback').then(() => true, () => false);
    release(ok ? cause : new Error('rollback failed'));
  };

  const tx = {
    intent,
    send,
    async query(text: string, values?: unknown[]) {
      return send([{ text, values: values ?? [] }]);
    },
    async commit(statements: readonly Statement[] = []) {
      if (done) throw new Error('this transaction has ended');
      if (!begun && statements.length === 0) return release();
      try {
        if (!begun && intent !== 'READ_ONLY') await sendWhole(statements);
        else await send([...statements, { text: 'commit' }]);
      } catch (e) {
        await rollback(e);
        throw e;
      }
      release();
    },
    rollback: () => rollback(),
  };
  if (intent !== 'LOCKED_MUTATION') return tx as OpenTx;
  return Object.assign(tx, {
    intent: 'LOCKED_MUTATION' as const,
    async lockRows(text: string, values?: unknown[]) {
      if (!ROW_LOCK.test(text)) throw new IntentViolationError('lockRows needs a row-locking clause');
      return (await send([{ text, values: values ?? [] }])).rows;
    },
  }) as OpenTx;
}
