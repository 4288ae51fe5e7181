/**
 * search_sync: drains search.outbox into Qdrant. Woken (debounced) by the
 * triggers on the decision tables; a failed batch throws so graphile-worker
 * retries with backoff, and rows out of attempts become dead letters.
 */
import { z } from 'zod';
import { loadConfig } from '../lib/config/index.ts';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { TransientError } from '../lib/stage/index.ts';
import { scheduleWaitingSync, searchRuntime, syncOutboxOnce } from '../lib/search/index.ts';

export default defineMaintenanceTask({
  name: 'search_sync',
  queue: 'search',
  config: z.object({
    /** Outbox rows per batch. @defaultValue `BALLAST_SEARCH_BATCH` (256) */
    batch_size: z.number().int().positive().max(10_000).default(() => loadConfig().BALLAST_SEARCH_BATCH),
    /** Batches per run; a short batch ends the run sooner. @defaultValue `1000` */
    max_batches: z.number().int().positive().default(1000),
  }),
  async runOnce({ batch_size, max_batches }, { db, config, log, signal, batch }) {
    const rt = await searchRuntime(config);
    const { error, duration_ms: _ms, ...counts } = await syncOutboxOnce(db, rt, { batchSize: batch_size });
    if (counts.dead > 0) log.error({ dead: counts.dead, collection: rt.settings.collection }, 'search outbox rows out of attempts: dead letters (see ops/runbooks/search.md)');
    if (error) throw new TransientError(`search sync failed for ${counts.failed} outbox row(s): ${error}`, 'SEARCH_SYNC_FAILED');
    // The run's last batch: rows still waiting out a backoff need a job of their own.
    if (counts.claimed < batch_size || batch + 1 >= max_batches || signal.aborted) await scheduleWaitingSync(db);
    return { taken: counts.claimed, ...counts };
  },
});
