import t from 'tap';
import { withTrace } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';

const { db } = await testDatabase(t);
await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('a1', 'u1', '+15555550001')`);
const { rows: [ev] } = await db.query(`insert into ingest.webhook_events (source, payload, status) values ('telephony', '{}', 'rejected') returning id`);

t.test('the database refuses an output row without producer stamps', async (t) => {
  await t.rejects(db.query(
    `insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at)
     values ($1, 'o', 'a1', 'call', 'inbound', 'c', '+1555', '+1556', now())`, [ev.id]),
  /null value in column "trace_id"/);
});

t.test('inside a stage context the stamps come from the transaction settings', async (t) => {
  const ctx = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', parent_span_id: null,
    correlation_id: 'telephony:x', task: 'normalize_event', task_version: '9.9.9' };
  const row = await withTrace(ctx, () => db.atomicWrite(async (tx) => (await tx.query(
    `insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at)
     values ($1, 'o', 'a1', 'call', 'inbound', 'c', '+1555', '+1556', now())
     returning trace_id, span_id, correlation_id, produced_by, producer_version`, [ev.id])).rows[0]));
  t.same(row, { trace_id: ctx.trace_id, span_id: ctx.span_id, correlation_id: 'telephony:x', produced_by: 'normalize_event', producer_version: '9.9.9' });
});

t.test('decision tables also require a model version', async (t) => {
  const ctx = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', parent_span_id: null,
    correlation_id: 'c', task: 'summarize_interaction', task_version: '1.0.0' };
  await t.rejects(withTrace(ctx, () => db.atomicWrite((tx) => tx.query(
    `insert into app.summaries (interaction_id, summary) select id, 's' from app.interactions limit 1`))),
  /null value in column "model_version"/);
});

t.test('a malformed trace id is refused', async (t) => {
  await t.rejects(db.query(`insert into ingest.webhook_events (source, payload, trace_id) values ('telephony', '{}', 'not-a-trace')`), /check constraint/);
});
