/**
 * audit_seal: appends newly committed audit ledger rows to the hash chain
 * (`audit.seal()`); run every minute from ops/crontab. A run seals batch
 * after batch until one comes back short, so the unsealed window stays one
 * run's worth of writes however fast the pipeline writes, and a time budget
 * ends it before the next run is due. Writers never wait for it: only
 * sealers take its lock.
 */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { sealOnce } from '../lib/audit/index.ts';

/** The task, on the clock its time budget is measured on (tests pass their own). */
export function auditSealTask(opts: { now?: () => number } = {}) {
  return defineMaintenanceTask({
    name: 'audit_seal',
    ...(opts.now ? { now: opts.now } : {}),
    config: z.object({
      /** Ledger rows sealed per transaction. @defaultValue `10000` */
      batch_size: z.number().int().positive().max(100_000).default(10_000),
      /** Seal transactions per run, at most. @defaultValue `1000` */
      max_batches: z.number().int().positive().default(1000),
      /**
       * Milliseconds after which no seal transaction starts, so a run ends
       * before the next minute's run is due; what is left waits for it.
       * @defaultValue `45000`
       */
      time_budget_ms: z.number().int().positive().max(3_600_000).default(45_000),
    }),
    async runOnce({ batch_size }, { db, log }) {
      const r = await db.atomicWrite((tx) => sealOnce(tx, batch_size), { actor: 'maintenance:audit_seal' });
      if (r.sealed > 0) log.debug({ sealed: r.sealed, head: r.head, horizon: r.horizon }, 'audit ledger batch sealed');
      return { taken: r.sealed, sealed: r.sealed };
    },
  });
}

export default auditSealTask();
