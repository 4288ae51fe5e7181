/** requeue_dead_letters (cron, every minute): re-enqueues due dead letters within their bound. */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { requeueDueDeadLetters } from '../lib/failures/index.ts';

export default defineMaintenanceTask({
  name: 'requeue_dead_letters',
  config: z.object({
    /** Dead letters claimed per batch. @defaultValue `50` */
    batch_size: z.number().int().positive().max(1000).default(50),
    /** Batches per run; a short batch ends the run sooner. @defaultValue `10` */
    max_batches: z.number().int().positive().default(10),
  }),
  async runOnce({ batch_size }, { db }) {
    const r = await requeueDueDeadLetters(db, { batchSize: batch_size });
    return { taken: r.claimed, ...r };
  },
});
