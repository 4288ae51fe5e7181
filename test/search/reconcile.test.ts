import t from 'tap';
import { loadConfig } from '../../lib/config/index.ts';
import { pointId, reconcileSearch, searchRuntime } from '../../lib/search/index.ts';
import searchSync from '../../tasks/search_sync.ts';
import { closedPort } from '../helpers/cli.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { addDecisions, pointOf, searchTarget, waitForOutboxDrained } from './helpers.ts';

const { db, url } = await testDatabase(t);
await searchTarget(t);
await startTestWorker(t, url, { stages: [searchSync] });
const rt = await searchRuntime(loadConfig());

const a = await addDecisions(db, { summary: 'Refund for the double charge, please.', claims: [{ kind: 'refund_request', text: 'refund' }] });
const b = await addDecisions(db, { summary: 'The caller threatens to cancel.' });
await waitForOutboxDrained(db);

t.test('an index that matches Postgres reports zero drift', async (t) => {
  const r = await reconcileSearch(db, rt);
  t.match(r, { status: 'clean', expected: 3, actual: 3, missing: 0, stale: 0, orphaned: 0, repaired: 0 });
});

t.test('the reconciler finds and repairs a deleted, a changed and an orphan point; a second run reports zero', async (t) => {
  const deleted = pointId('summary', a.interactionId);
  const changed = pointId('summary', b.interactionId);
  const orphan = pointId('claim', 987654321);
  await rt.client.delete(rt.settings.collection, { points: [deleted], wait: true });
  await rt.client.setPayload(rt.settings.collection, { payload: { content_hash: 'tampered', version: 1e12 }, points: [changed], wait: true });
  await rt.client.upsert(rt.settings.collection, { wait: true, points: [{ id: orphan, vector: Array(rt.embedder.dimensions).fill(0.1), payload: { entity: 'claim', entity_id: 987654321 } }] });

  const progress: number[] = [];
  const first = await reconcileSearch(db, rt, { onProgress: (done) => progress.push(done) });
  t.match(first, { status: 'repaired', expected: 3, actual: 3, missing: 1, stale: 1, orphaned: 1, repaired: 3, unrepaired: 0 });
  t.ok(progress.length > 0, 'progress was reported');
  const { rows: stored } = await db.query('select status, missing, stale, orphaned, repaired from search.reconcile_runs where id = $1', [first.run_id]);
  t.same(stored, [{ status: 'repaired', missing: 1, stale: 1, orphaned: 1, repaired: 3 }], 'the run row is stored');

  await waitForOutboxDrained(db);
  t.ok(await pointOf(rt, deleted), 'the deleted point is back');
  t.not((await pointOf(rt, changed))!.content_hash, 'tampered', 'the changed point is rewritten');
  t.equal(await pointOf(rt, orphan), null, 'the orphan is gone');
  const second = await reconcileSearch(db, rt);
  t.match(second, { status: 'clean', missing: 0, stale: 0, orphaned: 0, repaired: 0 });
});

t.test('repairs are bounded: drift beyond the bound is reported as unrepaired', async (t) => {
  await rt.client.delete(rt.settings.collection, { points: [pointId('summary', a.interactionId), pointId('summary', b.interactionId)], wait: true });
  const r = await reconcileSearch(db, { ...rt, settings: { ...rt.settings, maxRepairs: 1 } });
  t.match(r, { status: 'partial', missing: 2, repaired: 1, unrepaired: 1 });
  await waitForOutboxDrained(db);
  t.match(await reconcileSearch(db, rt), { missing: 1, repaired: 1 });
  await waitForOutboxDrained(db);
  t.match(await reconcileSearch(db, rt), { status: 'clean' });
});

t.test('with the engine down, the failed run records what failed (the refused address), not just "fetch failed"', async (t) => {
  const port = await closedPort();
  const down = await searchRuntime(loadConfig({ ...process.env, QDRANT_URL: `http://127.0.0.1:${port}` }));
  const r = await reconcileSearch(db, down);
  const error = `TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`;
  t.match(r, { status: 'failed', error });
  const { rows: [stored] } = await db.query('select status, error from search.reconcile_runs where id = $1', [r.run_id]);
  t.same(stored, { status: 'failed', error }, 'the run row says so');
});
