/**
 * A worker process: graphile-worker in library mode with a task list built
 * from stages. SIGTERM/SIGINT stop fetching, let in-flight jobs finish, write
 * their ledger rows, then close the pool. A second signal exits at once.
 * When the database goes away (restart, failover, network blip) the process
 * stays, and its runner is restarted once the database answers (supervise.ts).
 */
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { run, type Runner, type TaskList } from 'graphile-worker';
import { loadConfig, type Config } from '../config/index.ts';
import { Db } from '../db/index.ts';
import { createLogger, workerLogger, type Logger } from '../log/index.ts';
import type { Redactor } from '../failures/index.ts';
import { WorkerHeartbeat } from '../fleet/index.ts';
import { LedgerBatcher } from './ledger.ts';
import { registryDrift } from './registry.ts';
import { checkStageNames } from './declaration.ts';
import type { Stage, StageRuntime } from './define.ts';
import { superviseRunner } from './supervise.ts';

export interface WorkerOptions {
  connectionString: string;
  stages: Stage[];
  /** What the stages read their settings from (search, ...). @defaultValue `loadConfig()` when the worker starts */
  config?: Config;
  /** Jobs run at once. @defaultValue `8` */
  concurrency?: number;
  /** Only run stages in these named queues. @defaultValue every queue */
  queues?: string[];
  /** Milliseconds between heartbeats of the worker's row and of a long attempt. @defaultValue `5000` */
  heartbeatMs?: number;
  /** graphile-worker crontab text (see `ops/crontab`). @defaultValue none */
  crontab?: string | undefined;
  /** The install's redactor (`redactorFromConfig`): masks envelopes, dead letters and decision snapshots. */
  redactor: Redactor;
  /** @defaultValue a logger that masks with `redactor` */
  log?: Logger;
  /** Actor the audit ledger records for transactions that name none (config BALLAST_ACTOR). @defaultValue `ballast` */
  actor?: string | undefined;
  /** Install SIGTERM/SIGINT handlers. @defaultValue `true` */
  handleSignals?: boolean;
  /** Milliseconds between polls for jobs that became due without a notification. @defaultValue `2000` */
  pollIntervalMs?: number;
  /** Milliseconds after shutdown starts before running jobs see their abort signal. @defaultValue `25000` */
  gracefulAbortMs?: number;
  /** Longest wait between attempts to restart graphile-worker while the database is away. @defaultValue `30000` */
  maxReconnectDelayMs?: number;
}

export interface WorkerHandle {
  workerId: string;
  db: Db;
  /** The graphile-worker runner now running (a new one after each database outage). */
  runner(): Runner;
  /** graphile-worker pool ids this process has run (its `locked_by`), the current one last. */
  poolIds(): string[];
  /** How many times graphile-worker was restarted after stopping on its own. */
  restarts(): number;
  /** Resolves when the worker has stopped and its pool is closed; rejects on a fatal error. */
  done: Promise<void>;
  /** Graceful stop: no new jobs, in-flight jobs finish. */
  stop(): Promise<void>;
  /** The fleet declared this worker dead (its heartbeat went stale) and it stopped itself. */
  readonly rescued: boolean;
}

