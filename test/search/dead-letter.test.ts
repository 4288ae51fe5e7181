import t from 'tap';
import { loadConfig } from '../../lib/config/index.ts';
import { syncOutboxOnce, searchRuntime } from '../../lib/search/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { addDecisions, flakyProxy, searchTarget } from './helpers.ts';

t.test('an outbox row out of attempts becomes a dead letter with an envelope, never a silent drop', async (t) => {
  const { db } = await testDatabase(t);
  const { qdrantUrl } = await searchTarget(t);
  const proxy = await flakyProxy(t, qdrantUrl);
  proxy.down = true;
  const rt = await searchRuntime(loadConfig({ ...process.env, QDRANT_URL: proxy.url, BALLAST_SEARCH_MAX_ATTEMPTS: '1' }));
  const { interactionId } = await addDecisions(db, { summary: 'Written while Qdrant is down for good.' });
  const result = await waitFor('a batch that gives up', async () => {
    await db.query(`update search.outbox set available_at = now() where status = 'pending'`);
    const r = await syncOutboxOnce(db, rt);
    return r.dead > 0 ? r : null;
  });
  t.ok(result.dead >= 1);
  const { rows: [dl] } = await db.query(`select * from ballast.pipeline_failures where failing_function = 'search_sync' and interaction_id = $1`,
    [`summary:${interactionId}`]);
  t.match(dl, { error_code: 'DOWNSTREAM_CALL_FAILED', resolved_at: null, payload_snapshot: { entity: 'summary', entity_id: interactionId } });
  const { rows: [env] } = await db.query('select error_class, layer from ballast.error_envelopes where error_id = $1', [dl.context.error_id]);
  t.same(env, { error_class: 'infra.search.sync_failed', layer: 'L3' });
});
