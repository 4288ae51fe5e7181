/** replay_dead_letters (cron, every minute): replays due dead letters within their bound. */
import { z } from 'zod';
import { defineStage } from '../lib/stage/index.ts';
import { requeueDueDeadLetters } from '../lib/failures/index.ts';
import { storeMaintenanceRun } from './maintenance.ts';

export default defineStage({
  task: 'replay_dead_letters',
  version: '1.0.0',
  queue: 'maintenance',
  rootTrace: true,
  payload: z.object({ batchSize: z.number().int().positive().optional() }),
  async run({ batchSize }, ctx) {
    const started = new Date();
    const result = await requeueDueDeadLetters(ctx.db, batchSize ? { batchSize } : {});
    await storeMaintenanceRun(ctx.tx, 'replay_dead_letters', started, result);
  },
});
