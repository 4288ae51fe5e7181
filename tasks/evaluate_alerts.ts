/**
 * evaluate_alerts: every minute (ops/crontab), runs each enabled alert rule's
 * condition and opens, bumps or resolves alerts (lib/alerts). A rule whose
 * condition fails is logged and counted; the others still run.
 */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { evaluateAlerts } from '../lib/alerts/index.ts';

export const EVALUATE_ALERTS_TASK = 'evaluate_alerts';

/** The task with its clock: tests pass their own `now`. */
export function evaluateAlertsTask(now: () => Date = () => new Date()) {
  return defineMaintenanceTask({
    name: EVALUATE_ALERTS_TASK,
    config: z.object({
      /** Only these rules. @defaultValue every enabled rule */
      rules: z.array(z.string()).optional(),
    }),
    async runOnce(config, { db, log }) {
      const r = await evaluateAlerts(db, { now: now(), ...(config.rules ? { rules: config.rules } : {}) });
      for (const o of r.outcomes) {
        if (o.error) log.error({ rule: o.rule, error: o.error }, 'alert rule could not be evaluated');
        else if (o.opened > 0) log.warn({ rule: o.rule, opened: o.opened }, 'alert opened');
      }
      return { taken: r.rules, opened: r.opened, bumped: r.bumped, pending: r.pending, resolved: r.resolved, failed: r.failed };
    },
  });
}

export default evaluateAlertsTask();
