import t from 'tap';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER, startTestWorker, waitForEvent } from '../helpers/pipeline.ts';

t.test('a plain SQL INSERT into the inbox starts the pipeline, with a trace of its own', async (t) => {
  const { db, url } = await testDatabase(t);
  await addAgent(db);
  await startTestWorker(t, url);
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload) values ('telephony', $1) returning *`,
    [JSON.stringify(sampleCall({ to: AGENT_NUMBER }))]);
  t.match(ev, { status: 'received', trace_id: /^[0-9a-f]{32}$/, span_id: /^[0-9a-f]{16}$/, webhook_id: /^sql_/, event_type: 'call.completed' });
  t.equal(ev.correlation_id, `telephony:${ev.webhook_id}`);
  t.same(JSON.parse(ev.raw_body), ev.payload, 'raw body filled from the payload');
  const done = await waitForEvent(db, ev.id);
  t.equal(done.status, 'completed');
  const { rows } = await db.query('select distinct trace_id from app.summaries');
  t.same(rows, [{ trace_id: ev.trace_id }]);
});

t.test('a SQL insert of a body that is not JSON is kept as rejected and starts nothing', async (t) => {
  const { db } = await testDatabase(t);
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, raw_body) values ('telephony', 'not json') returning status, status_reason`);
  t.same(ev, { status: 'rejected', status_reason: 'body is not valid JSON' });
  const { rows: [j] } = await db.query('select count(*)::int as n from graphile_worker._private_jobs');
  t.equal(j.n, 0);
});
