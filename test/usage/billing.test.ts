/**
 * Billing lines (issue 15 part 4): one line per billable unit of each
 * interaction, written by normalize_event in the transaction that records
 * the interaction; counters that equal the lines; an invoice that is the sum
 * of its lines; periods of the interaction's own time; and no double billing
 * under replay or backfill.
 */
import t from 'tap';
import { backfillTargets, enqueueBackfill, findBackfill } from '../../lib/backfill/index.ts';
import { stages } from '../../tasks/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';
import { addUsageAgent, AGENT, call, inbox, linesPerPeriod, normalizeEvent, rerun, settledEvents, sms, usageRows } from './helpers.ts';

t.test('a call is billed as one call and its started minutes, an SMS as one sms; counters equal the lines; the invoice is their sum', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await startTestWorker(t, url, { stages: [normalizeEvent] });
  const ids = await inbox(db,
    call('2026-03-10T10:00:00Z', 95), call('2026-03-10T11:00:00Z', 60), call('2026-03-10T12:00:00Z', 61),
    call('2026-03-11T09:00:00Z', 0), sms('2026-03-11T09:30:00Z'));
  const events = await settledEvents(db, ids);
  t.same(events.map((e) => e.status), ['processing', 'processing', 'processing', 'processing', 'processing'], 'every event is recorded');

  const { rows: lines } = await db.query(
    `select i.provider_ref, l.unit, l.quantity::int, l.unit_price::text, l.amount::text, l.usage_day::text, l.period_start::text,
            l.trace_id = i.trace_id as same_trace, l.produced_by, l.producer_version
       from app.billing_line_items l join app.interactions i on i.id = l.interaction_id
      order by i.event_id, l.unit`);
  t.same(lines.map((l) => [l.unit, l.quantity]), [
    ['call_minutes', 2], ['calls', 1], ['call_minutes', 1], ['calls', 1], ['call_minutes', 2], ['calls', 1],
    ['call_minutes', 0], ['calls', 1], ['sms', 1]], 'per started minute: 95 s is 2, 60 s is 1, 61 s is 2, 0 s is 0');
  t.ok(lines.every((l) => l.same_trace && l.produced_by === 'normalize_event' && l.producer_version === normalizeEvent.version),
    'each line carries its interaction\'s trace and the producer stamps');
  t.same([...new Set(lines.map((l) => l.period_start))], ['2026-03-01']);
  t.same(lines.filter((l) => l.unit === 'call_minutes').map((l) => l.amount), ['0.04', '0.02', '0.04', '0.00'], 'amount = quantity x the standard tier\'s price');

  t.same(await usageRows(db), [{ period_start: '2026-03-01', tier: 'standard', calls: 4, call_minutes: 5, sms: 1, limit_state: 'ok' }]);
  t.same(await linesPerPeriod(db), [{ period_start: '2026-03-01', calls: 4, call_minutes: 5, sms: 1, lines: 9 }], 'the counters are the lines');
  const { rows: [inv] } = await db.query(`select total::text, recomputed_total::text, calls::int, call_minutes::int, sms::int, lines::int from app.invoices where agent_id = $1`, [AGENT]);
  const { rows: [sum] } = await db.query(`select sum(amount)::text as total from app.billing_line_items where agent_id = $1 and period_start = '2026-03-01'`, [AGENT]);
  t.same(inv, { total: sum.total, recomputed_total: sum.total, calls: 4, call_minutes: 5, sms: 1, lines: 9 }, 'the invoice is the sum of its lines');
  t.equal(sum.total, '0.1079', '4 calls at 0, 5 minutes at 0.02, 1 SMS at 0.0079');
  const { rows: daily } = await db.query(`select usage_day::text, calls::int, call_minutes::int, sms::int from app.billed_usage_daily where agent_id = $1 order by 1`, [AGENT]);
  t.same(daily, [{ usage_day: '2026-03-10', calls: 3, call_minutes: 5, sms: 0 }, { usage_day: '2026-03-11', calls: 1, call_minutes: 0, sms: 1 }]);
});

