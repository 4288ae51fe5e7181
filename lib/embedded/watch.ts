/**
 * `ballast up`'s watch over the embedded PostgreSQL it started itself (as
 * its child: postmaster.ts). When the postmaster exits without being asked
 * to (a crash, an OOM kill, someone killing it), the watch logs one error
 * line, starts it again on the same data dir and port, so every child's
 * DATABASE_URL stays valid, and logs when it is back. Meanwhile the receiver
 * answers 503 and the workers retry their connections.
 *
 * Restarts are spaced by a doubling delay and bounded: when one more would
 * exceed `maxRestarts` within `windowMs`, the watch gives up and `gaveUp`
 * resolves with an error naming the server's log, so that `up` stops the
 * fleet and exits non-zero instead of restarting for ever.
 */
import type { Logger } from '../log/index.ts';
import type { EmbeddedServer } from './server.ts';
import type { PostmasterExit } from './postmaster.ts';

export interface RestartPolicy {
  /** Restarts allowed within `windowMs`; needing one more gives up. @defaultValue `5` */
  maxRestarts: number;
  /** @defaultValue 10 minutes */
  windowMs: number;
  /** Delay before a restart when none happened within `windowMs`; doubled for each that did. @defaultValue 1 s */
  firstDelayMs: number;
  /** Longest delay before a restart. @defaultValue 30 s */
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: Readonly<RestartPolicy> = { maxRestarts: 5, windowMs: 10 * 60_000, firstDelayMs: 1000, maxDelayMs: 30_000 };

/**
 * Milliseconds to wait before the next restart, or null to give up.
 * `restarts`: when the earlier restarts began; those older than the window do not count.
 */
export function restartDelay(restarts: readonly number[], now: number, policy: RestartPolicy): number | null {
  const recent = restarts.filter((at) => now - at < policy.windowMs).length;
  if (recent >= policy.maxRestarts) return null;
  return Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** recent);
}

export interface WatchOptions {
  log: Logger;
  /** @defaultValue DEFAULT_RESTART_POLICY */
  policy?: Partial<RestartPolicy>;
  /** The clock restarts are counted by. @defaultValue `Date.now` */
  now?: () => number;
}

export interface EmbeddedWatch {
  /** Resolves (it never rejects) if the watch gives up: the error for the operator, naming the server's log. */
  gaveUp: Promise<Error>;
  /** Stops watching, before the server is stopped on purpose; waits for a restart under way. */
  stop(): Promise<void>;
}

const duration = (ms: number) => (ms >= 60_000 ? `${Math.round(ms / 6000) / 10} min` : `${Math.round(ms / 100) / 10} s`);
const exitHow = (e: PostmasterExit) => (e.signal ? `killed by ${e.signal}` : `exit code ${e.code}`);

/**
 * Watches `server` if this process started it with the `child` option;
 * null if it did not (DATABASE_URL's server, or one found running), since
 * only whoever started a server restarts it.
 */
export function watchEmbedded(server: EmbeddedServer, opts: WatchOptions): EmbeddedWatch | null {
  const { postmaster } = server;
  if (!postmaster) return null;
  const policy = { ...DEFAULT_RESTART_POLICY, ...opts.policy };
  const now = opts.now ?? Date.now;
  const { log } = opts;
  const where = { port: server.port, log: server.logFile };
  let stopping = false;
  let wake: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => { wake = resolve; });
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void stopped.then(() => { clearTimeout(timer); resolve(); });
  });
  let giveUp: (e: Error) => void = () => undefined;
  const gaveUp = new Promise<Error>((resolve) => { giveUp = resolve; });
  const restarts: number[] = [];

  /** Restarts until the server is back (true), or gives up or is stopped (false). */
  const bringBack = async (exit: PostmasterExit): Promise<boolean> => {
    let delay = restartDelay(restarts, now(), policy);
    log.error({ ...where, postmaster_pid: exit.pid, code: exit.code, signal: exit.signal },
      `embedded PostgreSQL (pid ${exit.pid}) exited unexpectedly (${exitHow(exit)}); ${delay === null ? 'not restarting it' : `restarting it in ${duration(delay)}`}; its log: ${server.logFile}`);
    for (let attempt = 1; delay !== null; attempt++) {
      await pause(delay);
      if (stopping) return false;
      restarts.push(now());
      try {
        await postmaster.restart();
        log.info({ ...where, postmaster_pid: postmaster.pid, attempt }, `embedded PostgreSQL is back (pid ${postmaster.pid}, port ${server.port})`);
        return true;
      } catch (e) {
        delay = restartDelay(restarts, now(), policy);
        log.error({ ...where, attempt, error: (e as Error).message },
          `embedded PostgreSQL did not restart (attempt ${attempt}); ${delay === null ? 'giving up' : `next attempt in ${duration(delay)}`}`);
      }
    }
    giveUp(new Error(`the embedded PostgreSQL exited and did not come back after ${policy.maxRestarts} restarts within ${duration(policy.windowMs)}: `
      + `read its log ${server.logFile}, fix what it reports, then run \`ballast up\` again`));
    return false;
  };

  const watching = (async () => {
    for (;;) {
      const exit = await Promise.race([postmaster.exited(), stopped.then(() => null)]);
      if (!exit || stopping || !(await bringBack(exit))) return;
    }
  })();

  return {
    gaveUp,
    async stop() {
      stopping = true;
      wake();
      await watching;
    },
  };
}
