/** search_reconcile: diffs Postgres and Qdrant and enqueues repairs (nightly on ops/crontab). */
import { z } from 'zod';
import type { Db } from '../lib/db/index.ts';
import { PermanentError, type StageContext } from '../lib/stage/index.ts';
import { defineDbStage, reconcileSearch, searchRuntime } from '../lib/search/index.ts';

// rootTrace (stage runtime, issue 3): a cron run has no trace in its payload, so it starts one.
const spec = {
  task: 'search_reconcile',
  version: '1.0.0',
  queue: 'search',
  payload: z.object({ triggered_by: z.string().optional() }).passthrough(),
  async run(input: { triggered_by?: string | undefined }, { config, log }: StageContext, db: Db) {
    const rt = await searchRuntime(config);
    const cron = (input as { _cron?: unknown })._cron != null;
    const r = await reconcileSearch(db, rt, { triggeredBy: input.triggered_by ?? (cron ? 'cron' : 'job') });
    log.info({ ...r }, 'search reconciliation finished');
    if (r.status === 'failed') throw new PermanentError(`search reconciliation ${r.run_id} failed: ${r.error}`, 'SEARCH_RECONCILE_FAILED');
  },
  rootTrace: true,
};

export default defineDbStage(spec);
