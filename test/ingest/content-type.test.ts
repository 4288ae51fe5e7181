/**
 * The request's Content-Type, over real HTTP against a receiver connected as
 * ballast_ingest: a body is taken as JSON under no Content-Type or a JSON type
 * in UTF-8; a signed request under any other type (or charset) is answered
 * 415 with the accepted types, and its raw body is kept as received on a
 * `rejected` row that starts nothing, whether it is inserted alone or in a
 * group-commit batch. A body under a Content-Encoding (other than identity)
 * is refused the same way and never decompressed. The signature is still
 * checked first.
 */
import type http from 'node:http';
import zlib from 'node:zlib';
import t, { type Test } from 'tap';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { sign } from '../../lib/ingest/index.ts';
import { inspectBody } from '../../lib/ingest/body.ts';
import { GroupCommit } from '../../lib/ingest/group-commit.ts';
import { newSpanId, newTraceId } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { SECRET, startTestReceiver } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const { db, url } = await testDatabase(t);
const ingestDb = new Db({ connectionString: withRole(url, ROLES.ingest), max: 4 });
t.teardown(() => ingestDb.close());
const receiver = await startTestReceiver(t, ingestDb);

const JSON_BODY = '{"type":"message.received","note":"caf\u00e9"}';
const ACCEPTED = ['application/json', 'application/*+json'];

