/**
 * The child processes `ballast up` runs (a receiver and N workers): each is
 * a `ballast <command>` process of its own, restarted when it dies, and
 * stopped with one SIGTERM when the supervisor stops.
 *
 * Children run in their own process group, so a terminal's Ctrl-C reaches
 * only the supervisor, which then sends each child exactly one SIGTERM (a
 * second signal would make a worker stop at once instead of finishing its
 * jobs). Each child also holds an IPC channel to the supervisor and stops
 * itself when that closes (see exitWithParent), so killing the supervisor
 * with SIGKILL leaves no orphans behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from '../config/index.ts';
import type { Logger } from '../log/index.ts';

const BALLAST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/ballast.js');

export interface ChildSpec {
  /** Shown in logs: `receiver`, `worker-1`, ... */
  name: string;
  /** Arguments to `ballast`, e.g. `['worker', '--concurrency', '8']`. */
  args: string[];
  /** Options for Node itself, before the script (WORKER_NODE_ARGS for workers). @defaultValue none */
  nodeArgs?: string[];
}

/**
 * Node options of every worker process (`ballast up`'s children, the systemd
 * unit, the test fleet). A worker's live heap is small, but under Node's
 * default limit V8 lets garbage grow the old generation to several times it
 * between full collections (its growing factor rises with the limit). A 1 GB
 * limit, still far above the live heap, keeps peak RSS low for a few more full
 * collections (figures: docs/performance.md, "Worker memory and search_sync jobs").
 */
export const WORKER_NODE_ARGS: readonly string[] = ['--max-old-space-size=1024'];

export interface SupervisedChild {
  name: string;
  /** The running process's pid, or null while it waits to be restarted. */
  pid: number | null;
  /** How many times it was started. */
  starts: number;
}

export interface Supervisor {
  children(): SupervisedChild[];
  /** SIGTERMs every child once and waits; SIGKILLs those still running after `graceMs`. */
  stop(graceMs: number): Promise<void>;
}

export interface SuperviseOptions {
  /** Environment of every child, on top of this process's. */
  env: Record<string, string>;
  log: Logger;
  /** Delay before restart number `n` (1, 2, ...) of a child that died young. @defaultValue 1 s, doubling, at most 30 s */
  restartDelayMs?: (n: number) => number;
  /** A child that ran at least this long restarts after the first delay again. @defaultValue 30 s */
  healthyAfterMs?: number;
}

/** Starts every child now and keeps it running until stop(). */
export function supervise(specs: ChildSpec[], opts: SuperviseOptions): Supervisor {
  const delay = opts.restartDelayMs ?? ((n) => Math.min(30_000, 1000 * 2 ** (n - 1)));
  const healthyAfter = opts.healthyAfterMs ?? 30_000;
  let stopping = false;

  interface Slot { spec: ChildSpec; child: ChildProcess | null; starts: number; failures: number; timer: NodeJS.Timeout | null; exited: Promise<void> }
  const slots: Slot[] = specs.map((spec) => ({ spec, child: null, starts: 0, failures: 0, timer: null, exited: Promise.resolve() }));

  const start = (slot: Slot) => {
    slot.timer = null;
    if (stopping) return;
    const startedAt = Date.now();
    const child = spawn(process.execPath, [...(slot.spec.nodeArgs ?? []), BALLAST, ...slot.spec.args], {
      env: childEnvironment(opts.env), stdio: ['ignore', 'inherit', 'inherit', 'ipc'], detached: true,
    });
    slot.child = child;
    slot.starts += 1;
    // child_pid, not pid: every line already carries the logger's pid (this process's).
    opts.log.info({ child: slot.spec.name, child_pid: child.pid, start: slot.starts }, 'child started');
    slot.exited = new Promise((resolve) => {
      child.on('error', (e) => opts.log.error({ child: slot.spec.name, error: e.message }, 'child could not start'));
      child.on('exit', (code, signal) => {
        slot.child = null;
        resolve();
        if (stopping) {
          opts.log.info({ child: slot.spec.name, code, signal }, 'child stopped');
          return;
        }
        slot.failures = Date.now() - startedAt >= healthyAfter ? 1 : slot.failures + 1;
        const wait = delay(slot.failures);
        opts.log.warn({ child: slot.spec.name, code, signal, restartInMs: wait }, 'child exited; restarting it');
        slot.timer = setTimeout(() => start(slot), wait);
      });
    });
  };
  for (const slot of slots) start(slot);

  return {
    children: () => slots.map((s) => ({ name: s.spec.name, pid: s.child?.pid ?? null, starts: s.starts })),
    async stop(graceMs) {
      stopping = true;
      await Promise.all(slots.map(async (slot) => {
        if (slot.timer) clearTimeout(slot.timer);
        const child = slot.child;
        if (!child) return;
        child.kill('SIGTERM');
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await slot.exited;
        clearTimeout(kill);
      }));
    },
  };
}

/**
 * In a child of supervise(): stop (as on SIGTERM) when the supervisor goes
 * away. The channel does not keep this process alive by itself.
 */
export function exitWithParent(): void {
  if (!process.channel) return;
  process.channel.unref();
  process.once('disconnect', () => process.kill(process.pid, 'SIGTERM'));
}
