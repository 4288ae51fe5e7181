/**
 * reconcile_usage: nightly (ops/crontab), compares the provider's usage of one
 * day with ballast's billed usage and records the run and its mismatches
 * (lib/reconcile; docs/reconciliation.md). A provider that cannot be read
 * fails the run (its row says why) and the job, with the error's class: a
 * timeout or a 5xx is retried, a bad answer is not; both raise the
 * usage_reconciliation_mismatch alert from the failed run row. With no
 * provider configured the run is skipped (`unconfigured` in its maintenance
 * run's counts).
 */
import { z } from 'zod';
import { defineMaintenanceTask, type BatchCounts } from '../lib/maintenance/index.ts';
import { reconcileUsage, usageProviderFromConfig, yesterday } from '../lib/reconcile/index.ts';

export const RECONCILE_USAGE_TASK = 'reconcile_usage';

/** The task with its clock: tests pass their own `now`. */
export function reconcileUsageTask(now: () => Date = () => new Date()) {
  return defineMaintenanceTask({
    name: RECONCILE_USAGE_TASK,
    config: z.object({
      /** The UTC day to reconcile, `YYYY-MM-DD`. @defaultValue the day before the run (by the task's clock) */
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD').optional(),
      /** `http` (the provider's usage API, BALLAST_USAGE_PROVIDER_*) or `file`. @defaultValue `file` with `file`, else `http` */
      provider: z.enum(['http', 'file']).optional(),
      /** The export the file provider reads (CSV or JSON). @defaultValue none */
      file: z.string().min(1).optional(),
      /** Recorded on the run row. @defaultValue `job` (ops/crontab passes `cron`) */
      triggered_by: z.string().min(1).max(100).default('job'),
    }),
    async runOnce(c, { db, config, redactor, log, signal }): Promise<BatchCounts> {
      // An install with no provider bills nobody through one: the cron run is skipped, and says so.
      if (!c.provider && !c.file && !config.BALLAST_USAGE_PROVIDER_URL) {
        log.warn({ task: RECONCILE_USAGE_TASK }, 'usage reconciliation skipped: BALLAST_USAGE_PROVIDER_URL is not set');
        return { taken: 0, unconfigured: 1 };
      }
      const provider = usageProviderFromConfig(config, { provider: c.provider, file: c.file });
      const r = await reconcileUsage(db, provider, { day: c.day ?? yesterday(now()), triggeredBy: c.triggered_by, redactor, signal });
      const { cause, ...row } = r;
      if (r.status === 'failed') throw cause;
      log[r.status === 'clean' ? 'info' : 'warn'](row, 'usage reconciliation finished');
      return { taken: r.provider_records, agents: r.agents_compared, mismatches: r.mismatches, run_id: r.run_id };
    },
  });
}

export default reconcileUsageTask();
