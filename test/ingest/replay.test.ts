/**
 * Inbox replay, end to end with the real receiver, worker and CLI: the
 * unknown-number queue and its replay once the number is provisioned, a
 * suspended agent's events kept and replayed, a manual replay with its
 * audit rows and its new span on the original trace, and idempotency (a
 * replay replaces outputs, never duplicates them).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { activateAgent, addAgent, listUnknownNumbers, replayWaitingFor, suspendAgent } from '../../lib/agents/index.ts';
import { findReplayable, replayEvents } from '../../lib/ingest/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { traceTimeline } from '../../lib/forensics/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { deliver, startTestReceiver, startTestWorker, waitForEvent, waitForIdleQueue } from '../helpers/pipeline.ts';

const { db, url } = await testDatabase(t);
const receiver = await startTestReceiver(t, db);
await startTestWorker(t, url);

const run = promisify(execFile);
const ballast = async (...args: string[]) => (await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
  { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops' } })).stdout;
const fails = (...args: string[]) => ballast(...args).then(() => { throw new Error('expected a failure'); }, (e) => e as { code: number; stdout: string; stderr: string });

const ops = { actor: 'cli:ops', note: 'test' };
const sms = (to: string, id: string) => ({
  type: 'message.received',
  data: { message_id: id, from: '+15555550111', to, body: 'I want a refund, please call me back.', sent_at: new Date().toISOString() },
});
async function send(payload: unknown): Promise<Record<string, any>> {
  const res = await deliver(receiver.url, payload);
  if (res.status !== 200) throw new Error(`the receiver answered ${res.status}: ${JSON.stringify(res.body)}`);
  return waitForEvent(db, (res.body as { event_id: number }).event_id);
}
const counts = async () => Object.fromEntries(await Promise.all(
  ['app.interactions', 'app.conversation_spans', 'app.summaries', 'app.claims', 'app.striking_flags', 'app.unknown_phone'].map(async (tb) =>
    [tb, (await db.query(`select count(*)::int as n from ${tb}`)).rows[0].n])));

t.test('events for an unknown number wait, open, and are replayed into interactions when the number is provisioned', async (t) => {
  const number = '+15555550401';
  const call = await send(sampleCall({ to: number, callId: 'call_401' }));
  const text = await send(sms(number, 'sms_401'));
  for (const ev of [call, text]) t.match(ev, { status: 'quarantined', status_reason: /^unknown_phone: no active agent owns \[redacted:phone:/ });
  t.same((await db.query(`select event_id::int, resolution from app.unknown_phone where phone_number = $1 order by event_id`, [number])).rows,
    [{ event_id: call.id, resolution: 'open' }, { event_id: text.id, resolution: 'open' }]);
  t.match(await listUnknownNumbers(db), [{ phone_number: number, open: 2 }]);

  // Pending: the number is reserved, but nobody takes its events yet.
  await addAgent(db, { userId: 'u401', phoneNumber: number }, ops);
  const late = await send(sms(number, 'sms_401b'));
  t.match(late, { status: 'quarantined', status_reason: /^unknown_phone:/ });

  const out = await ballast('agents', 'activate', 'pending-u401', '--id', 'agent_401', '--note', 'number ported');
  t.match(out, /activated agent_401 active \+15555550401/);
  t.match(out, new RegExp(`replayed 3 event\\(s\\): ${call.id}, ${text.id}, ${late.id}`));
  for (const ev of [call, text, late]) t.equal((await waitForEvent(db, ev.id, ['completed'])).status, 'completed');

  const { rows: its } = await db.query(`select event_id::int, agent_id, kind, trace_id from app.interactions where event_id = any($1) order by event_id`,
    [[call.id, text.id, late.id]]);
  t.same(its.map((i) => [i.event_id, i.agent_id, i.kind]), [[call.id, 'agent_401', 'call'], [text.id, 'agent_401', 'sms'], [late.id, 'agent_401', 'sms']]);
  t.equal(its[0].trace_id, call.trace_id, 'on the original trace');
  t.match((await db.query(`select resolution, resolved_by, resolved_agent_id from app.unknown_phone where phone_number = $1`, [number])).rows,
    Array(3).fill({ resolution: 'replayed', resolved_by: 'cli:ops', resolved_agent_id: 'agent_401' }), 'the unknown-number rows are resolved');
  t.same(await listUnknownNumbers(db), []);

  // The replay is audited on the event, by the operator, with the reason and its own span...
  const { rows: [audit] } = await db.query(
    `select actor, db_role, reason, trace_id, span_id, before_data->>'status' as before, after_data->>'status' as after
       from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1 and reason like 'inbox replay:%'`, [String(call.id)]);
  t.match(audit, { actor: 'cli:ops', db_role: 'ballast_owner', reason: 'inbox replay: agent agent_401 activated for +15555550401',
    trace_id: call.trace_id, before: 'quarantined', after: 'received' });
  t.not(audit.span_id, call.span_id, 'a new span');
  // ... which is the parent of the replayed attempt.
  const { rows: attempts } = await db.query(`select parent_span_id, status from ballast.job_attempts where task = 'normalize_event' and trace_id = $1 order by id`, [call.trace_id]);
  t.same(attempts, [{ parent_span_id: call.span_id, status: 'succeeded' }, { parent_span_id: audit.span_id, status: 'succeeded' }]);
  const timeline = await traceTimeline(db, call.trace_id);
  t.match(timeline.filter((r) => r.kind === 'replay'), [{ name: 'inbox replay', detail: { by: 'cli:ops', span_id: audit.span_id } }],
    '`ballast trace` shows the replay');
});

t.test("a suspended agent's events are kept, quarantined as agent_suspended, and replayed when it is activated again", async (t) => {
  const number = '+15555550402';
  await addAgent(db, { userId: 'u402', phoneNumber: number, agentId: 'agent_402' }, ops);
  await suspendAgent(db, 'agent_402', { actor: 'cli:ops', note: 'billing hold' });
  const ev = await send(sms(number, 'sms_402'));
  t.match(ev, { status: 'quarantined', status_reason: 'agent_suspended: agent agent_402 is suspended' });
  t.equal((await db.query(`select count(*)::int n from app.unknown_phone where event_id = $1`, [ev.id])).rows[0].n, 0, 'not an unknown number');
  await activateAgent(db, 'agent_402', ops);
  const r = await replayWaitingFor(db, number, { actor: 'cli:ops', note: 'hold lifted' });
  t.same(r.replayed.map((e) => e.id), [ev.id]);
  t.equal((await waitForEvent(db, ev.id, ['completed'])).status, 'completed');
});

t.test('a manual replay re-runs the pipeline and replaces its outputs; twice gives the same rows', async (t) => {
  const done = await send(sampleCall({ to: '+15555550401', callId: 'call_401c' }));
  t.equal(done.status, 'completed');
  await waitForIdleQueue(db);
  const before = await counts();
  const { rows: claimsBefore } = await db.query(`select c.id, c.span_id from app.claims c join app.interactions i on i.id = c.interaction_id where i.event_id = $1`, [done.id]);
  t.ok(claimsBefore.length > 0, 'the call has claims');

  for (const round of [1, 2]) {
    t.match(await ballast('inbox', 'replay', String(done.id), '--note', `round ${round}`), new RegExp(`replayed 1 event\\(s\\): ${done.id}`));
    await waitForEvent(db, done.id, ['completed']);
    await waitForIdleQueue(db);
    t.same(await counts(), before, `round ${round}: the same number of rows in every output table`);
  }
  const { rows: claimsAfter } = await db.query(`select c.id, c.span_id from app.claims c join app.interactions i on i.id = c.interaction_id where i.event_id = $1`, [done.id]);
  t.equal(claimsAfter.length, claimsBefore.length);
  t.notSame(claimsAfter.map((c) => c.span_id), claimsBefore.map((c) => c.span_id), 'the claims were produced again, by the replay');
  const { rows: audit } = await db.query(
    `select actor, db_role, reason from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1 and reason like 'inbox replay:%' order by id`,
    [String(done.id)]);
  t.same(audit, [1, 2].map((n) => ({ actor: 'cli:ops', db_role: 'ballast_worker', reason: `inbox replay: round ${n}` })), 'one audit row per replay');
  t.equal((await db.query(`select count(*)::int n from ballast.job_attempts where task = 'normalize_event' and trace_id = $1`, [done.trace_id])).rows[0].n, 3);
});

t.test('a replay asked twice at once runs once; events still in the pipeline, rejected or unknown are refused', async (t) => {
  await waitForIdleQueue(db);
  const { rows: [row] } = await db.query(`select id from ingest.webhook_events where status = 'completed' order by id limit 1`);
  const done = { id: Number(row.id) };
  const before = await counts();
  const [a, b] = await Promise.all([replayEvents(db, [done.id], ops), replayEvents(db, [done.id], ops)]);
  t.same([a.replayed.length + b.replayed.length, a.skipped.length + b.skipped.length], [1, 1], 'one replays, the other finds it in the pipeline');
  t.match([...a.skipped, ...b.skipped], [{ id: done.id, status: /^(received|processing)$/ }]);
  await waitForEvent(db, done.id, ['completed']);
  await waitForIdleQueue(db);
  t.same(await counts(), before);

  const { rows: [rejected] } = await db.query(`insert into ingest.webhook_events (source, raw_body) values ('telephony', 'not json') returning id`);
  const failed = await fails('inbox', 'replay', String(rejected.id), '999999', '--note', 'try');
  t.equal(failed.code, 1);
  t.match(failed.stdout, new RegExp(`skipped 1: ${rejected.id} \\(rejected: body is not valid JSON\\)`), 'a body that is still not JSON stays rejected');
  t.match(failed.stdout, /no such event: 999999/);
  t.match((await fails('inbox', 'replay', String(done.id))).stderr, /--note <why> is required/);
  t.match((await fails('inbox', 'replay')).stderr, /name the events/);
  t.match((await fails('inbox', 'replay', '12', '--status', 'quarantined', '--note', 'x')).stderr, /name the events/);
  t.match((await fails('inbox', 'replay', 'abc', '--note', 'x')).stderr, /not an inbox event id/);
  t.match((await fails('inbox', 'replay', '--status', 'received', '--note', 'x')).stderr, /--status must be one of quarantined, completed, rejected/);
});

t.test('batch replay by status and reason: --dry-run lists, dismissed numbers are left out, --since narrows', async (t) => {
  const a = await send(sms('+15555550403', 'sms_403'));
  const b = await send(sms('+15555550404', 'sms_404'));
  const odd = await send({ type: 'call.ringing', data: {} });
  t.match(odd, { status_reason: /^unsupported_event_type: / });

  const dry = await ballast('inbox', 'replay', '--status', 'quarantined', '--reason', 'unknown_phone', '--dry-run');
  t.match(dry, /would replay 2 event\(s\)/);
  t.match(dry, new RegExp(`${a.id} .* message.received  unknown_phone: no active agent owns`));
  t.equal((await db.query(`select status from ingest.webhook_events where id = $1`, [a.id])).rows[0].status, 'quarantined', 'a dry run changes nothing');

  t.match(await ballast('inbox', 'dismiss', '+15555550404', '--note', 'wrong number, a fax line'), /dismissed 1 open event/);
  t.same((await findReplayable(db, { status: 'quarantined', reason: 'unknown_phone' })).map((e) => e.id), [a.id], 'the dismissed number is left out');
  t.same((await findReplayable(db, { status: 'quarantined', reason: 'unknown_phone', since: new Date(Date.now() + 60_000) })), []);
  t.same((await findReplayable(db, { status: 'quarantined', reason: ['unsupported_event_type'] })).map((e) => e.id), [odd.id]);

  await addAgent(db, { userId: 'u403', phoneNumber: '+15555550403', agentId: 'agent_403' }, ops);
  t.match(await ballast('inbox', 'replay', '--status', 'quarantined', '--reason', 'unknown_phone', '--since', '1h', '--note', 'provisioned'),
    new RegExp(`replayed 1 event\\(s\\): ${a.id}`));
  t.equal((await waitForEvent(db, a.id, ['completed'])).status, 'completed');
  t.equal((await db.query(`select resolution from app.unknown_phone where event_id = $1`, [b.id])).rows[0].resolution, 'dismissed');
});
