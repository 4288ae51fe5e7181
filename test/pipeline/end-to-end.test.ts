import t from 'tap';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { addAgent, AGENT_NUMBER, deliver, PIPELINE_TASKS, startTestReceiver, startTestWorker, waitForEvent, waitForIdleQueue } from '../helpers/pipeline.ts';
import { resolveTraceIds, traceTimeline } from '../../lib/forensics/index.ts';
import { stages } from '../../tasks/index.ts';

const { db, url } = await testDatabase(t);
await addAgent(db);
const receiver = await startTestReceiver(t, db);
await startTestWorker(t, url);

const OUTPUT_TABLES = ['app.interactions', 'app.conversation_spans', 'app.summaries', 'app.claims', 'app.striking_flags', 'app.billing_line_items'];
/** The version each table's producer declares (normalize_event also writes the billing lines). */
const producerVersion = (table: string) => stages.find((s) => s.outputs.includes(table) || (table === 'app.billing_line_items' && s.task === 'normalize_event'))!.version;

t.test('one webhook runs the whole pipeline; every row carries its trace and correlation id', async (t) => {
  const res = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'msg_e2e' });
  t.equal(res.status, 200);
  const { event_id: eventId, trace_id: traceId } = res.body as { event_id: number; trace_id: string };
  const ev = await waitForEvent(db, eventId);
  t.equal(ev.status, 'completed');
  t.same(ev.stages_done, ['detect_striking', 'extract_claims', 'summarize_interaction']);

  for (const table of OUTPUT_TABLES) {
    const { rows } = await db.query(
      `select distinct trace_id, correlation_id, produced_by, producer_version from ${table}`);
    t.equal(rows.length, 1, `${table}: one producer, one trace`);
    t.match(rows[0], { trace_id: traceId, correlation_id: 'telephony:msg_e2e', producer_version: producerVersion(table) }, table);
  }
  const { rows: stamps } = await db.query(
    `select model_version, prompt_version from app.claims union select model_version, prompt_version from app.striking_flags
     union select model_version, prompt_version from app.summaries`);
  t.same(stamps.map((r) => r.model_version).sort(), ['extractive-summarizer@1.0.0', 'rule-claims@1.0.0', 'rule-striking@1.0.0']);

  const { rows: claims } = await db.query('select kind from app.claims order by seq');
  t.ok(claims.some((c) => c.kind === 'refund_request'), 'the refund request is a claim');
  const { rows: flags } = await db.query('select flag from app.striking_flags');
  t.ok(flags.some((f) => f.flag === 'churn_risk'), 'the cancel threat is flagged');

  const { rows: attempts } = await db.query(
    'select task, status, trace_id, correlation_id, parent_span_id, span_id from ballast.job_attempts where task = any($1) order by id',
    [PIPELINE_TASKS]);
  t.same(attempts.map((a) => a.task).slice(0, 2), ['normalize_event', 'segment_interaction']);
  t.equal(attempts.length, 5, 'one attempt per stage');
  t.ok(attempts.every((a) => a.status === 'succeeded' && a.trace_id === traceId && a.correlation_id === 'telephony:msg_e2e'));
  const normalize = attempts.find((a) => a.task === 'normalize_event')!;
  t.equal(normalize.parent_span_id, ev.span_id, 'the first stage is a child of the receiver span');
  const segment = attempts.find((a) => a.task === 'segment_interaction')!;
  t.equal(segment.parent_span_id, normalize.span_id, 'each stage is a child of the stage that wrote its input');

  t.same(await resolveTraceIds(db, 'msg_e2e'), [traceId], 'trace resolves from the webhook id');
  t.same(await resolveTraceIds(db, 'telephony:msg_e2e'), [traceId], '... the correlation id');
  const timeline = await traceTimeline(db, traceId);
  const kinds = new Set(timeline.map((r) => r.kind));
  for (const k of ['attempt', 'inbox', 'output']) t.ok(kinds.has(k), `the timeline shows ${k} rows`);
  t.same(timeline.filter((r) => r.kind === 'output').map((r) => r.name).sort(),
    ['app.billing_line_items', 'app.claims', 'app.conversation_spans', 'app.interactions', 'app.striking_flags', 'app.summaries']);
  t.match(timeline.find((r) => r.name === 'app.billing_line_items')?.detail, { units: { calls: 1, call_minutes: 2 }, produced_by: 'normalize_event' },
    'the event\'s billing lines, in its story (95 s: 2 started minutes)');
});

t.test('an SMS becomes an interaction with one span', async (t) => {
  const res = await deliver(receiver.url, {
    type: 'message.received',
    data: { message_id: 'sms_1', from: '+15555550111', to: AGENT_NUMBER, body: 'Can you call me back? I need to reschedule my appointment.', sent_at: new Date().toISOString() },
  });
  const ev = await waitForEvent(db, (res.body as { event_id: number }).event_id);
  t.equal(ev.status, 'completed');
  const { rows } = await db.query(
    `select i.kind, count(s.*)::int as spans from app.interactions i join app.conversation_spans s on s.interaction_id = i.id
      where i.event_id = $1 group by i.kind`, [ev.id]);
  t.same(rows, [{ kind: 'sms', spans: 1 }]);
});

