/**
 * app.decision_done() (003, 024): each decision stage marks its event done in
 * its own transaction; the event is completed when all have, exactly once,
 * also when they commit at the same moment. 024 finds the inbox row through
 * ingest.webhook_keys and so reads only its partition.
 */
import t from 'tap';
import pg from 'pg';
import { registerStagesAt } from '../../lib/stage/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { stages } from '../../tasks/index.ts';
import { DECISION_DONE } from '../../tasks/spans.ts';
import type { Db } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { AGENT_NUMBER } from '../helpers/pipeline.ts';
import { databaseBefore } from '../helpers/upgrade.ts';
import { waitFor } from '../helpers/wait.ts';

const DECISIONS = ['detect_striking', 'extract_claims', 'summarize_interaction'];

/** An inbox event as normalize_event leaves it: `processing`, no decision done yet. */
async function processingEvent(db: Db, receivedAt?: string): Promise<{ id: number; correlation_id: string }> {
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload, received_at) values ('telephony', $1, coalesce($2::timestamptz, now()))
     returning id, correlation_id`, [JSON.stringify(sampleCall({ to: AGENT_NUMBER })), receivedAt ?? null]);
  await db.query(`update ingest.webhook_events set status = 'processing' where id = $1`, [ev.id]);
  return ev;
}

/** A decision stage's transaction on a connection of its own, opened with its settings. */
async function decisionTx(t: { teardown(fn: () => unknown): void }, url: string, task: string, correlationId: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  t.teardown(() => c.end());
  await c.query('begin');
  await c.query(`select set_config('ballast.task', $1, true), set_config('ballast.correlation_id', $2, true),
                        set_config('ballast.trace_id', '4bf92f3577b34da6a3ce929d0e0e4736', true)`, [task, correlationId]);
  return c;
}

const inboxRow = async (db: Db, id: number) =>
  (await db.query(`select status, stages_done, processed_at is not null as processed from ingest.webhook_events where id = $1`, [id])).rows[0];

const completions = async (db: Db, id: number) =>
  (await db.query(`select operation::text, count(*)::int as n from audit.ledger
                    where entity_type = 'ingest.webhook_events' and entity_id = $1::text and operation in ('update', 'complete')
                    group by 1 order by 1`, [id])).rows;

t.test('three decisions committing at once complete their event exactly once', async (t) => {
  const { db, url } = await testDatabase(t);
  const ev = await processingEvent(db);
  const [a, b, c] = await Promise.all(DECISIONS.map((task) => decisionTx(t, url, task, ev.correlation_id)));
  await a!.query(DECISION_DONE);
  // b and c mark the same event while a's transaction is open: they wait for its row lock.
  const pending = [b!, c!].map((client) => client.query(DECISION_DONE).then(() => client));
  await waitFor('both other decisions to wait for the inbox row', async () =>
    (await db.query(`select count(*)::int as n from pg_stat_activity
                      where wait_event_type = 'Lock' and query = $1`, [DECISION_DONE])).rows[0].n === 2);
  t.match(await inboxRow(db, ev.id), { status: 'processing', stages_done: [] }, 'nothing is visible before a commit');
  await a!.query('commit');
  // Whichever gets the lock next commits first; the last sees both others.
  const first = await Promise.race(pending);
  await first.query('commit');
  const second = (await Promise.all(pending)).find((x) => x !== first)!;
  await second.query('commit');
  t.same(await inboxRow(db, ev.id), { status: 'completed', stages_done: DECISIONS, processed: true });
  t.same(await completions(db, ev.id), [{ operation: 'complete', n: 1 }, { operation: 'update', n: 3 }],
    'the ledger has the processing update, two progress updates and one completion');
});

t.test('an event in an older day\'s partition completes, and decision_done reads no other partition', async (t) => {
  const { db, url } = await testDatabase(t);
  // Days the inbox retains, as maintain_partitions and retention leave them.
  for (let d = 1; d <= 5; d++) await db.query(`select ballast.create_partition('ingest.webhook_events', now() - make_interval(days => $1))`, [d]);
  const ev = await processingEvent(db, new Date(Date.now() - 3 * 86_400_000).toISOString());
  const { rows: [own] } = await db.query(`select tableoid::regclass::text as part from ingest.webhook_events where id = $1`, [ev.id]);
  const scans = async () => {
    await db.query('select pg_stat_clear_snapshot()');
    const { rows } = await db.query(
      `select coalesce(sum(coalesce(s.idx_scan, 0) + coalesce(s.seq_scan, 0)), 0)::int as n, count(*)::int as parts
         from pg_inherits i join pg_stat_user_tables s on s.relid = i.inhrelid
        where i.inhparent = 'ingest.webhook_events'::regclass and i.inhrelid <> $1::regclass`, [own.part]);
    return rows[0];
  };
  const before = await scans();
  t.ok(before.parts >= 5, `${before.parts} other partitions`);
  for (const task of DECISIONS) {
    const c = await decisionTx(t, url, task, ev.correlation_id);
    await c.query(DECISION_DONE);
    await c.query('commit');
    await c.query('select pg_stat_force_next_flush()');
    await c.end();
  }
  t.same(await inboxRow(db, ev.id), { status: 'completed', stages_done: DECISIONS, processed: true });
  t.same(await scans(), before, 'no other partition of the inbox was scanned');
});

t.test('decision_done of an event that is not processing (quarantined, or unknown) changes nothing', async (t) => {
  const { db, url } = await testDatabase(t);
  const ev = await processingEvent(db);
  await db.query(`update ingest.webhook_events set status = 'quarantined', status_reason = 'test: held' where id = $1`, [ev.id]);
  for (const corr of [ev.correlation_id, 'telephony:no-such-delivery']) {
    const c = await decisionTx(t, url, 'summarize_interaction', corr);
    await c.query(DECISION_DONE);
    await c.query('commit');
  }
  t.match(await inboxRow(db, ev.id), { status: 'quarantined', stages_done: [] });
});

t.test('one decision stage dead-lettered: the event is failed, the others\' progress is kept, and the replay completes it (031)', async (t) => {
  const { db, url } = await testDatabase(t);
  const ev = await processingEvent(db);
  const mark = async (task: string) => {
    const c = await decisionTx(t, url, task, ev.correlation_id);
    await c.query(DECISION_DONE);
    await c.query('commit');
  };
  // The dead letter the stage runtime writes when extract_claims gives up on this event.
  const { rows: [{ id }] } = await db.query(`select ballast.record_failure(null, null, $1::jsonb) as id`, [JSON.stringify({
    interaction_id: '1', failing_function: 'extract_claims', error_code: 'INPUT_INVALID', error_message: 'no spans', attempt_count: 1,
    payload_snapshot: { interaction_id: 1 }, retryable: false,
    context: { task: 'extract_claims', replayable: true, correlation_id: ev.correlation_id, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' },
  })]);
  t.match(await db.query('select status, status_reason from ingest.webhook_events where id = $1', [ev.id]).then((r) => r.rows[0]),
    { status: 'failed', status_reason: `dead_letter: extract_claims failed (INPUT_INVALID), parked until an operator acts; dead letter ${id}` });
  await mark('detect_striking');
  await mark('summarize_interaction');
  t.same(await inboxRow(db, ev.id), { status: 'failed', stages_done: ['detect_striking', 'summarize_interaction'], processed: false },
    'the other decisions count, and the event stays failed');
  t.equal((await db.query('select ballast.replay_dead_letter($1, true) as outcome', [id])).rows[0].outcome, 'enqueued');
  t.match(await inboxRow(db, ev.id), { status: 'processing' }, 'the replay is in flight');
  await mark('extract_claims');
  t.same(await inboxRow(db, ev.id), { status: 'completed', stages_done: DECISIONS, processed: true });
});

t.test('024 upgrade: an event half done before it completes after it', async (t) => {
  const up = await databaseBefore(t, '024_stages.sql');
  await registerStagesAt(up.url, stages);
  const ev = await processingEvent(up.db);
  const mark = async (task: string) => {
    const c = await decisionTx(t, up.url, task, ev.correlation_id);
    await c.query(DECISION_DONE);
    await c.query('commit');
  };
  await mark('detect_striking');
  t.same(await up.apply(), ['024_stages.sql']);
  t.match(await inboxRow(up.db, ev.id), { status: 'processing', stages_done: ['detect_striking'] }, 'progress made before 024 is kept');
  await mark('extract_claims');
  t.match(await inboxRow(up.db, ev.id), { status: 'processing' });
  await mark('summarize_interaction');
  t.same(await inboxRow(up.db, ev.id), { status: 'completed', stages_done: DECISIONS, processed: true });
  const { rows: [f] } = await up.db.query(
    `select p.prosecdef as definer, pg_get_userbyid(p.proowner) as owner, p.proconfig as config,
            has_function_privilege('public', p.oid, 'execute') as public_exec
       from pg_proc p where p.oid = 'app.decision_done()'::regprocedure`);
  t.same(f, { definer: true, owner: 'ballast_owner', config: ['search_path=pg_catalog, pg_temp'], public_exec: false }, 'owner, grants and search_path kept');
});
