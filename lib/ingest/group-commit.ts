/**
 * Group commit for the inbox: deliveries that arrive while an insert is in
 * flight wait for it, then go to the database together as ONE multi-row
 * INSERT (one statement, so one transaction and one commit).
 *
 * Why: each inbox row fires the inbox's triggers (defaults, the key claim,
 * the audit ledger row, the first stage's job). Their fixed cost per
 * statement, graphile_worker.add_jobs above all, was most of the receiver's
 * PostgreSQL time at one row per statement; gathered, it is paid once per
 * batch (docs/performance.md, "The receiver near a bare INSERT"). There is no
 * timer: a delivery that finds nothing in flight is inserted at once, so a
 * quiet receiver answers as fast as before, and batches grow only with load.
 *
 * What each delivery gets is what store.ts decides for it alone:
 * - each request is answered only after the statement holding ITS row has
 *   committed (the INSERT autocommits and resolves only then);
 * - stored / duplicate per row: the INSERT returns the rows it stored; a row
 *   the key trigger skipped, and a second delivery of the same id in the
 *   same batch (left out of the INSERT), are duplicates, looked up after
 *   (store.ts `noteRedeliveries`, which also keeps a body that differs from
 *   the first delivery's);
 * - a deterministic error (the database refusing one row's data) must not
 *   fail its neighbours: the batch is retried one row at a time through
 *   `storeDelivery`, which keeps the bad body as bytes or calls it unstorable;
 * - any other error (the database unavailable) rejects every delivery of the
 *   batch, none of which was acknowledged: the handler answers 503.
 */
import type { Db } from '../db/index.ts';
import { BALLAST_TYPES } from '../db/types.ts';
import { inboxValues, insertSql, isDeterministic, noteRedeliveries, storeDelivery, type InboxRow, type Stored } from './store.ts';

interface Waiting {
  row: InboxRow;
  resolve: (s: Stored) => void;
  reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  /** Rows per INSERT at most. @defaultValue 64 */
  maxRows?: number;
  /** Body bytes per INSERT at most (a batch always takes one row, however large). @defaultValue 4 MiB */
  maxBytes?: number;
}

const keyOf = (r: InboxRow) => `${r.source}\u0000${r.webhookId}`;

export class GroupCommit {
  private readonly db: Db;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private waiting: Waiting[] = [];
  private inFlight = false;

  constructor(db: Db, opts: GroupCommitOptions = {}) {
    this.db = db;
    this.maxRows = opts.maxRows ?? 64;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  }

  /** Stores a delivery (with whatever else is waiting), or finds the one stored under its id before. */
  store(row: InboxRow): Promise<Stored> {
    return new Promise<Stored>((resolve, reject) => {
      this.waiting.push({ row, resolve, reject });
      if (!this.inFlight) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.inFlight = true;
    try {
      while (this.waiting.length > 0) {
        let bytes = 0;
        let n = 0;
        while (n < this.waiting.length && n < this.maxRows && (n === 0 || bytes + this.waiting[n]!.row.bytes.length <= this.maxBytes)) {
          bytes += this.waiting[n]!.row.bytes.length;
          n++;
        }
        const batch = this.waiting.splice(0, n);
        try {
          const results = await this.insertBatch(batch.map((w) => w.row));
          batch.forEach((w, i) => w.resolve(results[i]!));
        } catch (e) {
          for (const w of batch) w.reject(e);
        }
      }
    } finally {
      this.inFlight = false;
    }
  }

  /**
   * The batch as one INSERT, or row by row when it fails on some row's data;
   * then one statement for the rows that were duplicates. Results in the batch's order.
   */
  private async insertBatch(rows: InboxRow[]): Promise<Stored[]> {
    // The first delivery of each id goes into the INSERT; a repeat in the same batch is a duplicate of it.
    const first = new Map<string, number>();
    rows.forEach((r, i) => { if (!first.has(keyOf(r))) first.set(keyOf(r), i); });
    const leaders = rows.filter((r, i) => first.get(keyOf(r)) === i);
    const values = leaders.flatMap((r) => inboxValues(r));
    let inserted: { id: string; source: string; webhook_id: string }[];
    try {
      // Named, so each connection plans each batch size once.
      ({ rows: inserted } = await this.db.pool.query({
        name: `ingest_inbox_insert_${leaders.length}`, text: insertSql(leaders.length), values, types: BALLAST_TYPES,
      }));
    } catch (e) {
      if (!isDeterministic(e)) throw e;
      return this.oneByOne(rows);
    }
    const ids = new Map(inserted.map((r) => [`${r.source}\u0000${r.webhook_id}`, r.id]));
    const results: (Stored | null)[] = rows.map((r, i) => {
      const id = first.get(keyOf(r)) === i ? ids.get(keyOf(r)) : undefined;
      return id === undefined ? null : { kind: 'stored', id, reason: r.reason };
    });
    const dupes = rows.filter((_, i) => results[i] === null);
    if (dupes.length === 0) return results as Stored[];
    const answers = await noteRedeliveries(this.db, dupes);
    let next = 0;
    return results.map((s) => s ?? answers[next++]!);
  }

  /** The INSERT failed on some row's data: each row alone, in order, as store.ts does for one delivery. */
  private async oneByOne(rows: InboxRow[]): Promise<Stored[]> {
    const results: Stored[] = [];
    for (const r of rows) results.push(await storeDelivery(this.db, r));
    return results;
  }
}