t.test('a replayed event and a backfill bill nothing twice and count nothing twice', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await startTestWorker(t, url, { stages: [normalizeEvent] });
  const ids = await inbox(db, call('2026-03-10T10:00:00Z', 125), sms('2026-03-10T10:05:00Z'));
  await settledEvents(db, ids);
  const lines = async () => (await db.query(`select id, interaction_id, unit, quantity::int, span_id from app.billing_line_items order by id`)).rows;
  const first = await lines();
  t.equal(first.length, 3);

  await rerun(db, ids);
  await rerun(db, ids);
  t.same(await lines(), first, 'two replays: the same lines, untouched');
  t.same(await usageRows(db), [{ period_start: '2026-03-01', tier: 'standard', calls: 1, call_minutes: 3, sms: 1, limit_state: 'ok' }], 'counted once');

  // An interaction recorded by the version before billing existed: no lines yet.
  const targets = backfillTargets(stages);
  const [old] = await inbox(db, call('2026-03-12T08:00:00Z', 30));
  await settledEvents(db, [old!]);
  await db.atomicWrite(async (tx) => {
    await tx.query(`delete from app.billing_line_items where interaction_id = (select id from app.interactions where event_id = $1)`, [old]);
    await tx.query(`update app.usage_limits set calls = calls - 1, call_minutes = call_minutes - 1 where agent_id = $1`, [AGENT]);
    await tx.query(`update app.interactions set producer_version = '1.0.0' where event_id = $1`, [old]);
  }, { reason: 'test: as the version before billing left it' });
  const candidates = await findBackfill(db, targets, 'normalize_event', normalizeEvent.version);
  t.same(candidates.map((c) => c.input_id), [old], 'the backfill finds the interaction of the older version');
  const succeeded = async () => (await db.query(`select count(*)::int n from ballast.job_attempts where task = 'normalize_event' and status = 'succeeded'`)).rows[0].n;
  for (let round = 0; round < 2; round++) {
    const before = await succeeded();
    await enqueueBackfill(db, targets, 'normalize_event', candidates);
    await waitFor('the backfill to run', async () => (await succeeded()) === before + 1);
  }
  t.same(await usageRows(db), [{ period_start: '2026-03-01', tier: 'standard', calls: 2, call_minutes: 4, sms: 1, limit_state: 'ok' }],
    'backfilled twice: the old interaction is billed and counted once');
  t.same(await linesPerPeriod(db), [{ period_start: '2026-03-01', calls: 2, call_minutes: 4, sms: 1, lines: 5 }]);
  const { rows: [dup] } = await db.query(`select count(*)::int n from (select interaction_id, unit from app.billing_line_items group by 1, 2 having count(*) > 1) d`);
  t.equal(dup.n, 0, 'no line twice');
});

t.test('counters roll over at the period of the interaction\'s own time, in UTC', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await startTestWorker(t, url, { stages: [normalizeEvent] });
  const ids = await inbox(db,
    call('2026-01-31T23:59:30Z', 30),        // last second of January's period
    call('2026-02-01T00:30:00+01:00', 60),    // 2026-01-31T23:30Z: still January in UTC
    call('2026-02-01T00:00:00Z', 90),         // the first instant of February's
    sms('2026-02-28T23:59:59.999Z'),
    sms('2026-03-01T00:00:00Z'));
  await settledEvents(db, ids);
  t.same(await usageRows(db), [
    { period_start: '2026-01-01', tier: 'standard', calls: 2, call_minutes: 2, sms: 0, limit_state: 'ok' },
    { period_start: '2026-02-01', tier: 'standard', calls: 1, call_minutes: 2, sms: 1, limit_state: 'ok' },
    { period_start: '2026-03-01', tier: 'standard', calls: 0, call_minutes: 0, sms: 1, limit_state: 'ok' },
  ]);
  const { rows } = await db.query(`select usage_day::text, period_start::text from app.billing_line_items where unit <> 'call_minutes' order by occurred_at`);
  t.same(rows.map((r) => `${r.usage_day} ${r.period_start}`), ['2026-01-31 2026-01-01', '2026-01-31 2026-01-01', '2026-02-01 2026-02-01', '2026-02-28 2026-02-01', '2026-03-01 2026-03-01']);
  const { rows: [{ end }] } = await db.query(`select period_end::text as end from app.usage_limits where period_start = '2026-02-01'`);
  t.equal(end, '2026-03-01');
});