export const newWorkerId = (): string => `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;

/**
 * graphile-worker settings every ballast worker uses: a local queue and
 * batched completion, the settings graphile-worker documents for throughput.
 */
export function workerPreset(concurrency: number, gracefulAbortMs = 25_000) {
  return {
    worker: {
      localQueue: { size: concurrency * 4 },
      completeJobBatchDelay: 0,
      failJobBatchDelay: 0,
      gracefulShutdownAbortTimeout: gracefulAbortMs,
    },
  };
}

/**
 * Connections a worker's pool may open: graphile-worker's fetches and
 * completions, every running job's transaction, ledger batches and heartbeats.
 */
export const workerPoolSize = (concurrency: number): number => concurrency * 2 + 4;

export function buildTaskList(stages: Stage[], rt: StageRuntime, queues?: string[]): TaskList {
  checkStageNames(stages);
  const list: TaskList = {};
  for (const s of stages) {
    if (queues && !queues.includes(s.queue)) continue;
    list[s.task] = s.toTask(rt);
  }
  if (Object.keys(list).length === 0) {
    throw new Error(`no stages in queues ${queues?.join(', ')}; known queues: ${[...new Set(stages.map((s) => s.queue))].join(', ')}`);
  }
  return list;
}

export async function startWorker(opts: WorkerOptions): Promise<WorkerHandle> {
  const concurrency = opts.concurrency ?? 8;
  const config = opts.config ?? loadConfig();
  const log = opts.log ?? createLogger(config.LOG_LEVEL, undefined, opts.redactor);
  const workerId = newWorkerId();
  const db = new Db({ connectionString: opts.connectionString, max: workerPoolSize(concurrency), actor: opts.actor, applicationName: `ballast worker ${workerId}` });
  const ledger = new LedgerBatcher(db);
  const rt: StageRuntime = { db, config, ledger, log, redactor: opts.redactor, workerId, heartbeatMs: opts.heartbeatMs ?? 5000 };
  const taskList = buildTaskList(opts.stages, rt, opts.queues);
  let rescued = false;
  // The worker's row in ballast.workers, written before it takes a job; it
  // names graphile-worker's pool id (the `locked_by` of the jobs it locks).
  const heartbeat = new WorkerHeartbeat(db, {
    workerId, tasks: Object.keys(taskList), concurrency, beatMs: rt.heartbeatMs, log,
    onRescued: () => { rescued = true; void stop(); },
  });
  await heartbeat.start();
  const drift = await registryDrift(db, opts.stages).catch((e: Error) => [`cannot read ballast.stages: ${e.message}`]);
  if (drift.length) log.warn({ drift }, 'the stage registry differs from this worker\'s stages; run `ballast migrate`');

  const supervisor = await superviseRunner({
    db, log, taskList,
    drainMs: (opts.gracefulAbortMs ?? 25_000) + 5000,
    ...(opts.maxReconnectDelayMs ? { maxBackoffMs: opts.maxReconnectDelayMs } : {}),
    start: (tasks, events) => {
      // Each runner's pool id (the `locked_by` of its jobs) is named in the worker's row.
      events.on('pool:create', ({ workerPool }) => { void heartbeat.addPool(workerPool.id); });
      return run({
        pgPool: db.pool,
        taskList: tasks,
        concurrency,
        pollInterval: opts.pollIntervalMs ?? 2000,
        noHandleSignals: true,
        logger: workerLogger(log),
        events,
        ...(opts.crontab ? { crontab: opts.crontab } : { parsedCronItems: [] }),
        preset: workerPreset(concurrency, opts.gracefulAbortMs),
      });
    },
  }).catch(async (e) => {
    await heartbeat.stop(true);
    await db.close().catch(() => undefined);
    throw e;
  });

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= supervisor.stop().catch((e) => log.error({ err: e }, 'worker stop failed'));
    return stopping;
  };
  const done = (async () => {
    // After a crash its jobs may still be locked: the row goes stale instead
    // of stopped, and the rescue frees them.
    let graceful = false;
    try {
      await supervisor.done;
      graceful = true;
    } finally {
      await ledger.drain();
      await heartbeat.stop(graceful);
      await db.close();
    }
  })();

  if (opts.handleSignals ?? true) {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (signalled) {
        log.error({ signal: sig }, 'second signal; exiting now');
        process.exit(1);
      }
      signalled = true;
      log.info({ signal: sig, worker_id: workerId }, 'stopping: no new jobs, finishing in-flight ones');
      void stop();
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    void done.catch(() => undefined).finally(() => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
  }

  // The beat that names the pool is in flight; the row names it once startWorker returns.
  // (After the signal handlers: no await may sit between the runner's start and
  // them, or a SIGTERM in between would end a running job with the default action.)
  await heartbeat.beat();
  log.info({ worker_id: workerId, concurrency, tasks: Object.keys(taskList) }, 'worker started');
  return { workerId, db, runner: supervisor.runner, poolIds: supervisor.poolIds, restarts: supervisor.restarts, done, stop, get rescued() { return rescued; } };
}
