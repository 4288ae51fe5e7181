/**
 * The job ledger: one row per attempt in `ballast.job_attempts`.
 *
 * graphile-worker deletes a job when it succeeds, so this is where history
 * lives. A quick attempt writes its row once, when it finishes: inside the
 * stage's own transaction when the stage wrote anything (so outputs, jobs they
 * trigger and the success commit together), otherwise in a batch with other
 * attempts finishing at the same moment. An attempt still running after one
 * heartbeat interval is inserted as `running` and its heartbeat refreshed, so
 * "where is it stuck?" sees it.
 */
import type { Db, Statement } from '../db/index.ts';

/** `abandoned`: its worker stopped heartbeating while it ran (set by the rescue, lib/fleet). */
export type AttemptStatus = 'running' | 'succeeded' | 'failed' | 'abandoned';

export interface AttemptRow {
  job_id: string;
  task: string;
  task_version: string;
  queue: string | null;
  attempt: number;
  max_attempts: number;
  trace_id: string | null;
  span_id: string;
  parent_span_id: string | null;
  correlation_id: string | null;
  worker_id: string;
  status: AttemptStatus;
  job_created_at: Date;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  will_retry: boolean | null;
  /** The dead letter a replayed job answers; its success resolves it (trigger). */
  replay_of: string | null;
}

const COLUMNS = [
  'job_id', 'task', 'task_version', 'queue', 'attempt', 'max_attempts', 'trace_id', 'span_id',
  'parent_span_id', 'correlation_id', 'worker_id', 'status', 'job_created_at', 'started_at',
  'finished_at', 'error', 'will_retry', 'replay_of',
] as const;

// Every statement the ledger sends. One statement for one row or many:
// rows arrive as a JSON array. The worker may not update the ledger: these
// SECURITY DEFINER functions can only finish a running attempt (or insert a
// finished one), and insert a running attempt or refresh its heartbeat.
const UPSERT = 'select ballast.finish_attempts($1::json)';

const HEARTBEAT = 'select ballast.heartbeat_attempts($1::json)';

// A finished attempt that never heartbeated (no row yet).
const INSERT_ONE = `
insert into ballast.job_attempts (${COLUMNS.join(', ')}, heartbeat_at)
values (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${COLUMNS.indexOf('finished_at') + 1})`;

// Ledger batches commit without waiting for a disk flush (see LedgerBatcher).
const ASYNC_COMMIT: Statement = { text: "select set_config('synchronous_commit', 'off', true)" };

// Dates as ISO 8601 in UTC: unambiguous, and far cheaper to build than
// node-postgres's local-time rendering (three per job).
const asParam = (v: unknown) => (v instanceof Date ? v.toISOString() : v);

const upsert = (rows: AttemptRow[]): Statement => ({ text: UPSERT, values: [JSON.stringify(rows)] });

/**
 * The ledger row of a finished attempt, as the last statement of the
 * stage's transaction. This runs once per job, so its cost is the runtime's
 * overhead: a plain insert of an attempt that never heartbeated (the worker
 * may insert), ballast.finish_attempts() for one that did (its `running`
 * row exists).
 */
export function attemptStatement(r: AttemptRow, heartbeated: boolean): Statement {
  return heartbeated ? upsert([r]) : { text: INSERT_ONE, values: COLUMNS.map((c) => asParam(r[c])) };
}

/** Inserts or refreshes a running attempt. */
export async function heartbeatAttempt(db: Db, row: AttemptRow): Promise<void> {
  await db.query(HEARTBEAT, [JSON.stringify([row])]);
}

interface Pending { row: AttemptRow; resolve(): void; reject(e: unknown): void }

/**
 * Batches finished-attempt rows of stages that wrote nothing. A batch that
 * fails (a strict trace policy refusing one row, say) is retried row by row,
 * so only the guilty attempt fails.
 */
export class LedgerBatcher {
  private queue: Pending[] = [];
  private writing: Promise<void> | null = null;

  /**
   * @param asyncCommit commit batches with `synchronous_commit = off`: a
   * Postgres crash may lose the last few hundred milliseconds of these rows
   * (never half of one), in exchange for not waiting on a disk flush per
   * batch. Only rows of attempts that wrote nothing are batched; outputs and
   * their ledger row always commit durably together. @defaultValue `true`
   */
  constructor(private readonly db: Db, private readonly asyncCommit = true) {}

  record(row: AttemptRow): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.writing) this.writing = this.writeAll();
    });
  }

  // Group commit: one batch in flight; rows arriving meanwhile form the next.
  private async writeAll(): Promise<void> {
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      await this.write(batch);
    }
    this.writing = null;
  }

  private async write(batch: Pending[]): Promise<void> {
    // One round trip: BEGIN, (optionally) asynchronous commit, the upsert,
    // whose rows travel as one JSON parameter, and COMMIT. No trace: the
    // batch is the runtime's, not any one job's.
    const run = async (rows: AttemptRow[]) =>
      (await this.db.begin('ATOMIC_WRITE', {}, null)).commit([...(this.asyncCommit ? [ASYNC_COMMIT] : []), upsert(rows)]);
    try {
      await run(batch.map((b) => b.row));
      for (const b of batch) b.resolve();
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      for (const b of batch) await run([b.row]).then(b.resolve, b.reject);
    }
  }

  /** Waits for every row handed in so far. */
  async drain(): Promise<void> {
    while (this.writing) await this.writing;
  }
}
