import { Writable } from 'node:stream';
import t from 'tap';
import { createLogger } from '../../lib/log/index.ts';
import { sign } from '../../lib/ingest/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { AGENT_NUMBER, deliver, SECRET, startTestReceiver } from '../helpers/pipeline.ts';

const { db } = await testDatabase(t);
const receiver = await startTestReceiver(t, db, { maxBodyBytes: 4096 });
const jobs = async () => (await db.query('select count(*)::int as n from graphile_worker._private_jobs')).rows[0].n;
const events = async () => (await db.query('select count(*)::int as n from ingest.webhook_events')).rows[0].n;

const post = (path: string, body: string, headers: Record<string, string>) => post2(receiver.url, body, headers, path);
async function post2(url: string, body: string, headers: Record<string, string>, path = '/webhooks/telephony') {
  const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: await res.json() as Record<string, unknown> };
}
const signed = (id: string, body: string, ts = Math.floor(Date.now() / 1000), secret = SECRET) =>
  ({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(secret, id, ts, body) });

t.test('a signed event is stored raw, answered 200, and enqueues the first stage', async (t) => {
  const res = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'msg_ok' });
  t.equal(res.status, 200);
  t.match(res.body, { status: 'accepted', webhook_id: 'msg_ok', trace_id: /^[0-9a-f]{32}$/ });
  const { rows: [ev] } = await db.query(`select * from ingest.webhook_events where webhook_id = 'msg_ok'`);
  t.equal(ev.status, 'received');
  t.equal(ev.correlation_id, 'telephony:msg_ok');
  t.equal(JSON.parse(ev.raw_body).type, 'call.completed', 'raw body kept byte for byte');
  t.notOk(ev.headers['webhook-signature'], 'signature header is not stored');
  const { rows: [job] } = await db.query(`select * from ballast.queued_jobs where task_identifier = 'normalize_event'`);
  t.equal(job.payload.event_id, ev.id);
  t.equal(job.trace_id, ev.trace_id);
});

t.test('refusals say what was wrong, store nothing and start nothing', async (t) => {
  const before = { jobs: await jobs(), events: await events() };
  const body = JSON.stringify({ type: 'call.completed' });

  const tampered = await post('/webhooks/telephony', body.replace('call', 'text'), signed('msg_t', body));
  t.equal(tampered.status, 401);
  t.match(tampered.body, { error: 'invalid_signature', message: /no webhook-signature matches/ });

  const stale = Math.floor(Date.now() / 1000) - 3600;
  const old = await post('/webhooks/telephony', body, signed('msg_s', body, stale));
  t.equal(old.status, 401);
  t.match(old.body, { message: /tolerance/ });

  const wrong = await post('/webhooks/telephony', body, signed('msg_w', body, undefined, 'whsec_' + Buffer.from('nope').toString('base64')));
  t.equal(wrong.status, 401);

  const unsigned = await post('/webhooks/telephony', body, {});
  t.equal(unsigned.status, 401);
  t.match(unsigned.body, { message: /missing header/ });

  const unknown = await post('/webhooks/fax', body, signed('msg_u', body));
  t.equal(unknown.status, 404);
  t.match(unknown.body, { error: 'unknown_source', message: /fax/ });

  const big = JSON.stringify({ type: 'call.completed', pad: 'x'.repeat(5000) });
  const tooBig = await post('/webhooks/telephony', big, signed('msg_big', big));
  t.equal(tooBig.status, 413);
  t.match(tooBig.body, { error: 'payload_too_large', message: /4096 bytes/ });

  t.same({ jobs: await jobs(), events: await events() }, before, 'no row, no job');
});

t.test('malformed JSON with a valid signature is kept as a rejected row and answered 400', async (t) => {
  const before = await jobs();
  const body = '{"type": "call.completed", ';
  const res = await post('/webhooks/telephony', body, signed('msg_bad_json', body));
  t.equal(res.status, 400);
  t.match(res.body, { error: 'malformed_json', message: /not valid JSON/ });
  const { rows: [ev] } = await db.query(`select status, raw_body, payload from ingest.webhook_events where webhook_id = 'msg_bad_json'`);
  t.same(ev, { status: 'rejected', raw_body: body, payload: null });
  t.equal(await jobs(), before, 'the pipeline did not start');
  const again = await post('/webhooks/telephony', body, signed('msg_bad_json', body));
  t.equal(again.status, 400, 'a re-delivery gets the same answer');
});

