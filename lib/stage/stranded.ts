/**
 * A fence around two graphile-worker 0.17.3 bugs that otherwise end the
 * process when its worker pool stops while the database is away.
 *
 * - Releasing the local queue while it holds fetched jobs throws inside
 *   graphile-worker ("Cannot background something when the queue is already
 *   released"), after it has started returning those jobs to the database.
 *   Nothing awaits that return, so when the database is away its failure,
 *   "Error occurred whilst returning jobs from local queue to database
 *   queue", is an unhandled rejection.
 * - A job finishing after the pool's completion batcher was released calls
 *   it anyway; behind its backpressure, "This batcher has been released" is
 *   an unhandled rejection too.
 *
 * Both leave jobs locked by a pool that no longer runs, and the supervisor
 * (supervise.ts) frees them with `force_unlock_workers` before it starts the
 * next runner. So these two rejections, and only these, are logged here
 * instead of ending the process; any other unhandled rejection still does.
 * test/stage/restart.test.ts restarts PostgreSQL under load and fails if the
 * process dies; check both messages again when upgrading graphile-worker.
 */
import type { Logger } from '../log/index.ts';

const STRANDED = [
  /^Error occurred whilst returning jobs from local queue to database queue/,
  /^This batcher has been released/,
];

/** True for the two rejections above, raised from graphile-worker's own code. */
export function isStrandedQueueError(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  return STRANDED.some((re) => re.test(reason.message)) && /graphile-worker/.test(reason.stack ?? '');
}

let installed = false;

/** Installs the process-wide handler once; later calls do nothing. */
export function ignoreStrandedQueueErrors(log: Logger): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    if (!isStrandedQueueError(reason)) {
      // What Node does when nobody else listens: end the process with it.
      if (process.listenerCount('unhandledRejection') === 1) throw reason;
      return;
    }
    log.error({ err: reason }, 'graphile-worker could not hand back jobs of a stopped pool; the restart frees them');
  });
}
