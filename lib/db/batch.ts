/**
 * Several statements in one round trip and one write, over the extended
 * query protocol: a Bind and an Execute per statement (and a Parse the first
 * time a connection sees a text), then a single Sync. Transactions use it
 * (transaction.ts, its only caller) so a stage's trace settings, writes and
 * ledger row cost one round trip, with BEGIN and COMMIT when the transaction
 * had a round trip before, as one implicit transaction when not;
 * `npm run bench:overhead` shows why (docs/performance.md).
 *
 * node-postgres has no public API for this, so this module uses private
 * parts of it, and only this module: the Connection's `parse`, `bind`,
 * `describe`, `execute`, `sync` and `close` message writers, its `stream`'s
 * cork/uncork, and `prepareValue` from `pg/lib/utils.js`. It hangs nothing on
 * pg's objects. test/db/batch.test.ts pins each of them, and the pg version,
 * so an upgrade that changes them fails loudly.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';
import type { Statement } from './transaction.ts';
import { BALLAST_TYPES } from './types.ts';

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): unknown };

/** Statements prepared per connection; beyond this, statements go unnamed. */
export const MAX_PREPARED = 200;

/** The private part of pg's Connection this module writes to. */
export interface PgConnection {
  stream: { cork?(): void; uncork?(): void };
  parse(q: { text: string; name: string; types: number[] }): void;
  close(q: { type: 'S'; name: string }): void;
  bind(q: { portal: string; statement: string; values: readonly unknown[]; valueMapper(v: unknown): unknown }): void;
  describe(q: { type: 'P'; name: string }): void;
  execute(q: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(msg: string): void;
}

/** Names this module prepared on each connection, known to exist. */
const preparedOn = new WeakMap<PgConnection, Set<string>>();

// A statement's name is its text's hash, the same on every connection. A job
// sends about five statements, so the names are remembered rather than hashed
// again each time (a SHA-1 per statement was ~1.5 us of Node CPU); the cap
// keeps a process that sends endless distinct texts from growing the map.
const names = new Map<string, string>();
const MAX_NAMES = 10_000;
function nameFor(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `ballast_b_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    if (names.size < MAX_NAMES) names.set(text, name);
  }
  return name;
}
const asIs = (v: unknown) => v;

/** A pg Submittable: `client.query(new Batch(...))`. Resolves with the last statement's result. */
class Batch {
  readonly done: Promise<pg.QueryResult>;
  private resolve!: (r: pg.QueryResult) => void;
  private reject!: (e: unknown) => void;
  private failed = false;
  private completed = 0;
  /** Named statements this batch parses; known to exist once it succeeds. */
  private parsing: string[] = [];
  private connection: PgConnection | null = null;
  private readonly result = new (pg as unknown as { Result: new (mode: undefined, types: unknown) => PgResult }).Result(undefined, BALLAST_TYPES);

  constructor(private readonly statements: readonly { text: string; values: unknown[] }[]) {
    this.done = new Promise((res, rej) => { this.resolve = res; this.reject = rej; });
  }

  submit(connection: PgConnection): Error | null {
    this.connection = connection;
    let prepared = preparedOn.get(connection);
    if (!prepared) preparedOn.set(connection, (prepared = new Set()));
    connection.stream.cork?.();
    try {
      this.statements.forEach((s, i) => {
        let statement = '';
        const name = nameFor(s.text);
        if (prepared.has(name) || this.parsing.includes(name)) {
          statement = name;
        } else if (prepared.size + this.parsing.length < MAX_PREPARED) {
          // A batch that failed before its Parse ran left no statement, one
          // that failed after left one: Close (a no-op when there is none) covers both.
          connection.close({ type: 'S', name });
          connection.parse({ text: s.text, name, types: [] });
          this.parsing.push(name);
          statement = name;
        } else {
          connection.parse({ text: s.text, name: '', types: [] });
        }
        connection.bind({ portal: '', statement, values: s.values, valueMapper: asIs });
        // Only the last statement's rows are kept, so only it is described.
        if (i === this.statements.length - 1) connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '', rows: 0 });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  private get last(): boolean { return this.completed === this.statements.length - 1; }

  // node-postgres calls these as the server answers.
  handleRowDescription(msg: { fields: unknown[] }): void { if (this.last) this.result.addFields(msg.fields); }
  handleDataRow(msg: { fields: unknown[] }): void {
    if (!this.last || this.failed) return;
    try {
      this.result.addRow(this.result.parseRow(msg.fields));
    } catch (e) {
      this.fail(e);
    }
  }
  handleCommandComplete(msg: unknown): void {
    if (this.last) this.result.addCommandComplete(msg);
    this.completed += 1;
  }
  handleEmptyQuery(): void { this.completed += 1; }
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
  handleCopyInResponse(connection: PgConnection): void { connection.sendCopyFail('COPY is not supported in a batch'); }
  /** The client stops routing messages to a query after its error; the Sync's ReadyForQuery still comes. */
  handleError(err: unknown): void {
    // 26000: a statement this module prepared is gone (DEALLOCATE ALL or
    // DISCARD ALL ran on the connection): forget them all, so the next
    // batch prepares again.
    if ((err as { code?: string }).code === '26000' && this.connection) preparedOn.delete(this.connection);
    this.fail(err);
  }
  handleReadyForQuery(): void {
    if (this.failed) return;
    const prepared = preparedOn.get(this.connection!);
    for (const name of this.parsing) prepared?.add(name);
    this.resolve(this.result as unknown as pg.QueryResult);
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.reject(e);
  }
}

/** The part of pg's (exported) Result class a batch fills, as pg-cursor does. */
interface PgResult {
  addFields(fields: unknown[]): void;
  parseRow(fields: unknown[]): unknown;
  addRow(row: unknown): void;
  addCommandComplete(msg: unknown): void;
}

/**
 * Runs `statements` on `client` in one round trip and returns the last one's
 * result. Outside a transaction block they form one implicit transaction;
 * inside one (after BEGIN) they run in it, and an error leaves it aborted.
 */
export function sendBatch(client: pg.ClientBase, statements: readonly Statement[]): Promise<pg.QueryResult> {
  let serialised: { text: string; values: unknown[] }[];
  try {
    // Serialised before anything is sent: a value that cannot be (a cyclic
    // object, say) must fail the batch, not cut it short.
    serialised = statements.map((s) => ({ text: s.text, values: (s.values ?? []).map(prepareValue) }));
  } catch (e) {
    return Promise.reject(e);
  }
  const batch = new Batch(serialised);
  void client.query(batch as unknown as pg.QueryConfig);
  return batch.done;
}
