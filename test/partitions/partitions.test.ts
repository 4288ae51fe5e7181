/**
 * Time-partitioned tables (sql/migrations/013_partitions.sql): partitions
 * made ahead on an injected clock, rows moved out of DEFAULT partitions, the
 * inbox's idempotency across partitions, the audit chain across partitions,
 * and partition pruning for `ballast trace`. Every date is fixed and far from
 * today, so nothing depends on the wall clock.
 */
import t from 'tap';
import pg from 'pg';
import { ROLES, withRole } from '../../lib/db/index.ts';
import { conditionQuery } from '../../lib/alerts/index.ts';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { namedQuery, runNamed, traceSince, traceTimeline } from '../../lib/forensics/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { maintainPartitions, partitionRanges } from '../../lib/partitions/index.ts';
import { maintainPartitionsTask } from '../../tasks/maintain_partitions.ts';
import { testDatabase } from '../helpers/db.ts';
import { AGENT_NUMBER, deliver, startTestReceiver, startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const { db, url } = await testDatabase(t);
const D = new Date('2031-01-31T12:00:00Z');
const day = (n: number) => new Date(Date.UTC(2031, 0, 31 + n));
const TRACE = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';

const rangesOf = async (table: string) => (await partitionRanges(db, table))
  .map((r) => r.is_default ? `${r.partition} DEFAULT` : `${r.partition} [${r.lower_bound?.toISOString()}, ${r.upper_bound?.toISOString()})`);

t.test('the task makes the partitions of the injected day and of premake periods ahead, once, and records its run', async (t) => {
  const worker = await startTestWorker(t, url, { stages: [maintainPartitionsTask({ clock: () => D })] });
  t.ok(worker);
  await db.query(`select graphile_worker.add_job('maintain_partitions', '{}')`);
  const run = await waitFor('the run row', async () =>
    (await db.query(`select outcome, counts from ballast.maintenance_runs where task = 'maintain_partitions'`)).rows[0]);
  t.equal(run.outcome, 'succeeded');
  t.ok(run.counts.created >= 12 * 5, 'five partitions (this period and premake = 4 ahead) for each of the twelve tables');
  const inbox = await rangesOf('ingest.webhook_events');
  for (let n = 0; n <= 4; n++) {
    const from = day(n);
    const name = `ingest.webhook_events_p${from.toISOString().slice(0, 10).replaceAll('-', '')}`;
    t.ok(inbox.includes(`${name} [${from.toISOString()}, ${day(n + 1).toISOString()})`), `${name}, a UTC day`);
  }
  t.notOk(inbox.some((r) => r.includes('_p20310205')), 'nothing beyond premake');
  t.ok(inbox.includes('ingest.webhook_events_default DEFAULT'));
  const envelopes = await rangesOf('ballast.error_envelopes');
  t.ok(envelopes.includes('ballast.error_envelopes_p203101 [2031-01-01T00:00:00.000Z, 2031-02-01T00:00:00.000Z)'), 'monthly: the month of the clock');
  t.ok(envelopes.includes('ballast.error_envelopes_p203105 [2031-05-01T00:00:00.000Z, 2031-06-01T00:00:00.000Z)'), 'and four months ahead');
  // (The worker's own rows of today, in the job ledger, the runs and the audit ledger, may have waited in DEFAULT.)
  const again = await maintainPartitions(db, D);
  t.same(again.filter((r) => ['ingest.webhook_events', 'ballast.error_envelopes', 'search.outbox'].includes(r.table_name) && r.created > 0),
    [], 'a second pass at the same time makes no partition');
});

t.test('a row no partition covers waits in the DEFAULT partition, then moves to its own, written once', async (t) => {
  const at = new Date('2031-06-15T10:00:00Z');
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at) values ('telephony', 'wh_default', '{}', '{"type":"x"}', $1)
     returning id, tableoid::regclass::text as part`, [at]);
  t.equal(ev.part, 'ingest.webhook_events_default', 'no partition for June yet: the insert still succeeds');
  const snapshot = async () => ({
    row: (await db.query(`select to_jsonb(e) - 'tableoid' as r from ingest.webhook_events e where id = $1`, [ev.id])).rows[0].r,
    jobs: (await db.query(`select count(*)::int n from ballast.queued_jobs where payload->>'event_id' = $1`, [String(ev.id)])).rows[0].n,
    audit: (await db.query(`select count(*)::int n from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1`, [String(ev.id)])).rows[0].n,
    keys: (await db.query(`select count(*)::int n from ingest.webhook_keys where event_id = $1`, [ev.id])).rows[0].n,
  });
  const before = await snapshot();
  t.same([before.jobs, before.audit, before.keys], [1, 1, 1]);
  const result = await maintainPartitions(db, D);
  t.match(result.find((r) => r.table_name === 'ingest.webhook_events'), { created: 1, moved: 1 });
  const { rows: [moved] } = await db.query(`select tableoid::regclass::text as part from ingest.webhook_events where id = $1`, [ev.id]);
  t.equal(moved.part, 'ingest.webhook_events_p20310615', 'in the partition of its day');
  t.same(await snapshot(), before, 'the same row; no second job, audit row or key');
  const { rows: [left] } = await db.query(`select count(*)::int n from ingest.webhook_events_default`);
  t.equal(left.n, 0, 'the DEFAULT partition is empty again');
});

t.test('a duplicate delivery across a partition boundary is refused, also once the first partition is dropped', async (t) => {
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('agent_p', 'u', $1)`, [AGENT_NUMBER]);
  const receiver = await startTestReceiver(t, db);
  const body = JSON.stringify(sampleCall({ to: AGENT_NUMBER }));
  const insert = (receivedAt: Date) => db.query(
    `insert into ingest.webhook_events (source, webhook_id, raw_body, received_at) values ('telephony', 'wh_boundary', $1, $2)
     returning id, trace_id, tableoid::regclass::text as part`, [body, receivedAt]);
  const { rows: [first] } = await insert(new Date(day(1).getTime() - 1));
  t.equal(first.part, 'ingest.webhook_events_p20310131', 'the first delivery, in the last millisecond of day D');
  const second = await insert(day(1));
  t.equal(second.rowCount, 0, 'the same delivery in D+1: no row, as ON CONFLICT DO NOTHING answered');
  const res = await deliver(receiver.url, JSON.parse(body), { webhookId: 'wh_boundary' });
  t.same([res.status, res.body], [200, { status: 'duplicate', event_id: first.id, webhook_id: 'wh_boundary', trace_id: first.trace_id }],
    'the receiver answers a duplicate as it always did');

  await db.query(`alter table ingest.webhook_events detach partition ingest.webhook_events_p20310131`);
  await db.query(`drop table ingest.webhook_events_p20310131`);
  const { rows: [gone] } = await db.query(`select count(*)::int n from ingest.webhook_events where webhook_id = 'wh_boundary'`);
  t.equal(gone.n, 0, 'the first delivery\'s partition is gone');
  const again = await deliver(receiver.url, JSON.parse(body), { webhookId: 'wh_boundary' });
  t.same([again.status, again.body], [200, { status: 'duplicate', event_id: first.id, webhook_id: 'wh_boundary', trace_id: first.trace_id }],
    'still a duplicate, answered from the key table');
  t.equal((await insert(day(2))).rowCount, 0, 'and still refused in SQL');
  const { rows: [k] } = await db.query(`select status from ingest.delivery_status('telephony', 'wh_boundary')`);
  t.equal(k.status, 'purged');

  // A rejected delivery stays rejected once its partition is gone: its duplicate is answered 400, as before.
  const { rows: [bad] } = await db.query(
    `insert into ingest.webhook_events (source, webhook_id, raw_body, received_at) values ('telephony', 'wh_bad', 'not json', $1) returning id, status`, [day(4)]);
  t.equal(bad.status, 'rejected');
  await db.query(`alter table ingest.webhook_events detach partition ingest.webhook_events_p20310204`);
  await db.query(`drop table ingest.webhook_events_p20310204`);
  const rejected = await deliver(receiver.url, JSON.parse(body), { webhookId: 'wh_bad' });
  t.match([rejected.status, rejected.body], [400, { error: 'rejected', event_id: bad.id }]);
});

