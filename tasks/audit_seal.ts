/**
 * audit_seal: appends newly committed audit ledger rows to the hash chain
 * (`audit.seal()`); run every minute from ops/crontab. Writers never wait
 * for it: only sealers take its lock.
 */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { sealOnce } from '../lib/audit/index.ts';

export default defineMaintenanceTask({
  name: 'audit_seal',
  config: z.object({
    /** Ledger rows sealed per transaction. @defaultValue `10000` */
    batch_size: z.number().int().positive().max(100_000).default(10_000),
    /** Seal transactions per run; a short one ends the run sooner. @defaultValue `100` */
    max_batches: z.number().int().positive().default(100),
  }),
  async runOnce({ batch_size }, { db, log }) {
    const r = await db.atomicWrite((tx) => sealOnce(tx, batch_size), { actor: 'maintenance:audit_seal' });
    if (r.sealed > 0) log.info({ sealed: r.sealed, head: r.head, horizon: r.horizon }, 'audit ledger sealed');
    return { taken: r.sealed, sealed: r.sealed };
  },
});
