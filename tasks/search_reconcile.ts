/** search_reconcile: diffs Postgres and Qdrant and enqueues repairs (nightly on ops/crontab). */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { PermanentError } from '../lib/stage/index.ts';
import { reconcileSearch, searchRuntime } from '../lib/search/index.ts';

// One batch per run: a reconciliation is one pass over both stores.
export default defineMaintenanceTask({
  name: 'search_reconcile',
  queue: 'search',
  config: z.object({
    /** Recorded in search.reconcile_runs. @defaultValue `job` (ops/crontab passes `cron`) */
    triggered_by: z.string().min(1).max(100).default('job'),
    /** Rows per cursor fetch and per scroll page. @defaultValue `1000` */
    page_size: z.number().int().positive().max(10_000).default(1000),
  }),
  async runOnce({ triggered_by, page_size }, { db, config, log }) {
    const rt = await searchRuntime(config);
    const r = await reconcileSearch(db, rt, { triggeredBy: triggered_by, pageSize: page_size });
    log.info({ ...r }, 'search reconciliation finished');
    if (r.status === 'failed') throw new PermanentError(`search reconciliation ${r.run_id} failed: ${r.error}`, 'SEARCH_RECONCILE_FAILED');
    const { expected, actual, missing, stale, orphaned, repaired, unrepaired } = r;
    return { taken: expected + actual, expected, actual, missing, stale, orphaned, repaired, unrepaired };
  },
});
