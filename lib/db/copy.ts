/**
 * A transaction on one connection that can stream COPY (pg-copy-streams), in
 * one snapshot (REPEATABLE READ): every statement and COPY in it sees the same
 * rows, so a hash computed by a query and the rows a COPY streams agree.
 * Archive export (read only) and verification and restore (writing a temp or
 * restore table) use it. Text forms are fixed (UTC, ISO dates, hex bytea) so a
 * file reads the same from any session.
 */
import type { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import pgCopy from 'pg-copy-streams';
import { currentTrace } from '../trace/index.ts';
import { assertIntentAllows, SETTINGS_SQL, settingValues, type Tx, type TxIdentity } from './intent.ts';
import { BALLAST_TYPES } from './types.ts';

export interface CopyTx extends Tx {
  /** `COPY ... TO STDOUT`: the rows as a stream; read it to the end before the next statement. */
  copyOut(text: string): Readable;
  /** `COPY ... FROM STDIN`: write the rows and end it; it finishes when the server has them. */
  copyIn(text: string): Writable;
  /** A literal or identifier for COPY text, which takes no parameters. */
  literal(value: string): string;
}

const FIXED_TEXT_FORMS = [
  `set local "TimeZone" = 'UTC'`, `set local datestyle = 'ISO, YMD'`, `set local intervalstyle = 'postgres'`,
  'set local extra_float_digits = 1', `set local bytea_output = 'hex'`,
];

export async function copyTransaction<T>(pool: pg.Pool, opts: { readOnly: boolean; who: TxIdentity & { actor: string } },
  fn: (tx: CopyTx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(`begin isolation level repeatable read${opts.readOnly ? ' read only' : ''}`);
    await client.query(SETTINGS_SQL, settingValues(currentTrace(), opts.who));
    for (const s of FIXED_TEXT_FORMS) await client.query(s);
    const tx: CopyTx = {
      intent: opts.readOnly ? 'READ_ONLY' : 'ATOMIC_WRITE',
      async query(text, values) {
        assertIntentAllows(this.intent, text);
        return client.query({ text, values: values ?? [], types: BALLAST_TYPES });
      },
      copyOut: (text) => client.query(pgCopy.to(text)),
      copyIn: (text) => client.query(pgCopy.from(text)),
      literal: (value) => client.escapeLiteral(value),
    };
    const result = await fn(tx);
    await client.query('commit');
    return result;
  } catch (e) {
    // A COPY may be mid-stream: the connection is closed, which rolls back, rather than reused.
    broken = e instanceof Error ? e : new Error(String(e));
    throw e;
  } finally {
    client.release(broken);
  }
}