t.test('a malformed body leaves one dead letter, built like every other, with the caller number and key-like pairs masked', async (t) => {
  const body = '{"type": "call.completed", "from": "+15555550177", "password": "hunter2!", "api_key": "k9-abc", ';
  const res = await post('/webhooks/telephony', body, signed('msg_bad_json_dl', body));
  t.equal(res.status, 400);
  const eventId = res.body.event_id;
  const { rows: [dl] } = await db.query(`select * from ballast.pipeline_failures where interaction_id = $1`, [`event:${eventId}`]);
  t.match(dl, {
    failing_function: 'ingest.receiver', caller_function: 'telephony', http_status: 400, error_code: 'INPUT_INVALID',
    error_message: /not valid JSON/, attempt_count: 1, next_retry_at: null,
    payload_snapshot: { event_id: eventId, body_excerpt: `{"type": "call.completed", "from": "${redactor.text('+15555550177')}", `
      + `"password": "${redactor.mask('secret', 'hunter2!')}", "api_key": "${redactor.mask('secret', 'k9-abc')}", ` },
    context: { event_id: eventId, correlation_id: 'telephony:msg_bad_json_dl', trace_id: /^[0-9a-f]{32}$/, error_id: /^err_/,
      error_class: 'infra.ingest.malformed_body', replayable: false },
  });
  for (const planted of ['+15555550177', 'hunter2!', 'k9-abc']) t.notOk(JSON.stringify(dl).includes(planted), `${planted} is not stored in the dead letter`);
});

t.test('the receiver survives garbage and keeps serving', async (t) => {
  const res = await fetch(`${receiver.url}/webhooks/telephony`, { method: 'GET' });
  t.equal(res.status, 405);
  const nowhere = await fetch(`${receiver.url}/elsewhere`, { method: 'POST', body: '{}' });
  t.equal(nowhere.status, 404);
  const health = await fetch(`${receiver.url}/healthz`);
  t.same(await health.json(), { ok: true });
});

t.test('an incoming traceparent joins the sender trace; otherwise a new trace starts', async (t) => {
  const senderTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
  const joined = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'msg_tp', traceparent: `00-${senderTrace}-00f067aa0ba902b7-01` });
  t.match(joined.body, { trace_id: senderTrace });
  const fresh = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'msg_tp2', traceparent: 'garbage' });
  t.not((fresh.body as { trace_id: string }).trace_id, senderTrace);
  t.match(fresh.body, { trace_id: /^[0-9a-f]{32}$/ });
});

t.test('each request\'s log lines carry its trace: the accepted event\'s and the refused body\'s', async (t) => {
  const lines: Record<string, any>[] = [];
  const sink = new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } });
  const logged = await startTestReceiver(t, db, { log: createLogger('debug', sink, redactor) });
  const senderTrace = '5cf92f3577b34da6a3ce929d0e0e4737';
  const ok = await deliver(logged.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'msg_log_ok', traceparent: `00-${senderTrace}-00f067aa0ba902b7-01` });
  t.equal(ok.status, 200);
  const bad = '{"type": "call.completed", ';
  t.equal((await post2(logged.url, bad, signed('msg_log_bad', bad))).status, 400);
  const { rows } = await db.query(
    `select webhook_id, trace_id, span_id, correlation_id from ingest.webhook_events where webhook_id in ('msg_log_ok', 'msg_log_bad')`);
  const row = Object.fromEntries(rows.map((r) => [r.webhook_id, r]));
  t.equal(row.msg_log_ok.trace_id, senderTrace);
  t.match(lines.find((l) => l.msg === 'webhook accepted'), { webhook_id: 'msg_log_ok', trace_id: senderTrace,
    span_id: row.msg_log_ok.span_id, parent_span_id: '00f067aa0ba902b7', correlation_id: 'telephony:msg_log_ok' });
  t.match(lines.find((l) => /webhook body refused/.test(l.msg)), { trace_id: row.msg_log_bad.trace_id,
    span_id: row.msg_log_bad.span_id, correlation_id: 'telephony:msg_log_bad' });
});

t.test('the receiver checks webhook timestamps against the clock it is given', async (t) => {
  const then = 1_000_000_000; // 2001-09-09: far outside the tolerance of the real clock
  const { startReceiver } = await import('../../lib/ingest/index.ts');
  const past = await startReceiver({ db, secrets: new Map([['telephony', SECRET]]), port: 0, clock: () => then, redactor });
  t.teardown(() => past.close());
  const body = JSON.stringify(sampleCall({ to: AGENT_NUMBER }));
  const send = (id: string, ts: number) => fetch(`${past.url}/webhooks/telephony`,
    { method: 'POST', headers: { 'content-type': 'application/json', ...signed(id, body, ts) }, body });
  t.equal((await send('msg_clock_then', then)).status, 200, 'signed at the clock\'s time');
  t.equal((await send('msg_clock_now', Math.floor(Date.now() / 1000))).status, 401, 'signed at the real time');
});
