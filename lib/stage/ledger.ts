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
import pg from 'pg';
import { sqlLiteral, type Db } from '../db/index.ts';

export type AttemptStatus = 'running' | 'succeeded' | 'failed';

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

// One statement for one row or many: rows arrive as a JSON array.
const UPSERT = `
insert into ballast.job_attempts (${COLUMNS.join(', ')}, heartbeat_at)
select ${COLUMNS.join(', ')}, coalesce(finished_at, now())
  from json_populate_recordset(null::ballast.job_attempts, $1::json)
on conflict (span_id) do update set
  status = excluded.status,
  finished_at = excluded.finished_at,
  heartbeat_at = excluded.heartbeat_at,
  error = excluded.error,
  will_retry = excluded.will_retry`;

const HEARTBEAT = `
insert into ballast.job_attempts (${COLUMNS.join(', ')}, heartbeat_at)
select ${COLUMNS.join(', ')}, now()
  from json_populate_recordset(null::ballast.job_attempts, $1::json)
on conflict (span_id) do update set heartbeat_at = now()
 where job_attempts.status = 'running'`;

/**
 * The ledger upsert with its rows inlined as an escaped literal, so it can
 * share a round trip with COMMIT (simple protocol takes no parameters).
 * Concatenated, never `String.replace`d: a replacement string treats `$&`,
 * `$'` and `$$` in an error message as patterns.
 */
export const attemptsSql = (rows: AttemptRow[]): string => {
  const at = UPSERT.indexOf('$1');
  return UPSERT.slice(0, at) + pg.escapeLiteral(JSON.stringify(rows)) + UPSERT.slice(at + 2);
};

const TYPES: Record<(typeof COLUMNS)[number], string> = {
  job_id: 'bigint', task: 'text', task_version: 'text', queue: 'text', attempt: 'int', max_attempts: 'int',
  trace_id: 'text', span_id: 'text', parent_span_id: 'text', correlation_id: 'text', worker_id: 'text',
  status: 'text', job_created_at: 'timestamptz', started_at: 'timestamptz', finished_at: 'timestamptz',
  error: 'text', will_retry: 'boolean', replay_of: 'uuid',
};

/** Registered on the worker's Db: the per-attempt ledger insert, planned once per connection. */
export const PREPARE_LEDGER_INSERT = `prepare ballast_ledger_insert (${COLUMNS.map((c) => TYPES[c]).join(', ')}) as
  insert into ballast.job_attempts (${COLUMNS.join(', ')}, heartbeat_at)
  values (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')}, $${COLUMNS.indexOf('finished_at') + 1})`;

/**
 * One finished attempt that never heartbeated: `execute` of the prepared
 * insert, so it can share the COMMIT's round trip without being planned again.
 * This runs once per job, so its cost is the runtime's overhead.
 */
export function attemptInsertSql(r: AttemptRow): string {
  return `execute ballast_ledger_insert(${COLUMNS.map((c) => sqlLiteral(r[c])).join(', ')})`;
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
    // The rows travel as one JSON parameter of a named (parsed once per
    // connection) statement: no escaping and no SQL text to build per row.
    const begin = this.asyncCommit ? 'begin; set local synchronous_commit = off' : 'begin';
    const run = async (rows: AttemptRow[]) => {
      const client = await this.db.pool.connect();
      try {
        await client.query(begin);
        await client.query({ name: 'ballast_ledger_batch', text: UPSERT, values: [JSON.stringify(rows)] });
        await client.query('commit');
        client.release();
      } catch (e) {
        await client.query('rollback').catch(() => undefined);
        client.release();
        throw e;
      }
    };
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
