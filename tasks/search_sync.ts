/**
 * search_sync: drains search.outbox into Qdrant. Woken (debounced) by the
 * triggers on the decision tables; a failed batch throws so graphile-worker
 * retries with backoff, and rows out of attempts become dead letters.
 */
import { z } from 'zod';
import { TransientError } from '../lib/stage/index.ts';
import { defineDbStage, drainOutbox, searchRuntime } from '../lib/search/index.ts';

export default defineDbStage({
  task: 'search_sync',
  version: '1.0.0',
  queue: 'search',
  payload: z.object({}).passthrough(),
  async run(_input, { config, log, signal }, db) {
    const rt = await searchRuntime(config);
    const r = await drainOutbox(db, rt, { signal });
    if (r.dead > 0) log.error({ dead: r.dead, collection: rt.settings.collection }, 'search outbox rows out of attempts: dead letters (see ops/runbooks/search.md)');
    if (r.errors.length) throw new TransientError(`search sync failed for ${r.failed} outbox row(s): ${r.errors[0]}`, 'SEARCH_SYNC_FAILED');
    if (r.claimed) log.debug({ ...r, errors: undefined }, 'search outbox drained');
  },
});
