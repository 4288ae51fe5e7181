/**
 * deliver_alerts: sends what ballast.alert_deliveries still owes each sink
 * (lib/alerts/delivery). ops/crontab runs it every minute; the trigger on
 * ballast.alerts wakes it a second after an alert opens or resolves (one
 * waiting job, by job key); and its last batch schedules a run for the
 * earliest retry still waiting out its backoff.
 */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { deliverAlertsOnce, deliverySettings, sinksFromConfig } from '../lib/alerts/delivery/index.ts';

export const DELIVER_TASK = 'deliver_alerts';

export default defineMaintenanceTask({
  name: DELIVER_TASK,
  config: z.object({
    /** Delivery rows one batch claims (sent at once). @defaultValue `50` */
    batch_size: z.number().int().positive().max(1000).default(50),
    /** Batches per run; a short batch ends the run sooner. @defaultValue `20` */
    max_batches: z.number().int().positive().default(20),
  }),
  async runOnce(config, { db, config: settings, log, redactor, signal, batch }) {
    const counts = await deliverAlertsOnce(db, {
      sinks: sinksFromConfig(settings, log), settings: deliverySettings(settings), batchSize: config.batch_size, redactor, log,
    });
    if (counts.taken < config.batch_size || batch + 1 >= config.max_batches || signal.aborted) {
      await db.atomicWrite((tx) => tx.query(
        `select graphile_worker.add_job($1, json_build_object('trace_id', ballast.setting('trace_id')), run_at => min(next_attempt_at),
                  job_key => $1, job_key_mode => 'preserve_run_at', max_attempts => 5)
           from ballast.alert_deliveries where status = 'pending' having count(*) > 0`, [DELIVER_TASK]));
    }
    return counts;
  },
});
