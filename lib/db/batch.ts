/**
 * Several statements in one round trip and one write, over the extended
 * query protocol: a Bind and an Execute per statement (and a Parse for the
 * unnamed ones), then a single Sync.
 *
 * Outside an explicit transaction the statements up to a Sync form one
 * implicit transaction: all commit at the Sync, or an error rolls all of them
 * back (the server skips every message after the error until the Sync).
 * Inside a transaction opened with BEGIN they simply run in it.
 *
 * Compared with the same statements as one simple-protocol text, the server
 * parses and plans nothing for a named statement (its plan is cached), reads
 * parameters with the types' input functions instead of parsing and coercing
 * literals, and needs no BEGIN and COMMIT statements. This is the stage
 * runtime's per-job path, so that is its overhead.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import pg from 'pg';

const { DatabaseError } = pg;

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): unknown };

export interface BatchStatement {
  /**
   * A statement prepared on this connection (SQL `PREPARE`, see
   * `Db.registerPrepared`). Without it, `text` is parsed as the unnamed statement.
   */
  name?: string;
  /** One SQL statement, with `$n` parameters. Ignored when `name` is given. */
  text?: string;
  values?: readonly unknown[];
  /**
   * Prepare `text` as a named statement the first time this connection sees
   * it, and only bind it after that: no parsing or planning per run. For
   * statements a process runs over and over (a stage's writes).
   */
  cache?: boolean;
}

/** Statements cached per connection; beyond this, statements go unnamed. */
export const MAX_CACHED_STATEMENTS = 200;
const cachedNames = new Map<string, string>();
/** A stable statement name for `text` (its hash), so every connection names it alike. */
function nameFor(text: string): string {
  let name = cachedNames.get(text);
  if (!name) {
    name = `ballast_w_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    if (cachedNames.size < 10_000) cachedNames.set(text, name);
  }
  return name;
}

/** The subset of pg's connection a submittable query talks to. */
interface Connection {
  stream: { cork?(): void; uncork?(): void };
  /** Names this module prepared on the connection, and that are known to exist. */
  ballastPrepared?: Set<string>;
  parse(q: { text: string; name: string; types: number[] }): void;
  close(q: { type: 'S'; name: string }): void;
  bind(q: { portal: string; statement: string; values: readonly unknown[]; valueMapper(v: unknown): unknown }): void;
  execute(q: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(msg: string): void;
}

const asIs = (v: unknown) => v;

/** An error the server reported (the connection is still usable), as opposed to a broken socket. */
export const isServerError = (e: unknown): boolean => e instanceof DatabaseError;

/**
 * A node-postgres Submittable: `client.query(new Batch(...))`. Resolves when
 * every statement succeeded, rejects with the first error.
 */
class Batch {
  readonly done: Promise<void>;
  private resolve!: () => void;
  private reject!: (e: unknown) => void;
  private failed = false;
  /** Named statements this batch parses; known to exist once it succeeds. */
  private parsing: string[] = [];
  private connection: Connection | null = null;

  constructor(private readonly statements: readonly BatchStatement[]) {
    this.done = new Promise((res, rej) => { this.resolve = res; this.reject = rej; });
  }

  submit(connection: Connection): Error | null {
    this.connection = connection;
    const prepared = (connection.ballastPrepared ??= new Set());
    connection.stream.cork?.();
    try {
      for (const s of this.statements) {
        let statement = s.name ?? '';
        if (!s.name && s.cache && (prepared.size < MAX_CACHED_STATEMENTS || prepared.has(nameFor(s.text ?? '')))) {
          statement = nameFor(s.text ?? '');
          if (!prepared.has(statement) && !this.parsing.includes(statement)) {
            // A batch that failed before its Parse ran left no statement, one
            // that failed after left one: Close (a no-op when there is none) covers both.
            connection.close({ type: 'S', name: statement });
            connection.parse({ text: s.text ?? '', name: statement, types: [] });
            this.parsing.push(statement);
          }
        } else if (!s.name) {
          connection.parse({ text: s.text ?? '', name: '', types: [] });
        }
        connection.bind({ portal: '', statement, values: s.values ?? [], valueMapper: asIs });
        connection.execute({ portal: '', rows: 0 });
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  private fail(e: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.reject(e);
  }

  // node-postgres calls these as the server answers. Rows are not kept: a batch is for writes.
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCommandComplete(): void {}
  handleEmptyQuery(): void {}
  handlePortalSuspended(): void {}
  handleCopyData(): void {}
  handleCopyInResponse(connection: Connection): void { connection.sendCopyFail('COPY is not supported in a batch'); }
  /** The client stops routing messages to a query after its error; the Sync's ReadyForQuery still comes. */
  handleError(err: unknown): void {
    // 26000: a statement this module prepared is gone (someone ran DEALLOCATE
    // ALL or DISCARD ALL on the connection): forget them all, so the next
    // batch prepares again. This one fails; its caller's retry succeeds.
    if ((err as { code?: string }).code === '26000') this.connection?.ballastPrepared?.clear();
    this.fail(err);
  }
  handleReadyForQuery(): void {
    if (this.failed) return;
    for (const name of this.parsing) this.connection!.ballastPrepared!.add(name);
    this.resolve();
  }
}

/**
 * Runs `statements` on `client` in one round trip; see the module comment for
 * the transaction they run in.
 */
export function sendBatch(client: pg.ClientBase, statements: readonly BatchStatement[]): Promise<void> {
  let prepared: BatchStatement[];
  try {
    // Serialised before anything is sent: a value that cannot be (a cyclic
    // object, say) must fail the batch, not cut it short where a Sync would
    // commit the statements before it.
    prepared = statements.map((s) => ({ ...s, values: (s.values ?? []).map(prepareValue) }));
  } catch (e) {
    return Promise.reject(e);
  }
  const batch = new Batch(prepared);
  void client.query(batch as unknown as pg.QueryConfig);
  return batch.done;
}
