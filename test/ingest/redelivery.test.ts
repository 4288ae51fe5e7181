/**
 * Re-deliveries under an id already stored: the first delivery wins and the
 * answer stays "duplicate", but a body whose bytes differ from the first
 * delivery's is kept as received in ingest.redelivery_conflicts and named in
 * the answer; the same differing body again is counted, not kept again; an
 * identical body leaves nothing. Over HTTP, against the receiver acting as
 * its own role, and in a group-commit batch.
 */
import { createHash } from 'node:crypto';
import t from 'tap';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { formatTimeline, runNamed, traceTimeline } from '../../lib/forensics/index.ts';
import { sign } from '../../lib/ingest/index.ts';
import { GroupCommit } from '../../lib/ingest/group-commit.ts';
import { storeDelivery, type InboxRow, type Stored } from '../../lib/ingest/store.ts';
import { newSpanId, newTraceId } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { SECRET, startTestReceiver } from '../helpers/pipeline.ts';

const { db, url } = await testDatabase(t);
const ingestDb = new Db({ connectionString: withRole(url, ROLES.ingest), max: 4 });
t.teardown(() => ingestDb.close());
const NOW = 1_900_000_000;
const receiver = await startTestReceiver(t, ingestDb, { clock: () => NOW });

async function send(id: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${receiver.url}/webhooks/telephony`, {
    method: 'POST', body: typeof body === 'string' ? body : new Uint8Array(body),
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(NOW),
      'webhook-signature': sign(SECRET, id, NOW, body), ...headers },
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}
const conflicts = async (webhookId: string) => (await db.query(
  `select id, source, webhook_id, event_id, raw_body, raw_bytes, body_sha256, body_bytes, headers, trace_id, span_id,
          correlation_id, deliveries, last_seen_at >= received_at as seen_after, xmin::text as xmin
     from ingest.redelivery_conflicts where webhook_id = $1 order by id`, [webhookId])).rows;
const event = async (webhookId: string) => (await db.query(
  `select id, raw_body, raw_bytes, status from ingest.webhook_events where webhook_id = $1`, [webhookId])).rows;
const sha256 = (b: string | Buffer) => createHash('sha256').update(b).digest('hex');
const call = (n: number) => JSON.stringify({ type: 'call.completed', call_id: `c${n}`, from: '+15555550100', to: '+15555550142', duration_seconds: n });

t.test('a different body under a stored id: 200 duplicate, the first delivery stands, the new body is kept byte for byte and named', async (t) => {
  const first = await send('rd_1', call(1));
  t.match(first, { status: 200, body: { status: 'accepted' } });
  const jobs = (await db.query(`select count(*)::int n from graphile_worker._private_jobs`)).rows[0].n;

  // JSON-equal to nothing stored: other bytes (a field changed, spacing of its own).
  const second = `{"type": "call.completed",  "call_id": "c1", "duration_seconds": 2}\n`;
  const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  const res = await send('rd_1', second, { traceparent });
  t.match(res, { status: 200, body: { status: 'duplicate', event_id: first.body.event_id, webhook_id: 'rd_1', trace_id: first.body.trace_id, body_differs: true } });
  const [row] = await conflicts('rd_1');
  t.equal(res.body.conflict_id, row.id, 'the answer names the conflict row');
  t.match(row, {
    source: 'telephony', webhook_id: 'rd_1', event_id: first.body.event_id, raw_body: second, raw_bytes: null,
    body_sha256: sha256(second), body_bytes: Buffer.byteLength(second), deliveries: 1,
    trace_id: '4bf92f3577b34da6a3ce929d0e0e4736', span_id: /^[0-9a-f]{16}$/, correlation_id: 'telephony:rd_1',
    headers: { 'webhook-id': 'rd_1', traceparent, 'content-type': 'application/json' },
  });
  t.notOk(row.headers['webhook-signature'], 'the signature is not kept');
  t.same((await event('rd_1')).map((e) => e.raw_body), [call(1)], 'one inbox row, the first body');
  t.equal((await db.query(`select count(*)::int n from graphile_worker._private_jobs`)).rows[0].n, jobs, 'nothing new starts');

  const { rows: [audited] } = await db.query(`select operation, after_data from audit.ledger
    where entity_type = 'ingest.redelivery_conflicts' and entity_id = $1::text`, [String(row.id)]);
  t.match(audited, { operation: 'create', after_data: { raw_body: /^hmac-sha256:/, headers: /^hmac-sha256:/, body_sha256: row.body_sha256 } },
    'audited, the body and headers masked');
  t.notOk(JSON.stringify(audited).includes('duration_seconds'), 'no part of the body reaches the ledger');

  // `ballast trace` of the event shows the re-delivery, without its body.
  const timeline = await traceTimeline(db, first.body.trace_id);
  t.match(timeline.find((r) => r.kind === 'redelivery'), {
    name: 'body differs', detail: { conflict_id: row.id, deliveries: 1, body_sha256: row.body_sha256, trace_id: row.trace_id },
  });
  t.notOk(formatTimeline(first.body.trace_id, timeline).includes('duration_seconds": 2'), 'the trace does not print the body');
});

t.test('the same differing body again is counted on its row; another differing body gets its own', async (t) => {
  const first = await send('rd_2', call(2));
  const other = call(20);
  const a = await send('rd_2', other);
  const b = await send('rd_2', other);
  t.match(b, { status: 200, body: { status: 'duplicate', event_id: first.body.event_id, body_differs: true, conflict_id: a.body.conflict_id } });
  const third = call(21);
  const c = await send('rd_2', third);
  t.not(c.body.conflict_id, a.body.conflict_id);
  const rows = await conflicts('rd_2');
  t.same(rows.map((r) => [r.id, r.raw_body, r.deliveries]), [[a.body.conflict_id, other, 2], [c.body.conflict_id, third, 1]],
    'one row per distinct body, with how often it came');
  t.ok(rows[0].seen_after, 'last_seen_at moves on');
});

t.test('an identical re-delivery leaves no conflict row and its answer names none', async (t) => {
  await send('rd_3', call(3));
  const again = await send('rd_3', call(3));
  t.match(again, { status: 200, body: { status: 'duplicate' } });
  t.notOk('conflict_id' in again.body);
  t.notOk('body_differs' in again.body);
  t.same(await conflicts('rd_3'), []);
});

t.test('bytes are compared, not meanings; bodies that are not text are kept as bytes, also after a rejected first delivery', async (t) => {
  await send('rd_4', '{"type":"call.completed"}');
  const spaced = await send('rd_4', '{"type": "call.completed"}');
  t.match(spaced, { status: 200, body: { status: 'duplicate', body_differs: true } }, 'the same JSON, other bytes');

  const bad = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
  const first = await send('rd_5', bad);
  t.match(first, { status: 400, body: { error: 'invalid_utf8' } });
  t.match(await send('rd_5', bad), { status: 400, body: { error: 'rejected' } });
  t.same(await conflicts('rd_5'), [], 'the same bytes: no conflict');
  const other = Buffer.from([0x7b, 0xfe, 0x7d]);
  const res = await send('rd_5', other);
  t.match(res, { status: 400, body: { error: 'rejected', event_id: first.body.event_id, body_differs: true } }, 'the first answer stands');
  const [row] = await conflicts('rd_5');
  t.equal(res.body.conflict_id, row.id);
  t.equal(row.raw_body, null);
  t.ok(Buffer.compare(row.raw_bytes, other) === 0, 'kept as the exact bytes');
  t.equal(row.body_sha256, sha256(other));
  const valid = call(5);
  const fixed = await send('rd_5', valid);
  t.match(fixed, { status: 400, body: { error: 'rejected', body_differs: true } });
  t.equal((await conflicts('rd_5')).find((r) => r.id === fixed.body.conflict_id)?.raw_body, valid,
    'a corrected body sent under the rejected id is kept, not lost');
});

const inbox = (webhookId: string, body: string): InboxRow => ({
  source: 'telephony', webhookId, text: body, bytes: Buffer.from(body), parse: true, headers: { 'webhook-id': webhookId },
  trace: { trace_id: newTraceId(), span_id: newSpanId(), correlation_id: `telephony:${webhookId}` }, reason: null,
});

t.test('one delivery alone (the row-by-row path a refused batch falls back to) compares the same way', async (t) => {
  const first = await storeDelivery(ingestDb, inbox('rds_1', call(9)));
  t.match(first, { kind: 'stored' });
  t.match(await storeDelivery(ingestDb, inbox('rds_1', call(9))), { kind: 'duplicate', conflictId: null });
  const a = await storeDelivery(ingestDb, inbox('rds_1', call(90)));
  const b = await storeDelivery(ingestDb, inbox('rds_1', call(90)));
  t.match(a, { kind: 'duplicate', id: (first as { id: unknown }).id });
  t.ok((a as { conflictId: unknown }).conflictId);
  t.equal((b as { conflictId: unknown }).conflictId, (a as { conflictId: unknown }).conflictId);
  t.match(await conflicts('rds_1'), [{ raw_body: call(90), deliveries: 2 }]);
});

t.test('in a group-commit batch: repeats within the batch and of earlier deliveries are compared in one statement', async (t) => {
  const gc = new GroupCommit(ingestDb);
  const earlier = await gc.store(inbox('rdb_earlier', call(6)));
  // The first goes at once; the rest, handed over while it is in flight, form the next INSERT.
  const lead = gc.store(inbox('rdb_lead', call(7)));
  const batch = [
    inbox('rdb_a', call(8)),
    inbox('rdb_a', call(80)), // differs from the first of the same batch
    inbox('rdb_a', call(8)), // identical to it
    inbox('rdb_earlier', call(60)),
    inbox('rdb_earlier', call(60)), // the same differing body twice in one batch
    inbox('rdb_earlier', call(6)),
  ].map((r) => gc.store(r));
  const [, a, aOther, aSame, e1, e2, eSame] = await Promise.all([lead, ...batch]) as (Stored & Record<string, any>)[];
  t.match(a, { kind: 'stored' });
  t.match(aOther, { kind: 'duplicate', id: a!.id });
  t.ok(aOther!.conflictId, 'a body that differs from the first of the same batch is a conflict');
  t.match(aSame, { kind: 'duplicate', id: a!.id, conflictId: null });
  t.match(e1, { kind: 'duplicate', id: (earlier as { id: unknown }).id });
  t.equal(e2!.conflictId, e1!.conflictId, 'the same body twice: one row');
  t.equal(eSame!.conflictId, null);

  const [ca] = await conflicts('rdb_a');
  const [ce] = await conflicts('rdb_earlier');
  t.match(ca, { id: aOther!.conflictId, raw_body: call(80), deliveries: 1, event_id: a!.id });
  t.match(ce, { id: e1!.conflictId, raw_body: call(60), deliveries: 2 });
  t.equal(ca.xmin, ce.xmin, 'the batch\'s duplicates were one statement');
  t.equal((await event('rdb_a')).length, 1);
});

t.test('operators list them with sql/forensics/redelivery_conflicts.sql, as the forensics role', async (t) => {
  const forensics = new Db({ connectionString: withRole(url, ROLES.forensics), max: 1 });
  t.teardown(() => forensics.close());
  const rows = await runNamed(forensics, 'redelivery_conflicts', [3600]);
  const all = (await db.query('select id from ingest.redelivery_conflicts')).rows;
  t.equal(rows.length, all.length, 'every conflict seen within the window');
  t.match(rows.find((r) => r.webhook_id === 'rd_2' && r.deliveries === 2),
    { source: 'telephony', first_status: 'received', body_bytes: Buffer.byteLength(call(20)), body_sha256: sha256(call(20)) });
  t.notOk(JSON.stringify(rows).includes('duration_seconds'), 'sizes and hashes, not bodies');
});
