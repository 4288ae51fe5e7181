/**
 * Migration 019 (issue 16 part 2): a change to a summary or claim wakes
 * search_sync once per transaction, at commit, instead of locking the one
 * `search_sync` job row at the statement and holding it to the end of the
 * transaction. Two stage transactions no longer wait for each other; the
 * job, its ids and the outbox rows are the same as before.
 */
import t from 'tap';
import { testDatabase } from '../helpers/db.ts';
import { databaseBefore } from '../helpers/upgrade.ts';
import { addDecisions, asStage } from './helpers.ts';

const syncJobs = `select j.payload, j.locked_at from graphile_worker._private_jobs j
  join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = 'search_sync'`;

t.test('two transactions that change decisions do not wait for each other, and wake search_sync once', async (t) => {
  const { db } = await testDatabase(t);
  const a = await addDecisions(db, { summary: 'First summary.' });
  const b = await addDecisions(db, { summary: 'Second summary.', claims: [{ kind: 'refund_request', text: 'a refund' }] });
  await db.query(`delete from graphile_worker._private_jobs`); // the wakes of the setup above

  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let written!: () => void;
  const wroteA = new Promise<void>((r) => { written = r; });
  // A changes a summary and stays open.
  const txA = asStage('summarize_interaction', () => db.atomicWrite(async (tx) => {
    await tx.query(`update app.summaries set summary = 'First, revised.' where interaction_id = $1`, [a.interactionId]);
    written();
    await held;
  }));
  await wroteA;
  // B changes a summary and a claim while A is open. Before 019 it waited for
  // A's lock on the search_sync job row; lock_timeout turns such a wait into an error.
  try {
    await asStage('extract_claims', () => db.atomicWrite(async (tx) => {
      await tx.query(`set local lock_timeout = '5s'`);
      await tx.query(`update app.summaries set summary = 'Second, revised.' where interaction_id = $1`, [b.interactionId]);
      await tx.query(`update app.claims set text = 'a refund, revised' where id = $1`, [b.claimIds[0]]);
    }));
  } catch (e) {
    release();
    await txA;
    throw e;
  }
  t.pass('B committed while A was still open');
  const { rows: afterB } = await db.query(syncJobs);
  t.equal(afterB.length, 1, 'B woke search_sync at its commit');
  t.match(afterB[0].payload, { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', correlation_id: 'test:search' }, 'with the writer\'s ids');
  release();
  await txA;
  const { rows: afterA } = await db.query(syncJobs);
  t.equal(afterA.length, 1, 'one pending job for both transactions (job key search_sync)');
  const { rows: outbox } = await db.query(`select entity, entity_id from search.outbox where status = 'pending' order by id desc limit 3`);
  t.same(outbox.map((r) => r.entity).sort(), ['claim', 'summary', 'summary'], 'every change has its outbox row');
});

t.test('a rolled-back change wakes nothing; a delete wakes the sync', async (t) => {
  const { db } = await testDatabase(t);
  const a = await addDecisions(db, { summary: 'To keep.' });
  await db.query(`delete from graphile_worker._private_jobs`);
  await t.rejects(asStage('summarize_interaction', () => db.atomicWrite(async (tx) => {
    await tx.query(`update app.summaries set summary = 'never' where interaction_id = $1`, [a.interactionId]);
    throw new Error('abort');
  })), /abort/);
  t.equal((await db.query(syncJobs)).rowCount, 0, 'no job after a rollback');
  await asStage('summarize_interaction', () => db.atomicWrite((tx) => tx.query('delete from app.summaries where interaction_id = $1', [a.interactionId]),
    { reason: 'test: a deleted decision leaves the index' }));
  t.equal((await db.query(syncJobs)).rowCount, 1, 'a delete wakes the sync');
});

t.test('019 upgrade: rows and jobs written before it are kept; writes after it wake the sync at commit', async (t) => {
  const up = await databaseBefore(t, '019_speed.sql');
  const before = await addDecisions(up.db, { summary: 'Written before 019.', claims: [{ kind: 'complaint', text: 'slow answer' }] });
  const { rows: [old] } = await up.db.query(`select count(*)::int as outbox, (select count(*)::int from (${syncJobs}) j) as jobs from search.outbox`);
  t.same(old, { outbox: 2, jobs: 1 }, 'before 019: the statement trigger wrote the outbox and woke the sync');
  t.same(await up.apply(), ['019_speed.sql']);
  const { rows: [kept] } = await up.db.query(`select count(*)::int as outbox, (select count(*)::int from (${syncJobs}) j) as jobs from search.outbox`);
  t.same(kept, old, 'kept');
  await up.db.query(`delete from graphile_worker._private_jobs`);
  await asStage('summarize_interaction', () => up.db.atomicWrite((tx) =>
    tx.query(`update app.summaries set summary = 'Revised after 019.' where interaction_id = $1`, [before.interactionId])));
  const { rows: [after] } = await up.db.query(`select count(*)::int as outbox, (select count(*)::int from (${syncJobs}) j) as jobs from search.outbox`);
  t.same(after, { outbox: 3, jobs: 1 }, 'after 019: one more outbox row and a wake');
  const { rows: triggers } = await up.db.query(`select tgname from pg_trigger where tgname like '%search_wake' order by 1`);
  t.same(triggers.map((r) => r.tgname), ['claims_search_wake', 'summaries_search_wake']);
});