async function post(id: string, body: Buffer | string, contentType: string | undefined, secret = SECRET, extra: Record<string, string> = {}) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const ts = Math.floor(Date.now() / 1000);
  // A Uint8Array body: fetch adds no Content-Type of its own (a string body would get text/plain).
  const res = await fetch(`${receiver.url}/webhooks/telephony`, {
    method: 'POST', body: new Uint8Array(bytes),
    headers: { ...(contentType === undefined ? {} : { 'content-type': contentType }),
      'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(secret, id, ts, bytes), ...extra },
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}

const row = async (id: string) => (await db.query(
  `select id, status, status_reason, raw_body, raw_bytes, convert_to(raw_body, 'UTF8') as text_bytes, payload, headers, xmin::text as xmin
     from ingest.webhook_events where webhook_id = $1`, [id])).rows[0];
const jobs = async () => (await db.query(`select count(*)::int as n from graphile_worker._private_jobs`)).rows[0].n;

t.test('the same JSON body is taken under no Content-Type or a JSON type in UTF-8, and answered 415 under any other', async (t) => {
  const types: [string | undefined, number][] = [
    [undefined, 200],
    ['application/json', 200],
    ['application/json; charset=utf-8', 200],
    ['Application/JSON ; Charset="UTF-8"', 200],
    ['application/json; charset=utf8', 200],
    ['application/cloudevents+json', 200],
    ['application/vnd.example.event+json; charset=utf-8; version=2', 200],
    ['text/plain', 415],
    ['text/plain;charset=UTF-8', 415],
    ['text/json', 415],
    ['application/x-www-form-urlencoded', 415],
    ['application/json; charset=iso-8859-1', 415],
    ['application/jsonp', 415],
  ];
  for (const [i, [type, status]] of types.entries()) {
    const res = await post(`ct_same_${i}`, JSON_BODY, type);
    t.equal(res.status, status, `${type ?? 'no Content-Type'}: ${status}`);
    const ev = await row(`ct_same_${i}`);
    t.equal(ev.status, status === 200 ? 'received' : 'rejected');
    t.ok(Buffer.compare(ev.text_bytes, Buffer.from(JSON_BODY)) === 0, 'the body is kept byte for byte either way');
    t.equal(ev.headers['content-type'], type, 'the Content-Type is kept with the row');
  }
});

/** A 415's row keeps the body exactly (as bytes when `asBytes`), starts nothing, and has its dead letter and envelope. */
async function keptAsRefused(t: Test, ev: Record<string, any>, body: Buffer, asBytes: boolean, jobsBefore: number) {
  if (asBytes) {
    t.equal(ev.raw_body, null, 'bytes that are not UTF-8 are kept as bytes');
    t.ok(Buffer.compare(ev.raw_bytes, body) === 0, 'exactly as received');
  } else {
    t.equal(ev.raw_bytes, null);
    t.ok(Buffer.compare(ev.text_bytes, body) === 0, 'the text is kept byte for byte');
  }
  t.equal(await jobs(), jobsBefore, 'the pipeline did not start');
  const { rows: [dl] } = await db.query(
    `select error_code, http_status, context from ballast.pipeline_failures where interaction_id = $1`, [`event:${ev.id}`]);
  t.match(dl, { error_code: 'INPUT_INVALID', http_status: 415, context: { event_id: ev.id, error_class: 'infra.ingest.unsupported_media_type' } });
  const { rows: [env] } = await db.query(`select error_class, context from ballast.error_envelopes where error_id = $1`, [dl.context.error_id]);
  t.match(env, { error_class: 'infra.ingest.unsupported_media_type', context: { reason: 'unsupported_media_type', kept: true } });
}

const refused: { name: string; type: string; body: Buffer; message: RegExp; asBytes: boolean }[] = [
  { name: 'JSON under text/plain', type: 'text/plain', body: Buffer.from(JSON_BODY), message: /^unsupported content type text\/plain; send application\/json or application\/\*\+json in UTF-8$/, asBytes: false },
  { name: 'a form', type: 'application/x-www-form-urlencoded', body: Buffer.from('type=message.received&to=%2B15555550142'),
    message: /^unsupported content type application\/x-www-form-urlencoded;/, asBytes: false },
  { name: 'multipart form data', type: 'multipart/form-data; boundary=xyz',
    body: Buffer.from('--xyz\r\nContent-Disposition: form-data; name="type"\r\n\r\nmessage.received\r\n--xyz--\r\n'), message: /^unsupported content type multipart\/form-data;/, asBytes: false },
  { name: 'JSON in latin1', type: 'application/json; charset=latin1', body: Buffer.from(JSON_BODY, 'latin1'), message: /^unsupported charset latin1;/, asBytes: true },
  { name: 'JSON in UTF-16', type: 'application/json; charset=utf-16', body: Buffer.from(JSON_BODY, 'utf16le'), message: /^unsupported charset utf-16;/, asBytes: true },
  { name: 'an unreadable Content-Type', type: ';;; <script>', body: Buffer.from(JSON_BODY), message: /^unsupported content type \(unreadable\);/, asBytes: false },
];

for (const [i, r] of refused.entries()) {
  t.test(`${r.name} is answered 415 naming the accepted types, and kept as received on a rejected row`, async (t) => {
    const before = await jobs();
    const id = `ct_refused_${i}`;
    const res = await post(id, r.body, r.type);
    t.equal(res.status, 415);
    t.match(res.body, { error: 'unsupported_media_type', message: r.message, event_id: /^\d+$/ });
    t.same(res.body.accepted, ACCEPTED);
    const ev = await row(id);
    t.match(ev, { status: 'rejected', status_reason: res.body.message, payload: null });
    t.equal(ev.headers['content-type'], r.type);
    await keptAsRefused(t, ev, r.body, r.asBytes, before);

    const again = await post(id, r.body, r.type);
    t.same(again, { status: 400, body: { error: 'rejected', message: res.body.message, event_id: ev.id } }, 'a re-delivery is answered like any re-delivery of a rejected row');
    const corrected = await post(id, r.body, 'application/json');
    t.same(corrected, again, 'and so is one with the type corrected: the first delivery stands');
  });
}

t.test('the signature is checked before the Content-Type: an unsigned or badly signed request is 401 and nothing of it is kept', async (t) => {
  const events = async () => (await db.query(`select count(*)::int as n from ingest.webhook_events`)).rows[0].n;
  const before = await events();
  const forged = await post('ct_forged', JSON_BODY, 'text/plain', 'whsec_' + Buffer.from('not the secret').toString('base64'));
  t.match(forged, { status: 401, body: { error: 'invalid_signature' } });
  const unsigned = await fetch(`${receiver.url}/webhooks/telephony`, { method: 'POST', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(unsigned.status, 401);
  t.equal(await events(), before, 'no row');
  t.equal((await post('ct_signed', JSON_BODY, 'text/plain')).status, 415, 'the same request, signed, is 415');
});

const isText = (b: Buffer) => !b.includes(0) && (() => { try { new TextDecoder('utf-8', { fatal: true }).decode(b); return true; } catch { return false; } })();
const encoded: { name: string; encoding: string; body: Buffer; type?: string; named: string }[] = [
  { name: 'gzip', encoding: 'gzip', body: zlib.gzipSync(JSON_BODY), named: 'gzip' },
  { name: 'deflate', encoding: 'deflate', body: zlib.deflateSync(JSON_BODY), named: 'deflate' },
  { name: 'brotli', encoding: 'br', body: zlib.brotliCompressSync(JSON_BODY), named: 'br' },
  // Valid UTF-8 JSON that says it is compressed: refused, not taken at its bytes.
  { name: 'plain JSON said to be gzip', encoding: 'gzip', body: Buffer.from(JSON_BODY), named: 'gzip' },
  { name: 'a list of codings', encoding: 'Identity, GZIP', body: zlib.gzipSync(JSON_BODY), named: 'gzip' },
  { name: 'an unreadable coding', encoding: 'x<script>', body: Buffer.from(JSON_BODY), named: '(unreadable)' },
  { name: 'gzip under text/plain', encoding: 'gzip', type: 'text/plain', body: zlib.gzipSync(JSON_BODY), named: 'gzip' },
];

for (const [i, r] of encoded.entries()) {
  t.test(`a body under Content-Encoding (${r.name}) is answered 415 naming the coding, never decompressed, and kept as received`, async (t) => {
    const before = await jobs();
    const id = `ce_refused_${i}`;
    const res = await post(id, r.body, r.type ?? 'application/json', SECRET, { 'content-encoding': r.encoding });
    t.equal(res.status, 415);
    const message = `unsupported content encoding ${r.named}; send the body uncompressed, without Content-Encoding`;
    t.match(res.body, { error: 'unsupported_media_type', message, event_id: /^\d+$/ });
    t.equal(res.body.message, message);
    const ev = await row(id);
    t.match(ev, { status: 'rejected', status_reason: message, payload: null });
    t.equal(ev.headers['content-encoding'], r.encoding, 'the Content-Encoding is kept with the row');
    await keptAsRefused(t, ev, r.body, !isText(r.body), before);
  });
}

t.test('Content-Encoding identity (or empty) is no coding: the body is taken', async (t) => {
  for (const [i, encoding] of ['identity', 'IDENTITY', ''].entries()) {
    const res = await post(`ce_identity_${i}`, JSON_BODY, 'application/json', SECRET, { 'content-encoding': encoding });
    t.match(res, { status: 200, body: { status: 'accepted' } }, JSON.stringify(encoding));
  }
});

t.test('the signature is checked before the Content-Encoding: a badly signed gzip body is 401 and nothing of it is kept', async (t) => {
  const forged = await post('ce_forged', zlib.gzipSync(JSON_BODY), 'application/json', 'whsec_' + Buffer.from('not the secret').toString('base64'),
    { 'content-encoding': 'gzip' });
  t.match(forged, { status: 401, body: { error: 'invalid_signature' } });
  t.equal(await row('ce_forged'), undefined, 'no row');
});

/**
 * Resolves once the receiver has read `n` more requests' bodies and handed
 * each over to its group commit. The handler's 'end' listener is added before
 * this one, and what follows it (signature, checks, handing over) runs in
 * microtasks, all done before an immediate queued from this listener.
 */
const handedOver = (n: number) => new Promise<void>((resolve) => {
  let left = n;
  const onRequest = (req: http.IncomingMessage) => req.once('end', () => setImmediate(() => {
    if (--left > 0) return;
    receiver.server.off('request', onRequest);
    resolve();
  }));
  receiver.server.on('request', onRequest);
});

t.test('in a group-commit batch, refused types are kept as rejected rows beside accepted ones, each with its own answer', async (t) => {
  // Hold the key table so the lead's INSERT waits inside the database; what arrives meanwhile is the next batch.
  const holder = await db.pool.connect();
  t.teardown(() => holder.release());
  await holder.query('begin');
  await holder.query('lock table ingest.webhook_keys in share row exclusive mode');
  const lead = post('ct_gc_lead', JSON_BODY, 'application/json');
  await waitFor('the lead INSERT to wait on the lock', async () => (await db.query(
    `select 1 from pg_stat_activity where wait_event_type = 'Lock' and query like 'insert into ingest.webhook_events%'`)).rows[0]);
  const latin1 = Buffer.from(JSON_BODY, 'latin1');
  const sends: [string, Buffer | string, string | undefined][] = [
    ['ct_gc_json', JSON_BODY, 'application/json'],
    ['ct_gc_text', JSON_BODY, 'text/plain'],
    ['ct_gc_latin1', latin1, 'application/json; charset=iso-8859-1'],
    ['ct_gc_ce', JSON_BODY, 'application/cloudevents+json'],
    ['ct_gc_none', JSON_BODY, undefined],
  ];
  const arrived = handedOver(sends.length);
  const answers = sends.map(([id, body, type]) => post(id, body, type));
  await arrived;
  await holder.query('rollback');

  t.equal((await lead).status, 200);
  const [json, text, lat, ce, none] = await Promise.all(answers);
  t.match(json, { status: 200, body: { status: 'accepted' } });
  t.match(text, { status: 415, body: { error: 'unsupported_media_type', message: /content type text\/plain/, event_id: /^\d+$/ } });
  t.match(lat, { status: 415, body: { error: 'unsupported_media_type', message: /charset iso-8859-1/, event_id: /^\d+$/ } });
  t.match(ce, { status: 200, body: { status: 'accepted' } });
  t.match(none, { status: 200, body: { status: 'accepted' } });

  const rows = Object.fromEntries(await Promise.all(['ct_gc_lead', ...sends.map((s) => s[0])].map(async (id) => [id, await row(id)])));
  t.equal(new Set(sends.map(([id]) => rows[id].xmin)).size, 1, 'the five were one INSERT');
  t.not(rows.ct_gc_lead.xmin, rows.ct_gc_json.xmin);
  t.match(rows.ct_gc_text, { status: 'rejected', status_reason: text!.body.message, raw_body: JSON_BODY, payload: null });
  t.match(rows.ct_gc_latin1, { status: 'rejected', raw_body: null, payload: null });
  t.ok(Buffer.compare(rows.ct_gc_latin1.raw_bytes, latin1) === 0, 'the latin1 bytes are kept exactly');
  for (const id of ['ct_gc_json', 'ct_gc_ce', 'ct_gc_none']) t.match(rows[id], { status: 'received', payload: { type: 'message.received' } });
  const { rows: queued } = await db.query(
    `select (payload->>'event_id')::bigint as event_id from ballast.queued_jobs where task_identifier = 'normalize_event' and (payload->>'event_id')::bigint = any($1)`,
    [sends.map(([id]) => rows[id].id)]);
  t.same(queued.map((q) => String(q.event_id)).sort(), ['ct_gc_json', 'ct_gc_ce', 'ct_gc_none'].map((id) => String(rows[id].id)).sort(),
    'only the accepted rows start the pipeline');
});

t.test('a refused type stays a rejected row on the row-by-row path, when a neighbour in its batch is refused by the database', async (t) => {
  const gc = new GroupCommit(ingestDb);
  const inboxRow = (webhookId: string, body: string, contentType: string) => {
    const inspected = inspectBody(Buffer.from(body), 64, contentType);
    return { source: 'telephony', webhookId, text: inspected.text, bytes: Buffer.from(body), parse: inspected.ok, headers: { 'content-type': contentType },
      trace: { trace_id: newTraceId(), span_id: newSpanId(), correlation_id: `telephony:${webhookId}` },
      reason: inspected.ok ? null : inspected.problem.message };
  };
  const lead = gc.store(inboxRow('ct_rbr_lead', JSON_BODY, 'application/json'));
  // Past the receiver's checks, as if a body it did not foresee reached the insert: the batch goes row by row.
  const dbRefused = { ...inboxRow('ct_rbr_refused', JSON_BODY, 'application/json'), text: '{"n":1e1000000}', bytes: Buffer.from('{"n":1e1000000}') };
  const batch = [inboxRow('ct_rbr_text', JSON_BODY, 'text/plain'), dbRefused, inboxRow('ct_rbr_json', JSON_BODY, 'application/json')].map((r) => gc.store(r));
  const [, text, refusedByDb, json] = await Promise.all([lead, ...batch]);
  t.match(text, { kind: 'stored', reason: /^unsupported content type text\/plain;/ });
  t.match(refusedByDb, { kind: 'stored', reason: /SQLSTATE 22003/ });
  t.match(json, { kind: 'stored', reason: null });
  t.match(await row('ct_rbr_text'), { status: 'rejected', status_reason: /^unsupported content type text\/plain;/, raw_body: JSON_BODY, payload: null });
  t.match(await row('ct_rbr_json'), { status: 'received', payload: { type: 'message.received' } });
});
