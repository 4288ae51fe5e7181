/**
 * Migration 025 (issue 16): the search_sync wake runs ahead of older stage
 * jobs, so indexing keeps up during a burst, and it does not starve them.
 * Real graphile-worker (`runOnce`, one job at a time, so the order it picks
 * jobs in is the order they run), real producers: stage jobs from inbox rows
 * (the inbox's statement trigger), the wake from `search.wake_sync`.
 */
import t from 'tap';
import { Logger, runOnce, type TaskList } from 'graphile-worker';
import { storeDelivery, type InboxRow } from '../../lib/ingest/store.ts';
import type { Db } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const quiet = new Logger(() => () => undefined);
const syncJob = `select priority from graphile_worker.jobs where task_identifier = 'search_sync'`;

/** `n` received deliveries: the inbox's trigger adds one normalize_event job for each, as in production. */
async function receive(db: Db, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i++) {
    const text = JSON.stringify({ event: 'call.completed', call_id: `call_${i}` });
    const row: InboxRow = {
      source: 'telephony', webhookId: `msg_${i}`, text, bytes: Buffer.from(text), parse: true, headers: {},
      trace: { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: '00f067aa0ba902b7', correlation_id: `telephony:msg_${i}` }, reason: null,
    };
    const stored = await storeDelivery(db, row);
    if (stored.kind !== 'stored') throw new Error(`delivery ${i} was ${stored.kind}`);
  }
}

/** Runs every due job once with one worker slot; returns the task of each job in the order they ran. */
async function runAll(url: string, onStage: () => Promise<void> = async () => undefined): Promise<string[]> {
  const ran: string[] = [];
  const taskList: TaskList = {
    normalize_event: async () => { ran.push('stage'); await onStage(); },
    search_sync: async () => { ran.push('sync'); },
  };
  await runOnce({ connectionString: url, taskList, concurrency: 1, noHandleSignals: true, logger: quiet });
  return ran;
}

t.test('a sync woken after a backlog of stage jobs runs before them', async (t) => {
  const { db, url } = await testDatabase(t);
  await receive(db, 6);
  await db.query(`select search.wake_sync('4bf92f3577b34da6a3ce929d0e0e4736', 'test:sync')`);
  const { rows: jobs } = await db.query(`select task_identifier as task, priority from graphile_worker.jobs order by id`);
  t.same(jobs.map((j) => j.task), ['normalize_event', 'normalize_event', 'normalize_event', 'normalize_event', 'normalize_event', 'normalize_event', 'search_sync'],
    'the wake is the newest job');
  t.ok(jobs.every((j) => j.task === 'search_sync' ? j.priority < 0 : j.priority === 0), 'stage jobs at priority 0, the sync ahead of them');
  t.same(await runAll(url), ['sync', 'stage', 'stage', 'stage', 'stage', 'stage', 'stage'], 'the sync ran first, then every stage job');
});

t.test('a sync woken by every stage job does not starve the stages: at most one run between two of them', async (t) => {
  const { db, url } = await testDatabase(t);
  await receive(db, 4);
  // Each stage job wakes the sync as a decision commit does; the job key keeps one pending.
  const ran = await runAll(url, async () => {
    await db.query(`select search.wake_sync('4bf92f3577b34da6a3ce929d0e0e4736', 'test:sync')`);
    await db.query(`select search.wake_sync('4bf92f3577b34da6a3ce929d0e0e4736', 'test:sync')`);
  });
  t.same(ran, ['stage', 'sync', 'stage', 'sync', 'stage', 'sync', 'stage', 'sync'], 'stages and syncs alternate; every stage job ran');
});

t.test('a scheduled retry of the sync keeps the priority of a pending wake', async (t) => {
  const { db } = await testDatabase(t);
  await db.query(`select search.wake_sync('4bf92f3577b34da6a3ce929d0e0e4736', 'test:sync')`);
  await db.query(`select search.schedule_sync(now() + interval '1 minute', '4bf92f3577b34da6a3ce929d0e0e4736', 'test:sync')`);
  const { rows } = await db.query(`select priority, run_at <= now() as due from graphile_worker.jobs where task_identifier = 'search_sync'`);
  t.same(rows, [{ priority: -1, due: true }], 'one job, still due now (preserve_run_at), still ahead of the stages');
});

t.test('025 upgrade: a sync job pending before it moves ahead; stage jobs keep their order', async (t) => {
  const up = await databaseBefore(t, '025_latency.sql');
  await receive(up.db, 2);
  await up.db.query(`select search.wake_sync('4bf92f3577b34da6a3ce929d0e0e4736', 'test:sync')`);
  t.same((await up.db.query(syncJob)).rows, [{ priority: 0 }], 'before 025: the stages\' priority');
  t.same(await up.apply(), ['025_latency.sql']);
  t.same((await up.db.query(syncJob)).rows, [{ priority: -1 }], 'after 025: the pending job moved ahead');
  t.same(await runAll(up.url), ['sync', 'stage', 'stage'], 'and runs first');
  await receive(up.db, 1, 2);
  await up.db.query(`select search.wake_sync('4bf92f3577b34da6a3ce929d0e0e4736', 'test:sync')`);
  t.same((await up.db.query(syncJob)).rows, [{ priority: -1 }], 'a new wake is ahead too');
});
