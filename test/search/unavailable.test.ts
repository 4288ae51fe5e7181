import t from 'tap';
import { loadConfig } from '../../lib/config/index.ts';
import { pointId, searchRuntime } from '../../lib/search/index.ts';
import searchSync from '../../tasks/search_sync.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';
import { addDecisions, flakyProxy, pointOf, searchTarget, waitForOutboxDrained } from './helpers.ts';

const { db, url } = await testDatabase(t);
const { qdrantUrl } = await searchTarget(t);
const proxy = await flakyProxy(t, qdrantUrl);
process.env.QDRANT_URL = proxy.url;
await startTestWorker(t, url, { stages: [searchSync] });
const direct = { ...(await searchRuntime(loadConfig({ ...process.env, QDRANT_URL: qdrantUrl }))) };
process.env.QDRANT_URL = proxy.url;

t.test('with Qdrant unavailable nothing is lost; the outbox drains when it returns', async (t) => {
  await addDecisions(db, { summary: 'Warm-up so the collection exists.' });
  await waitForOutboxDrained(db);
  proxy.down = true;
  const written = await Promise.all(Array.from({ length: 5 }, (_, i) => addDecisions(db, { summary: `Written while Qdrant is down ${i}.` })));
  await waitFor('a failed sync attempt', async () => {
    const { rows: [r] } = await db.query(`select count(*)::int as n from search.outbox where status = 'pending' and attempts > 0`);
    return r.n === 5;
  });
  const { rows: [ledger] } = await db.query(`select count(*)::int as n from search.sync_runs where error is not null`);
  t.ok(ledger.n >= 1, 'the failed batch is recorded with its error');
  const { rows: [job] } = await db.query(
    `select j.attempts, j.last_error from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id
      where k.identifier = 'search_sync' order by j.id limit 1`);
  t.ok(job, 'the sync job is still there to retry');

  proxy.down = false;
  await waitForOutboxDrained(db, 60_000);
  for (const w of written) t.ok(await pointOf(direct, pointId('summary', w.interactionId)), `summary ${w.interactionId} is indexed`);
  const { rows } = await db.query(`select status, count(*)::int as n from search.outbox group by status`);
  t.same(rows, [{ status: 'done', n: 6 }], 'every row done, none dead');
});
