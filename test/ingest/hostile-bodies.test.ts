/**
 * Bodies that can never succeed, validly signed, over real HTTP: each gets a
 * 4xx saying why and is kept (as a rejected row holding the exact bytes, or,
 * when nothing can be kept, an envelope); none is answered 503, none starts
 * the pipeline, and a re-delivery gets the same answer.
 */
import t from 'tap';
import { sign } from '../../lib/ingest/index.ts';
import { storeDelivery } from '../../lib/ingest/store.ts';
import { testDatabase } from '../helpers/db.ts';
import { SECRET, startTestReceiver } from '../helpers/pipeline.ts';

const { db } = await testDatabase(t);
const receiver = await startTestReceiver(t, db, { maxBodyBytes: 256 * 1024, maxJsonDepth: 32 });
const jobs = async () => (await db.query(`select count(*)::int as n from graphile_worker._private_jobs`)).rows[0].n;

async function post(id: string, body: Buffer | string) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${receiver.url}/webhooks/telephony`, {
    method: 'POST', body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(SECRET, id, ts, bytes) },
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

const row = async (id: string) => (await db.query(
  `select id, status, status_reason, raw_body, raw_bytes, convert_to(raw_body, 'UTF8') as text_bytes, payload
     from ingest.webhook_events where webhook_id = $1`, [id])).rows[0];

const nested = (depth: number) => `${'{"a":'.repeat(depth - 1)}{"type":"message.received"}${'}'.repeat(depth - 1)}`;

const hostile: { name: string; body: Buffer | string; error: string; message: RegExp; asBytes: boolean }[] = [
  { name: 'a JSON \\u0000 escape', body: '{"type":"message.received","note":"a\\u0000b"}', error: 'unstorable_json', message: /\\u0000/, asBytes: false },
  { name: 'an unpaired surrogate escape', body: '{"type":"message.received","note":"\\ud800x"}', error: 'unstorable_json', message: /unpaired surrogate/, asBytes: false },
  { name: 'a number beyond numeric', body: '{"type":"message.received","n":1e1000000}', error: 'unstorable_json', message: /number/, asBytes: false },
  { name: 'a raw NUL byte', body: Buffer.from('{"type":"message.received","note":"a\u0000b"}', 'utf8'), error: 'nul_byte', message: /NUL byte/, asBytes: true },
  { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from('{"type":"message.received","note":"'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"}')]),
    error: 'invalid_utf8', message: /not valid UTF-8/, asBytes: true },
  { name: 'JSON nested 5,000 deep', body: nested(5000), error: 'too_deep', message: /deeper than 32 levels/, asBytes: false },
  { name: 'malformed JSON', body: '{"type": "message.received", ', error: 'malformed_json', message: /^body is not valid JSON/, asBytes: false },
];

for (const [i, h] of hostile.entries()) {
  t.test(`${h.name} is answered 400 and kept as a rejected row holding the exact bytes`, async (t) => {
    const before = await jobs();
    const id = `msg_hostile_${i}`;
    const bytes = Buffer.isBuffer(h.body) ? h.body : Buffer.from(h.body, 'utf8');
    const res = await post(id, bytes);
    t.equal(res.status, 400);
    t.match(res.body, { error: h.error, message: h.message, event_id: /^\d+$/ });
    t.notMatch(res.body.message, /message\.received/, 'the answer quotes nothing of the body');
    const ev = await row(id);
    t.equal(ev.status, 'rejected');
    t.equal(ev.status_reason, res.body.message);
    t.equal(ev.payload, null);
    if (h.asBytes) {
      t.equal(ev.raw_body, null, 'not storable as text');
      t.ok(Buffer.compare(ev.raw_bytes, bytes) === 0, 'the bytes are kept exactly');
    } else {
      t.equal(ev.raw_bytes, null);
      t.ok(Buffer.compare(ev.text_bytes, bytes) === 0, 'the text is kept byte for byte');
    }
    t.equal(await jobs(), before, 'the pipeline did not start');
    const { rows: [dl] } = await db.query(`select error_code, http_status, payload_snapshot from ballast.pipeline_failures where interaction_id = $1`, [`event:${ev.id}`]);
    t.match(dl, { error_code: 'INPUT_INVALID', http_status: 400, payload_snapshot: { event_id: ev.id, body_excerpt: String } });

    const again = await post(id, bytes);
    t.same(again, { status: 400, body: { error: 'rejected', message: res.body.message, event_id: ev.id } }, 'a re-delivery gets the same answer');
  });
}

t.test('a webhook-id over the limit is answered 400 before any insert, and an envelope says why', async (t) => {
  const long = `msg_${'x'.repeat(197)}`;
  t.equal(long.length, 201);
  const res = await post(long, '{"type":"message.received"}');
  t.equal(res.status, 400);
  t.match(res.body, { error: 'webhook_id_too_long', message: /201 characters; at most 200/, error_id: /^err_/ });
  const { rows } = await db.query(`select count(*)::int as n from ingest.webhook_events where length(webhook_id) > 200`);
  t.equal(rows[0].n, 0);
  const { rows: [env] } = await db.query(`select error_class, severity, context from ballast.error_envelopes where error_id = $1`, [res.body.error_id]);
  t.match(env, { error_class: 'infra.ingest.rejected_delivery', severity: 'warning', context: { webhook_id_length: 201, kept: false } });

  const atLimit = `msg_${'y'.repeat(196)}`;
  t.equal((await post(atLimit, '{"type":"message.received"}')).status, 200, '200 characters are accepted');
});

t.test('nesting at the configured depth is accepted; one level deeper is refused', async (t) => {
  t.equal((await post('msg_depth_ok', nested(32))).status, 200);
  t.match(await post('msg_depth_over', nested(33)), { status: 400, body: { error: 'too_deep' } });
});

t.test('an accepted body is stored byte for byte, and its payload is the database\'s own parse of it', async (t) => {
  const body = '{ "type" : "message.received",\n  "note": "caf\u00e9 \u{1F4DE} \\u00e9", "n": 1.50 }';
  const res = await post('msg_exact', body);
  t.equal(res.status, 200);
  const ev = await row('msg_exact');
  t.ok(Buffer.compare(ev.text_bytes, Buffer.from(body, 'utf8')) === 0, 'whitespace, escapes and number spelling kept');
  t.same(ev.payload, { type: 'message.received', note: 'caf\u00e9 \u{1F4DE} \u00e9', n: 1.5 });
});

t.test('a body the database refuses anyway is kept as bytes on a rejected row, never thrown as an outage', async (t) => {
  // Past the receiver's checks: as if a body it did not foresee reached the insert.
  const text = '{"type":"message.received","n":1e1000000}';
  const stored = await storeDelivery(db, {
    source: 'telephony', webhookId: 'msg_db_refused', text, bytes: Buffer.from(text), parse: true, headers: {},
    trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', correlation_id: 'telephony:msg_db_refused' }, reason: null,
  });
  t.match(stored, { kind: 'stored', reason: /the database refused the body \(SQLSTATE 22003\)/ });
  const ev = await row('msg_db_refused');
  t.match(ev, { status: 'rejected', raw_body: null, payload: null });
  t.equal(ev.raw_bytes.toString(), text);
});
