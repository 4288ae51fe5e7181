/** sweep_dead_letters (cron, every minute): writes dead letters a crash left unwritten. */
import { z } from 'zod';
import { defineStage } from '../lib/stage/index.ts';
import { recoverFailedJobs } from '../lib/failures/index.ts';
import { storeMaintenanceRun } from './maintenance.ts';

export default defineStage({
  task: 'sweep_dead_letters',
  version: '1.0.0',
  queue: 'maintenance',
  rootTrace: true,
  payload: z.object({ removeAfterSeconds: z.number().int().nonnegative().optional() }),
  async run({ removeAfterSeconds }, ctx) {
    const started = new Date();
    const result = await recoverFailedJobs(ctx, removeAfterSeconds != null ? { removeAfterSeconds } : {});
    await storeMaintenanceRun(ctx.tx, 'sweep_dead_letters', started, result);
  },
});
