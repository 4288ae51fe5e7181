/**
 * Keeps graphile-worker running in this process across a database restart,
 * a failover or a network blip.
 *
 * graphile-worker 0.17.3 survives a lost connection while it only fetches
 * (its LISTEN client reconnects with backoff; a failed fetch waits for the
 * next poll). But its batched completion does not retry: when completing or
 * failing jobs fails, it shuts its worker pool down ("queue is in an
 * inconsistent state"), and a restart fails every completion in flight. That
 * shutdown can also wedge: after two failed batches its batcher's pending
 * count goes below zero and the pool's promise never settles.
 *
 * So the supervisor watches for the pool shutting down without being asked
 * (graphile-worker's `pool:gracefulShutdown`/`pool:forcefulShutdown` events,
 * or the runner's promise), and then:
 * 1. stops that runner's cron, and waits until the task bodies it was running
 *    have ended (they fail fast while the database is away);
 * 2. waits, with backoff, until the database answers;
 * 3. frees the jobs the stopped pool still held, through graphile-worker's
 *    `force_unlock_workers` (that pool runs nothing any more);
 * 4. starts a new runner on the same process and pg pool.
 * Only an error that is not the database being unavailable, while starting a
 * runner (a wrong password, a missing grant, a bad crontab), ends the worker.
 */
import { EventEmitter } from 'node:events';
import type { Runner, Task, TaskList, WorkerEvents } from 'graphile-worker';
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/index.ts';
import { isDatabaseUnavailable } from '../failures/index.ts';
import { ignoreStrandedQueueErrors } from './stranded.ts';

export interface SupervisorOptions {
  db: Db;
  log: Logger;
  /** The tasks to run; the supervisor counts their bodies in flight. */
  taskList: TaskList;
  /** Starts one graphile-worker runner with `taskList` that emits to `events`. */
  start(taskList: TaskList, events: WorkerEvents): Promise<Runner>;
  /**
   * Longest wait for running task bodies: of a pool that stopped on its own
   * before its jobs are freed, and of the last pool on `stop()`.
   * @defaultValue `30000`
   */
  drainMs?: number;
  /** First wait before a restart attempt; it doubles per consecutive failure. @defaultValue `250` */
  minBackoffMs?: number;
  /** Longest wait between restart attempts. @defaultValue `30000` */
  maxBackoffMs?: number;
  /** A runner that stayed up this long resets the backoff. @defaultValue `60000` */
  healthyMs?: number;
}

export interface Supervisor {
  /** The runner now running (a new one after each restart). */
  runner(): Runner;
  /** graphile-worker pool ids this process has run (their `locked_by`), the current one last. */
  poolIds(): string[];
  /** How many times the runner was restarted. */
  restarts(): number;
  /** Resolves once stopped; rejects on a fatal error. */
  done: Promise<void>;
  /** Stops fetching; in-flight jobs finish (for at most `drainMs`); frees whatever this process's pools still hold. */
  stop(): Promise<void>;
}

const FREE_JOBS = 'select graphile_worker.force_unlock_workers($1::text[])';

interface Started { runner: Runner; pool: string | null; startedAt: number; ended: Promise<unknown> }

/** Resolves with `p`'s outcome, or with `undefined` after `ms`. */
const within = <T>(p: Promise<T>, ms: number): Promise<T | undefined> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); })]).finally(() => clearTimeout(timer));
};

/**
 * Starts a runner and keeps one running until `stop()`. The first start's
 * errors are thrown to the caller, as without supervision.
 */
