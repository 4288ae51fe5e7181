/**
 * audit_seal: appends newly committed audit ledger rows to the hash chain
 * (`audit.seal()`); run every minute from ops/crontab. Writers never wait
 * for it: only sealers take its lock.
 */
import { z } from 'zod';
import { defineStage } from '../lib/stage/index.ts';
import { sealOnce } from '../lib/audit/index.ts';

export default defineStage({
  task: 'audit_seal',
  version: '1.0.0',
  queue: 'maintenance',
  payload: z.object({ batch_size: z.number().int().positive().max(100_000).default(10_000) }),
  async run({ batch_size }, { tx, log }) {
    const r = await sealOnce(tx, batch_size);
    if (r.sealed > 0) log.info({ sealed: r.sealed, head: r.head, horizon: r.horizon }, 'audit ledger sealed');
  },
});
