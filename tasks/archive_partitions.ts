/**
 * archive_partitions: one retention pass (lib/archive/lifecycle.ts) over the
 * policies in ballast.retention_policies: compresses warm partitions, holds
 * those with live work, exports, verifies and, only after a verification
 * passed, purges old ones. Every step leaves a row in ballast.archive_runs;
 * the run's counts go to ballast.maintenance_runs. Nightly from ops/crontab.
 */
import { z } from 'zod';
import { archiveStores, runRetention } from '../lib/archive/index.ts';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';

/** The task, on the clock partition ages are measured to (tests pass their own). */
export function archivePartitionsTask(opts: { now?: () => number } = {}) {
  const now = opts.now ?? Date.now;
  return defineMaintenanceTask({
    name: 'archive_partitions',
    now,
    config: z.object({
      /** Steps (compress, export, verify, purge, hold) one run takes at most; the rest wait for the next run. @defaultValue `50` */
      max_steps: z.number().int().positive().max(10_000).default(50),
      /** Only this table's policy (`schema.table`). @defaultValue every enabled policy */
      table: z.string().regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/).optional(),
    }),
    async runOnce({ max_steps, table }, { db, config, log }) {
      return runRetention(db, {
        now: new Date(now()), stores: archiveStores(config), actor: 'maintenance:archive_partitions',
        maxSteps: max_steps, log, ...(table ? { table } : {}),
      });
    },
  });
}

export default archivePartitionsTask();
