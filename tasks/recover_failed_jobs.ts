/**
 * recover_failed_jobs (cron, every minute): writes the dead letters a crash
 * left unwritten, and removes failed jobs whose dead letter exists.
 */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { recoverFailedJobs } from '../lib/failures/index.ts';

export default defineMaintenanceTask({
  name: 'recover_failed_jobs',
  config: z.object({
    /** Failed jobs examined per batch. @defaultValue `500` */
    batch_size: z.number().int().positive().max(10_000).default(500),
    /** Batches per run; a short batch ends the run sooner. @defaultValue `10` */
    max_batches: z.number().int().positive().default(10),
    /** A failed job whose dead letter exists is removed after this many seconds. @defaultValue `60` */
    remove_after_seconds: z.number().int().nonnegative().default(60),
  }),
  async runOnce({ batch_size, remove_after_seconds }, { db, log, redactor }) {
    const r = await recoverFailedJobs({ db, log, redactor }, { limit: batch_size, removeAfterSeconds: remove_after_seconds });
    return { taken: r.recovered, ...r };
  },
});
