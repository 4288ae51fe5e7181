import t from 'tap';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER, deliver, startTestReceiver, startTestWorker, waitForEvent, waitForIdleQueue } from '../helpers/pipeline.ts';

t.test('the same webhook delivered 100 times at once gives one inbox row and one set of outputs', async (t) => {
  const { db, url } = await testDatabase(t);
  await addAgent(db);
  const receiver = await startTestReceiver(t, db);
  await startTestWorker(t, url);
  const payload = sampleCall({ to: AGENT_NUMBER, callId: 'call_dup' });

  const results = await Promise.all(Array.from({ length: 100 }, () => deliver(receiver.url, payload, { webhookId: 'msg_dup' })));
  t.same([...new Set(results.map((r) => r.status))], [200], 'every delivery is answered 200');
  const statuses = results.map((r) => (r.body as { status: string }).status);
  t.equal(statuses.filter((s) => s === 'accepted').length, 1, 'one is accepted');
  t.equal(statuses.filter((s) => s === 'duplicate').length, 99, 'the rest are duplicates');
  const ids = new Set(results.map((r) => (r.body as { event_id: number }).event_id));
  t.equal(ids.size, 1, 'all answers name the same event');

  const { rows: events } = await db.query(`select id from ingest.webhook_events`);
  t.equal(events.length, 1);
  await waitForEvent(db, events[0].id);
  await waitForIdleQueue(db);
  const counts = (await db.query(`
    select (select count(*) from app.interactions)::int as interactions,
           (select count(*) from app.summaries)::int as summaries,
           (select count(distinct span_id) from app.claims)::int as claim_sets,
           (select count(distinct span_id) from app.striking_flags)::int as flag_sets,
           (select count(*) from ballast.job_attempts where task = 'normalize_event')::int as normalize_runs`)).rows[0];
  t.same(counts, { interactions: 1, summaries: 1, claim_sets: 1, flag_sets: 1, normalize_runs: 1 });
});
