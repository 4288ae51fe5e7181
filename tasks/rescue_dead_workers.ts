/**
 * rescue_dead_workers: frees the jobs of workers whose heartbeat is older
 * than the grace period, marks their running attempts abandoned, and records
 * what became of each job (lib/fleet/rescue.ts).
 *
 * graphile-worker's cron fires at most once a minute, so ops/crontab starts
 * it every minute and each run schedules the next one `repeat_after_seconds`
 * later under one job key (never more than one waiting). With the defaults, a
 * crashed worker's jobs run again within a minute: its last beat (at most 5 s
 * before the crash) + 30 s of grace + at most 15 s to the next rescue + a
 * worker's poll interval (2 s).
 */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { DEFAULT_GRACE_SECONDS, rescueDeadWorkers } from '../lib/fleet/index.ts';

export const RESCUE_TASK = 'rescue_dead_workers';

export default defineMaintenanceTask({
  name: RESCUE_TASK,
  config: z.object({
    /** Seconds without a heartbeat after which a worker is dead. @defaultValue `30` */
    grace_seconds: z.number().positive().max(86_400).default(DEFAULT_GRACE_SECONDS),
    /** Dead workers rescued per batch. @defaultValue `100` */
    batch_size: z.number().int().positive().max(10_000).default(100),
    /** Batches per run; a short one ends the run sooner. @defaultValue `10` */
    max_batches: z.number().int().positive().default(10),
    /** The next run starts this many seconds after this one; 0: only when cron starts one. @defaultValue `15` */
    repeat_after_seconds: z.number().int().min(0).max(60).default(15),
  }),
  async runOnce(config, { db, log }) {
    const r = await rescueDeadWorkers(db, { graceSeconds: config.grace_seconds, limit: config.batch_size });
    for (const w of r.rescued) log.warn({ worker_id: w.worker_id, pool_ids: w.pool_ids, last_beat_at: w.last_beat_at }, 'rescued a dead worker');
    if (r.workers > 0 || r.abandoned > 0) {
      log.warn({ workers: r.workers, jobs: r.jobs, retry: r.retry, last_attempt: r.last_attempt, superseded: r.superseded,
        completed: r.completed, abandoned: r.abandoned }, 'rescue: freed the jobs of dead workers');
    }
    // The last batch of the run schedules the next run.
    if (r.workers < config.batch_size && config.repeat_after_seconds > 0) {
      await db.query(
        `select graphile_worker.add_job($1, $2::json, run_at => now() + make_interval(secs => $3), job_key => $1, max_attempts => 1)`,
        [RESCUE_TASK, JSON.stringify(config), config.repeat_after_seconds]);
    }
    const { rescued: _, ...counts } = r;
    return { taken: r.workers, ...counts };
  },
});