t.test('the audit names the table, not the partition, of a row that changed', async (t) => {
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at) values ('telephony', 'wh_audit', '{}', '{"type":"x"}', $1) returning id`, [day(3)]);
  await db.query(`update ingest.webhook_events set status = 'completed' where id = $1`, [ev.id]);
  const { rows } = await db.query(`select operation, entity_type from audit.ledger where entity_id = $1 and entity_type like 'ingest.%' order by id`, [String(ev.id)]);
  t.same(rows, [{ operation: 'create', entity_type: 'ingest.webhook_events' }, { operation: 'complete', entity_type: 'ingest.webhook_events' }]);
  await t.rejects(db.query(`delete from ingest.webhook_events where id = $1`, [ev.id]), /DELETE on ingest.webhook_events needs a reason/);
  await t.rejects(db.query(`update audit.ledger set actor = 'x' where entity_id = $1`, [String(ev.id)]), /audit.ledger is append-only/);
});

t.test('the audit chain verifies with its rows spread over partitions, and after rows move out of DEFAULT', async (t) => {
  const add = (at: Date, entity: string) => db.query(
    `insert into audit.ledger (occurred_at, actor, db_role, operation, entity_type, entity_id) values ($1, 'test', 'test', 'create', 'test.partitions', $2)`, [at, entity]);
  await add(day(0), 'd0');
  await add(day(1), 'd1');
  await add(day(3), 'd3');
  await add(new Date('2031-09-09T09:00:00Z'), 'default');
  const { rows: parts } = await db.query(`select entity_id, tableoid::regclass::text as part from audit.ledger where entity_type = 'test.partitions' order by id`);
  t.same(parts.map((r) => r.part), ['audit.ledger_p20310131', 'audit.ledger_p20310201', 'audit.ledger_p20310203', 'audit.ledger_default']);
  await sealLedger(db);
  const before = await verifyLedger(db);
  t.match(before, { ok: true }, 'verifies across partitions');
  await maintainPartitions(db, D);
  const { rows: [moved] } = await db.query(`select tableoid::regclass::text as part from audit.ledger where entity_id = 'default'`);
  t.equal(moved.part, 'audit.ledger_p20310909');
  const after = await verifyLedger(db);
  t.match(after, { ok: true, head: before.head, checked: before.checked }, 'moving rows out of DEFAULT changes no sealed row');
});

t.test('ballast trace reads only the partitions from the trace\'s start on, and prints the same', async (t) => {
  const at = new Date(day(2).getTime() + 3_600_000);
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at, trace_id, status)
                  values ('telephony', 'wh_trace', '{}', '{"type":"x"}', $1, $2, 'completed')`, [at, TRACE]);
  await db.query(`insert into ballast.job_attempts (job_id, task, attempt, max_attempts, trace_id, span_id, worker_id, status, job_created_at, started_at, finished_at)
                  values (1, 'normalize_event', 1, 1, $2, '00000000000000f1', 'w', 'succeeded', $1, $1::timestamptz + interval '1 s', $1::timestamptz + interval '2 s')`, [at, TRACE]);
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, context, created_at, failed_at)
                  values ('i', 'summarize_interaction', jsonb_build_object('trace_id', $2::text), $1::timestamptz + interval '3 s', $1::timestamptz + interval '3 s')`, [at, TRACE]);
  const since = await traceSince(db, TRACE);
  t.same(since, new Date(at.getTime() - 86_400_000), 'the trace\'s delivery less a day');

  const scanned = async (query: string, params: unknown[]) => {
    const { rows } = await db.query(`explain (format json) ${namedQuery(query)}`, params);
    const names = new Set<string>();
    const walk = (n: any) => {
      if (n['Relation Name']) names.add(n['Relation Name']);
      for (const c of n.Plans ?? []) walk(c);
    };
    walk(rows[0]['QUERY PLAN'][0].Plan);
    return names;
  };
  for (const [query, table] of [['trace_timeline', 'ingest.webhook_events'], ['trace_timeline', 'ballast.job_attempts'], ['trace_timeline', 'ingest.redelivery_conflicts'],
    ['trace_failures', 'ballast.error_envelopes'], ['trace_failures', 'ballast.pipeline_failures'], ['audit_trace', 'audit.ledger']] as const) {
    // Plans name relations without their schema.
    const parts = (await partitionRanges(db, table)).map((p) => ({ ...p, partition: p.partition.split('.')[1]! }));
    const before = parts.filter((p) => !p.is_default && p.upper_bound && p.upper_bound <= since!).map((p) => p.partition);
    const after = parts.filter((p) => !before.includes(p.partition)).map((p) => p.partition);
    t.ok(before.length > 0, `${table} has partitions before the trace`);
    const bounded = await scanned(query, [TRACE, since]);
    t.same(before.filter((p) => bounded.has(p)), [], `${query}: no partition of ${table} before the trace is read`);
    t.ok(after.some((p) => bounded.has(p)), `${query}: the partitions from the trace on are`);
    const unbounded = await scanned(query, [TRACE, null]);
    t.ok(before.every((p) => unbounded.has(p)), `${query}: without the bound every partition of ${table} would be read`);
  }
  const timeline = await traceTimeline(db, TRACE);
  t.same(timeline.map((r) => [r.kind, r.name, r.status]),
    [['inbox', 'telephony x', 'completed'], ['attempt', 'normalize_event', 'succeeded'], ['dead letter', 'summarize_interaction', 'parked']]);
  const everything = [...await runNamed(db, 'trace_timeline', [TRACE, null]), ...await runNamed(db, 'trace_failures', [TRACE, null])];
  const sorted = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).sort();
  t.same(sorted(timeline), sorted(everything), 'the same rows as reading every partition');
});

t.test('every role reads and writes through the parent; a partition is read-only to them', async (t) => {
  const c = new pg.Client({ connectionString: withRole(url, ROLES.worker) });
  await c.connect();
  t.teardown(() => c.end());
  await c.query(`select count(*) from ingest.webhook_events_p20310201`);
  t.pass('the worker reads a partition directly');
  await t.rejects(c.query(`insert into ingest.webhook_events_p20310201 (source, webhook_id, raw_body, received_at) values ('telephony', 'direct', '{}', $1)`, [day(1)]),
    /permission denied/, 'writes go through the parent, where the audit triggers see them');
  await t.rejects(c.query(`delete from audit.ledger_p20310131`), /permission denied/);
  await t.rejects(c.query(`select ballast.create_partition('ingest.webhook_events', now())`), /permission denied/, 'only the keeper creates partitions');
  const f = new pg.Client({ connectionString: withRole(url, ROLES.forensics) });
  await f.connect();
  t.teardown(() => f.end());
  await t.rejects(f.query(`select * from ballast.maintain_partitions(now())`), /permission denied/, 'forensics cannot maintain partitions');
});

t.test('the partitions_behind alert fires for each table whose partitions ahead ran out, and not before', async (t) => {
  const { text } = conditionQuery('partitions_behind');
  const firing = async (now: Date) => (await db.query(text, [2, now])).rows.map((r) => r.key).sort();
  t.same(await firing(D), [], 'at the clock the task ran at, every table has its partitions ahead');
  const later = new Date('2031-02-04T12:00:00Z');
  t.same(await firing(later), ['audit.ledger', 'ballast.job_attempts', 'ingest.redelivery_conflicts', 'ingest.webhook_events', 'search.outbox'],
    'four days on without a run, the daily tables have fewer than 2 days ahead');
  const { rows: [one] } = await db.query(text, [2, later]);
  t.match(one.message, /partition\(s\) ahead of the current day \(premake 4\): is maintain_partitions running\?/);
  await maintainPartitions(db, later);
  t.same(await firing(later), [], 'a run clears it');
});
