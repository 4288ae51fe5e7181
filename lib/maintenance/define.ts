/**
 * One shape for background work (cron and maintenance tasks), after River's
 * maintenance services: a config with documented defaults, validated from the
 * job payload; `runOnce` does one batch and returns its counts; the shape
 * repeats it until a batch comes back short, within its bounds (batches.ts),
 * and writes one row per run to `ballast.maintenance_runs`, whether the run
 * succeeded or failed.
 */
import { z } from 'zod';
import type { Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/index.ts';
import type { TraceContext } from '../trace/index.ts';
import { defineStage, InvalidInputError, zodMessage, type Stage } from '../stage/index.ts';
import { errorMessage, type Redactor } from '../failures/index.ts';
import { repeatBatches, type BatchCounts } from './batches.ts';

export type { BatchCounts } from './batches.ts';

export interface MaintenanceContext {
  /** The worker's pool: each batch runs its own transactions. */
  db: Db;
  /** The worker's configuration. */
  config: Config;
  log: Logger;
  /** The install's redactor, for anything a batch stores or logs that may hold personal data. */
  redactor: Redactor;
  trace: TraceContext;
  /** Aborts when the worker shuts down; the run ends after the current batch. */
  signal: AbortSignal;
  /** 0 for the run's first batch. */
  batch: number;
}

export interface MaintenanceTaskSpec<C extends z.ZodObject> {
  /** graphile-worker task identifier, as ops/crontab names it. */
  name: string;
  /** Stamped on the job ledger (`task_version`). @defaultValue `1.0.0` */
  version?: string;
  /** Named queue. @defaultValue `maintenance` */
  queue?: string;
  /**
   * The task's settings: a zod object whose fields (snake_case) each have a
   * documented default; a job's payload may set any of them, and an unknown
   * or invalid field fails the job permanently. With `batch_size`, a batch
   * that took fewer items ends the run, and `max_batches` (default 1000)
   * bounds it, as does `time_budget_ms` when the config has it (no batch
   * starts once the run has used it up); without `batch_size`, a run is one
   * batch.
   */
  config: C;
  /** The clock `time_budget_ms` is measured on (tests pass their own). @defaultValue `Date.now` */
  now?: () => number;
  /** One batch. Throwing ends the run as failed (a transient error is retried by graphile-worker). */
  runOnce(config: z.output<C>, ctx: MaintenanceContext): Promise<BatchCounts>;
}

/** Payload fields that carry the trace or come from graphile-worker's cron, not the config. */
const NOT_CONFIG = new Set(['trace_id', 'parent_span_id', 'correlation_id', 'replay_of', '_cron']);

/** Bounds a run whose config has `batch_size` but no `max_batches`. */
export const DEFAULT_MAX_BATCHES = 1000;

/** The config a job's payload gives: defaults filled in; an unknown or invalid field is an InvalidInputError. */
export function maintenanceConfig<C extends z.ZodObject>(name: string, config: C, payload: unknown): z.output<C> {
  const fields = Object.fromEntries(Object.entries(payload && typeof payload === 'object' ? payload : {})
    .filter(([k]) => !NOT_CONFIG.has(k)));
  const parsed = config.strict().safeParse(fields);
  if (!parsed.success) throw new InvalidInputError(`${name}: invalid config: ${zodMessage(parsed.error, 'config')}`);
  return parsed.data as z.output<C>;
}

export interface RunRow {
  task: string;
  trace_id: string | null;
  started_at: Date;
  finished_at: Date;
  counts: Record<string, number>;
  outcome: 'succeeded' | 'failed';
  error: string | null;
}

async function recordRun(db: Db, r: RunRow): Promise<void> {
  await db.atomicWrite((tx) => tx.query(
    `insert into ballast.maintenance_runs (task, trace_id, started_at, finished_at, counts, outcome, error)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [r.task, r.trace_id, r.started_at, r.finished_at, JSON.stringify(r.counts), r.outcome, r.error]),
  { actor: `maintenance:${r.task}` });
}

export function defineMaintenanceTask<C extends z.ZodObject>(spec: MaintenanceTaskSpec<C>): Stage {
  return defineStage({
    task: spec.name,
    version: spec.version ?? '1.0.0',
    queue: spec.queue ?? 'maintenance',
    rootTrace: true,
    // The config is validated inside the run, so an invalid one leaves its run row too.
    payload: z.unknown(),
    async run(payload, { db, config: settings, log, redactor, trace, signal }) {
      const started = new Date();
      const counts: Record<string, number> = { batches: 0 };
      let failure: unknown = null;
      try {
        const config = maintenanceConfig(spec.name, spec.config, payload);
        await repeatBatches({
          batchSize: typeof config.batch_size === 'number' ? config.batch_size : null,
          maxBatches: typeof config.max_batches === 'number' ? config.max_batches : DEFAULT_MAX_BATCHES,
          budgetMs: typeof config.time_budget_ms === 'number' ? config.time_budget_ms : null,
          ...(spec.now ? { now: spec.now } : {}),
          signal,
        }, (batch) => spec.runOnce(config, { db, config: settings, log, redactor, trace, signal, batch }), counts);
      } catch (err) {
        failure = err;
      }
      const row: RunRow = {
        task: spec.name, trace_id: trace.trace_id, started_at: started, finished_at: new Date(), counts,
        outcome: failure ? 'failed' : 'succeeded',
        error: failure ? errorMessage(failure, redactor) : null,
      };
      // A failed run's row is best effort: the failure itself must still reach the failure path.
      await recordRun(db, row).catch((e) => {
        if (!failure) throw e;
        log.error({ err: e, task: spec.name }, 'could not record the failed maintenance run');
      });
      if (failure) throw failure;
      log[(counts.taken ?? 0) > 0 ? 'info' : 'debug']({ task: spec.name, counts }, 'maintenance run finished');
    },
  });
}
