/**
 * A worker process's heartbeat: its row in `ballast.workers` (id, host, pid,
 * start, last beat, its tasks and graphile-worker pool ids), refreshed every
 * `beatMs` while it runs, and marked stopped when it stops gracefully. The
 * rescue (rescue.ts) frees the jobs of workers whose beat went stale.
 */
import os from 'node:os';
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/index.ts';

export interface HeartbeatOptions {
  /** ballast's worker id (`host:pid:random`), the worker_id of its ledger rows. */
  workerId: string;
  /** The tasks it runs. */
  tasks: string[];
  concurrency: number;
  /** Milliseconds between beats. */
  beatMs: number;
  log: Logger;
  /** Called once when a beat learns the fleet declared this worker dead. */
  onRescued?: (rescuedAt: Date) => void;
}

const BEAT = 'select ballast.beat_worker($1, $2, $3, $4, $5, $6, $7) as rescued_at';

export class WorkerHeartbeat {
  private readonly pools = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> = Promise.resolve();
  private rescued = false;

  constructor(private readonly db: Db, private readonly opts: HeartbeatOptions) {}

  /** Adds a graphile-worker pool id (`locked_by` of its jobs) and beats, so the row names it. */
  addPool(poolId: string): Promise<void> {
    this.pools.add(poolId);
    return this.beat();
  }

  /** Writes the row now, then every `beatMs`. */
  async start(): Promise<void> {
    await this.beat();
    this.timer ??= setInterval(() => { void this.beat(); }, this.opts.beatMs);
    this.timer.unref();
  }

  /**
   * One beat, after the one in flight. A failed beat is logged and the next
   * one tries again: a database restart must not end the worker.
   */
  beat(): Promise<void> {
    this.beating = this.beating.then(async () => {
      try {
        const { rows: [r] } = await this.db.query<{ rescued_at: Date | null }>(BEAT, [
          this.opts.workerId, os.hostname(), process.pid, [...this.pools], this.opts.tasks, this.opts.concurrency, this.opts.beatMs]);
        if (r?.rescued_at && !this.rescued) {
          this.rescued = true;
          this.opts.log.error({ worker_id: this.opts.workerId, rescued_at: r.rescued_at },
            'the fleet declared this worker dead (its heartbeat was stale) and freed its jobs; stopping');
          this.opts.onRescued?.(r.rescued_at);
        }
      } catch (e) {
        this.opts.log.warn({ err: e, worker_id: this.opts.workerId }, 'worker heartbeat failed');
      }
    });
    return this.beating;
  }

  /** Stops beating; with `graceful`, marks the row stopped (its jobs were finished or returned). */
  async stop(graceful: boolean): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    if (!graceful) return;
    await this.db.query('select ballast.stop_worker($1)', [this.opts.workerId])
      .catch((e) => this.opts.log.warn({ err: e, worker_id: this.opts.workerId }, 'could not mark the worker stopped'));
  }
}