export async function superviseRunner(opts: SupervisorOptions): Promise<Supervisor> {
  const { db, log } = opts;
  const minBackoff = opts.minBackoffMs ?? 250;
  const maxBackoff = opts.maxBackoffMs ?? 30_000;
  const healthyMs = opts.healthyMs ?? 60_000;
  const drainMs = opts.drainMs ?? 30_000;
  ignoreStrandedQueueErrors(log);

  let inFlight = 0;
  const taskList = Object.fromEntries(Object.entries(opts.taskList).map(([name, task]): [string, Task] => [name, async (payload, helpers) => {
    inFlight += 1;
    try {
      return await task!(payload, helpers);
    } finally {
      inFlight -= 1;
    }
  }]));

  const pools: string[] = [];
  const start = async (): Promise<Started> => {
    const events = new EventEmitter() as WorkerEvents;
    let pool: string | null = null;
    let end: (why: unknown) => void = () => {};
    const ended = new Promise<unknown>((resolve) => { end = resolve; });
    events.on('pool:create', ({ workerPool }) => { pool = workerPool.id; pools.push(pool); });
    events.on('pool:gracefulShutdown', ({ message }) => end(message));
    events.on('pool:forcefulShutdown', ({ message }) => end(message));
    const runner = await opts.start(taskList, events);
    runner.promise.then(() => end('the runner exited'), (e: unknown) => end(e));
    return { runner, pool, startedAt: Date.now(), ended };
  };

  let stopping = false;
  // One sleep at a time; stop() cuts it short.
  let sleeping: { timer: NodeJS.Timeout; resolve(): void } | null = null;
  const pause = (ms: number) => new Promise<void>((resolve) => {
    sleeping = { timer: setTimeout(() => { sleeping = null; resolve(); }, ms), resolve };
  });
  const wake = () => {
    if (!sleeping) return;
    clearTimeout(sleeping.timer);
    sleeping.resolve();
    sleeping = null;
  };
  const backoff = (failures: number) => Math.min(maxBackoff, minBackoff * 2 ** failures) * (0.5 + Math.random() / 2);
  /** Waits until no task body runs (or `until`, or stop() when `interruptible`); returns how many still run. */
  const drain = async (until: number, interruptible: boolean) => {
    while (inFlight > 0 && Date.now() < until && !(interruptible && stopping)) await new Promise((r) => setTimeout(r, 50));
    return inFlight;
  };

  let current = await start();
  let restarts = 0;

  const supervise = async (): Promise<void> => {
    let failures = 0;
    for (;;) {
      const why = await current.ended;
      if (stopping) return;
      if (Date.now() - current.startedAt >= healthyMs) failures = 0;
      log.warn({ reason: why instanceof Error ? why.message : String(why), pool_id: current.pool },
        'graphile-worker stopped its pool on its own (database unavailable?); restarting it once the database answers');
      // Stops its cron now; the pool's own shutdown may never settle (see above).
      void current.runner.stop().catch(() => undefined);
      const left = await drain(Date.now() + drainMs, true);
      if (stopping) return;
      if (left > 0) log.warn({ in_flight: left }, 'task bodies of the stopped pool are still running after the drain period; freeing its jobs anyway');

      for (;;) {
        await pause(backoff(failures++));
        if (stopping) return;
        try {
          await db.query(FREE_JOBS, [pools]);
          current = await start();
          break;
        } catch (e) {
          if (!isDatabaseUnavailable(e)) {
            log.fatal({ err: e }, 'cannot restart graphile-worker, and not because the database is away; giving up');
            throw e;
          }
          log.warn({ error: (e as Error).message }, 'database still unavailable; graphile-worker not restarted yet');
        }
      }
      restarts += 1;
      log.warn({ pool_id: current.pool, restarts }, 'graphile-worker restarted; the stopped pool\'s jobs are free again');
      if (stopping) {
        // stop() arrived while this runner was starting.
        await current.runner.stop().catch(() => undefined);
        return;
      }
    }
  };
  const supervised = supervise();

  let stopped: Promise<void> | null = null;
  const stop = () => {
    stopped ??= (async () => {
      stopping = true;
      wake();
      const deadline = Date.now() + drainMs;
      // A runner that stopped on its own answers "Runner is already stopped".
      const clean = await within(current.runner.stop().then(() => true, () => false), drainMs);
      await supervised.catch(() => undefined);
      const left = await drain(deadline, false);
      if (!clean || restarts > 0 || left > 0) {
        if (left > 0) log.error({ in_flight: left }, 'stopping with task bodies still running; their jobs stay locked until rescued');
        else {
          // Nothing of ours runs now, so whatever our pools still lock is nobody's.
          await within(db.query(FREE_JOBS, [pools]), 5000)
            .catch((e) => log.warn({ error: (e as Error).message }, 'could not free this process\'s locked jobs on the way out'));
        }
      }
    })();
    return stopped;
  };

  return {
    runner: () => current.runner,
    poolIds: () => pools.slice(),
    restarts: () => restarts,
    done: supervised.then(() => stop()),
    stop,
  };
}