t.test('normalized records carry the required fields, for a call and for an SMS', async (t) => {
  const sent = new Date('2026-03-01T10:00:00.000Z');
  const call = sampleCall({ to: AGENT_NUMBER, from: '+15555550123', callId: 'call_fields', at: sent });
  const ids = [];
  for (const payload of [call, { type: 'message.received', data: { message_id: 'sms_fields', from: '+15555550124', to: AGENT_NUMBER, body: 'On my way.', sent_at: sent.toISOString() } }]) {
    const res = await deliver(receiver.url, payload);
    ids.push((await waitForEvent(db, (res.body as { event_id: number }).event_id)).id);
  }
  const { rows } = await db.query(
    `select i.event_id::int, i.org_id, i.agent_id, i.kind, i.direction, i.provider_ref, i.from_number, i.to_number, i.occurred_at,
            i.duration_seconds, i.body, jsonb_array_length(i.transcript) as turns, i.trace_id = e.trace_id as same_trace,
            i.correlation_id = e.correlation_id as same_correlation, i.produced_by, i.producer_version
       from app.interactions i join ingest.webhook_events e on e.id = i.event_id where i.event_id = any ($1) order by i.event_id`, [ids]);
  const common = { org_id: 'org_test', agent_id: 'agent_test', direction: 'inbound', to_number: AGENT_NUMBER, same_trace: true,
    same_correlation: true, produced_by: 'normalize_event', producer_version: producerVersion('app.interactions') };
  t.match(rows[0], { ...common, event_id: ids[0], kind: 'call', provider_ref: 'call_fields', from_number: '+15555550123',
    occurred_at: new Date(sent.getTime() - 95_000), duration_seconds: 95, body: null, turns: 7 });
  t.match(rows[1], { ...common, event_id: ids[1], kind: 'sms', provider_ref: 'sms_fields', from_number: '+15555550124',
    occurred_at: sent, duration_seconds: null, body: 'On my way.', turns: null });
});

t.test('a number no agent owns goes to unknown_phone and the event is quarantined, not failed', async (t) => {
  const res = await deliver(receiver.url, sampleCall({ to: '+15555550999' }));
  const ev = await waitForEvent(db, (res.body as { event_id: number }).event_id);
  t.equal(ev.status, 'quarantined');
  t.equal(ev.status_reason, `unknown_phone: no active agent owns ${redactor.mask('phone', '+15555550999')}`, 'the number is masked: the reason reaches the audit ledger');
  const { rows: audited } = await db.query(
    `select after_data::text as after from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1::text`, [String(ev.id)]);
  t.ok(audited.length > 0 && audited.every((r: { after: string }) => !r.after.includes('5555550999')), 'the ledger never holds the number');
  const { rows } = await db.query('select phone_number, trace_id from app.unknown_phone where event_id = $1', [ev.id]);
  t.same(rows, [{ phone_number: '+15555550999', trace_id: ev.trace_id }]);
});

t.test('an unsupported event type is quarantined with the reason', async (t) => {
  const res = await deliver(receiver.url, { type: 'call.ringing', data: {} });
  const ev = await waitForEvent(db, (res.body as { event_id: number }).event_id);
  t.equal(ev.status, 'quarantined');
  t.match(ev.status_reason, /unsupported event type "call.ringing"/);
});

t.test('a body that is JSON but not an object is quarantined with what it is, and kept as received', async (t) => {
  for (const [body, kind] of [[[], 'a JSON array'], ['x', 'a JSON string'], [42, 'a JSON number'], [true, 'a JSON boolean'], [null, 'JSON null']] as const) {
    const res = await deliver(receiver.url, body);
    t.equal(res.status, 200, kind);
    const ev = await waitForEvent(db, (res.body as { event_id: number }).event_id);
    t.match(ev, { status: 'quarantined', status_reason: `not_an_object: the body is ${kind}, not an object` }, kind);
    t.equal(ev.raw_body, JSON.stringify(body), `${kind}: the body is kept`);
  }
  const res = await deliver(receiver.url, { data: {} });
  const ev = await waitForEvent(db, (res.body as { event_id: number }).event_id);
  t.match(ev, { status: 'quarantined', status_reason: 'unsupported_event_type: the body has no "type"' }, 'an object without a type');
});

t.test('re-running every stage for the same input duplicates nothing', async (t) => {
  await waitForIdleQueue(db);
  const count = async () => Object.fromEntries(await Promise.all(OUTPUT_TABLES.map(async (tb) =>
    [tb, (await db.query(`select count(*)::int as n from ${tb}`)).rows[0].n])));
  const before = await count();
  const { rows: events } = await db.query(`select id, trace_id, span_id, correlation_id from ingest.webhook_events where status = 'completed'`);
  const { rows: its } = await db.query('select id, trace_id, span_id, correlation_id from app.interactions');
  for (const e of events) {
    await db.query(`select graphile_worker.add_job('normalize_event', json_build_object('event_id', $1::bigint, 'trace_id', $2::text, 'parent_span_id', $3::text, 'correlation_id', $4::text))`,
      [e.id, e.trace_id, e.span_id, e.correlation_id]);
  }
  for (const i of its) {
    for (const task of ['segment_interaction', 'summarize_interaction', 'extract_claims', 'detect_striking']) {
      await db.query(`select graphile_worker.add_job($1, json_build_object('interaction_id', $2::bigint, 'trace_id', $3::text, 'parent_span_id', $4::text, 'correlation_id', $5::text))`,
        [task, i.id, i.trace_id, i.span_id, i.correlation_id]);
    }
  }
  await waitForIdleQueue(db);
  t.same(await count(), before);
});
