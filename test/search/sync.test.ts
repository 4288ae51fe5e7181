import t from 'tap';
import { loadConfig } from '../../lib/config/index.ts';
import { pointId, searchRuntime, syncOutboxOnce } from '../../lib/search/index.ts';
import searchSync from '../../tasks/search_sync.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';
import { addDecisions, asStage, pointOf, searchTarget, waitForOutboxDrained } from './helpers.ts';

const { db, url } = await testDatabase(t);
await searchTarget(t);
await startTestWorker(t, url, { stages: [searchSync] });
const rt = await searchRuntime(loadConfig());

t.test('a new summary and its claims reach the index with version and producer stamps', async (t) => {
  const { interactionId, claimIds } = await addDecisions(db, {
    summary: 'The customer wants a refund for the double charge.',
    claims: [{ kind: 'refund_request', text: 'refund for the double charge' }],
  });
  const summaryPoint = await waitFor('the summary point', () => pointOf(rt, pointId('summary', interactionId)));
  t.match(summaryPoint, { org_id: 'org_a', entity: 'summary', entity_id: interactionId, produced_by: 'summarize_interaction',
    model_version: 'summarize_interaction@test', trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', embedder: rt.embedder.id });
  t.type(summaryPoint.version, 'number');
  const claimPoint = await waitFor('the claim point', () => pointOf(rt, pointId('claim', claimIds[0]!)));
  t.match(claimPoint, { entity: 'claim', kind: 'refund_request', interaction_id: interactionId });
  // The point is visible as soon as Qdrant acknowledges the upsert; the outbox row turns
  // done when the sync batch commits, a moment later.
  await waitForOutboxDrained(db);
  const { rows } = await db.query(`select status, count(*)::int as n from search.outbox group by status`);
  t.same(rows, [{ status: 'done', n: 2 }], 'both outbox rows are done');
});

t.test('an update re-indexes with a higher version; a delete removes the point', async (t) => {
  const { interactionId } = await addDecisions(db, { summary: 'Caller asks to cancel the subscription.' });
  const id = pointId('summary', interactionId);
  const before = await waitFor('the point', () => pointOf(rt, id));
  await asStage('summarize_interaction', () => db.atomicWrite((tx) =>
    tx.query(`update app.summaries set summary = 'Caller decided to keep the subscription.' where interaction_id = $1`, [interactionId])));
  const after = await waitFor('the new version', async () => {
    const p = await pointOf(rt, id);
    return p && (p.version as number) > (before.version as number) ? p : null;
  });
  t.not(after.content_hash, before.content_hash, 'the new text was embedded');
  await db.atomicWrite((tx) => tx.query('delete from app.summaries where interaction_id = $1', [interactionId]),
    { reason: 'test: a deleted decision leaves the index' });
  await waitFor('the point to be deleted', async () => (await pointOf(rt, id)) === null);
  t.pass('deleted');
});

t.test('a rolled-back change enqueues nothing', async (t) => {
  const { rows: [{ n: before }] } = await db.query('select count(*)::int as n from search.outbox');
  const { interactionId } = await addDecisions(db, { summary: 'Something to roll back.' });
  await waitForOutboxDrained(db);
  const { rows: [{ n: mid }] } = await db.query('select count(*)::int as n from search.outbox');
  await t.rejects(asStage('summarize_interaction', () => db.atomicWrite(async (tx) => {
    await tx.query(`update app.summaries set summary = 'never committed' where interaction_id = $1`, [interactionId]);
    throw new Error('abort');
  })), /abort/);
  const { rows: [{ n: afterRollback }] } = await db.query('select count(*)::int as n from search.outbox');
  t.equal(mid, before + 1, 'the committed insert enqueued one row');
  t.equal(afterRollback, mid, 'the rolled-back update enqueued none');
  const { rows: jobs } = await db.query(`select count(*)::int as n from graphile_worker._private_jobs j
    join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = 'search_sync' and j.locked_at is null and j.attempts = 0`);
  t.ok(jobs[0].n <= 1, 'and woke no extra sync job');
});

t.test('an older version never overwrites a newer one', async (t) => {
  const { interactionId } = await addDecisions(db, { summary: 'First text.' });
  const id = pointId('summary', interactionId);
  await waitFor('the point', () => pointOf(rt, id));
  // A newer version is already in Qdrant (written by another syncer, say).
  await rt.client.setPayload(rt.settings.collection, { payload: { version: 1e12 }, points: [id], wait: true });
  await asStage('summarize_interaction', () => db.atomicWrite((tx) =>
    tx.query(`update app.summaries set summary = 'Second text.' where interaction_id = $1`, [interactionId])));
  await waitForOutboxDrained(db);
  const p = await pointOf(rt, id);
  t.equal(p!.version, 1e12, 'the lower version was not written over the higher one');
});

t.test('a burst of changes becomes a few sync batches, not one job per change', async (t) => {
  const { rows: [{ n: runsBefore }] } = await db.query('select count(*)::int as n from search.sync_runs');
  await Promise.all(Array.from({ length: 40 }, (_, i) => addDecisions(db, { org: 'org_burst', summary: `Burst summary number ${i}.` })));
  await waitForOutboxDrained(db);
  const { rows: [{ n: runs }] } = await db.query('select count(*)::int as n from search.sync_runs where claimed > 0');
  t.ok(runs - runsBefore < 40, `40 changes took ${runs - runsBefore} batches`);
  const { count } = await rt.client.count(rt.settings.collection, { filter: { must: [{ key: 'org_id', match: { value: 'org_burst' } }] }, exact: true });
  t.equal(count, 40);
});

t.test('syncOutboxOnce with nothing pending claims nothing', async (t) => {
  await waitForOutboxDrained(db);
  const r = await syncOutboxOnce(db, rt);
  t.equal(r.claimed, 0);
});
