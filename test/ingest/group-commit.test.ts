/**
 * Group commit (lib/ingest/group-commit.ts): deliveries that arrive while an
 * insert is in flight share the next INSERT, and each still gets the answer
 * and the row it would get alone. Batches are made without timing: deliveries
 * handed over in one tick, while the first is in flight, form the next batch;
 * that they shared one statement shows in their rows' equal xmin.
 */
import t from 'tap';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { GroupCommit } from '../../lib/ingest/group-commit.ts';
import type { InboxRow, Stored } from '../../lib/ingest/store.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { newSpanId, newTraceId } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { AGENT_NUMBER, deliver, startTestReceiver } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const { db, url } = await testDatabase(t);
// The receiver's own role: RETURNING and the duplicate lookup must work under it.
const ingestDb = new Db({ connectionString: withRole(url, ROLES.ingest), max: 4 });
t.teardown(() => ingestDb.close());

const inbox = (webhookId: string, body: string, extra: Partial<InboxRow> = {}): InboxRow => ({
  source: 'telephony', webhookId, text: body, bytes: Buffer.from(body), parse: true, headers: { 'webhook-id': webhookId },
  trace: { trace_id: newTraceId(), span_id: newSpanId(), correlation_id: `telephony:${webhookId}` }, reason: null, ...extra,
});
const idOf = (s: Stored | undefined) => (s as { id?: unknown } | undefined)?.id;
const call = () => JSON.stringify(sampleCall({ to: AGENT_NUMBER }));
const rows = async (ids: string[]) => (await db.query(
  `select webhook_id, id, status, status_reason, raw_body, raw_bytes, payload is not null as parsed, xmin::text as xmin
     from ingest.webhook_events where webhook_id = any($1) order by id`, [ids])).rows;
const jobsFor = async (eventIds: number[]) => (await db.query(
  `select (payload->>'event_id')::bigint as event_id, key from ballast.queued_jobs
    where task_identifier = 'normalize_event' and (payload->>'event_id')::bigint = any($1) order by 1`, [eventIds])).rows;
const ledgerFor = async (eventIds: number[]) => (await db.query(
  `select entity_id from audit.ledger where entity_type = 'ingest.webhook_events' and operation = 'create' and entity_id = any($1) order by 1`,
  [eventIds.map(String)])).rows.map((r) => r.entity_id);

t.test('one batch: new rows, a repeat within the batch, a repeat of an earlier delivery and a rejected body each get their own answer', async (t) => {
  const gc = new GroupCommit(ingestDb);
  const earlier = await gc.store(inbox('gc_earlier', call()));
  t.match(earlier, { kind: 'stored', reason: null });

  // The first goes at once; the rest, handed over while it is in flight, form the next INSERT.
  const lead = gc.store(inbox('gc_lead', call()));
  const batch = [
    inbox('gc_a', call()),
    inbox('gc_b', call()),
    inbox('gc_a', call()),
    inbox('gc_earlier', call()),
    inbox('gc_bad', '{"type": "call.completed", ', { parse: false, reason: 'body is not valid JSON (at character 28)' }),
  ].map((r) => gc.store(r));
  const [l, a, b, aAgain, earlierAgain, bad] = await Promise.all([lead, ...batch]);

  t.match(l, { kind: 'stored', reason: null });
  t.match(a, { kind: 'stored', reason: null });
  t.match(b, { kind: 'stored', reason: null });
  t.match(aAgain, { kind: 'duplicate', id: idOf(a), status: 'received' }, 'a repeat in the same batch is a duplicate of the first');
  t.match(earlierAgain, { kind: 'duplicate', id: idOf(earlier), status: 'received' }, 'a repeat of an earlier delivery is a duplicate');
  t.match(bad, { kind: 'stored', reason: /not valid JSON/ });

  const stored = await rows(['gc_a', 'gc_b', 'gc_bad', 'gc_earlier', 'gc_lead']);
  t.equal(stored.length, 5, 'one row per delivery id');
  const byId = Object.fromEntries(stored.map((r) => [r.webhook_id, r]));
  t.equal(new Set(['gc_a', 'gc_b', 'gc_bad'].map((w) => byId[w].xmin)).size, 1, 'the batch was one statement: one transaction');
  t.not(byId.gc_lead.xmin, byId.gc_a.xmin, 'the delivery in flight was its own statement');
  t.match(byId.gc_bad, { status: 'rejected', status_reason: /not valid JSON/, raw_body: '{"type": "call.completed", ', parsed: false });
  t.match(byId.gc_a, { status: 'received', parsed: true });

  const received = ['gc_a', 'gc_b', 'gc_earlier', 'gc_lead'].map((w) => Number(byId[w].id)).sort((x, y) => x - y);
  const jobs = await jobsFor(stored.map((r) => Number(r.id)));
  t.same(jobs.map((j) => Number(j.event_id)), received, 'one first-stage job per received row; none for the rejected one');
  t.same(jobs.map((j) => j.key), received.map((id) => `normalize_event:${id}`), 'keyed as before');
  t.same(await ledgerFor(stored.map((r) => Number(r.id))), stored.map((r) => String(r.id)).sort(), 'one audit ledger row per stored row');
});

t.test('a row the database refuses does not fail its neighbours: the batch goes row by row', async (t) => {
  const gc = new GroupCommit(ingestDb);
  const lead = gc.store(inbox('gc2_lead', call()));
  // Past the receiver's checks, as if a body it did not foresee reached the insert.
  const refused = '{"type":"message.received","n":1e1000000}';
  const batch = [inbox('gc2_x', call()), inbox('gc2_refused', refused), inbox('gc2_x', call()), inbox('gc2_y', call())].map((r) => gc.store(r));
  const [, x, r, xAgain, y] = await Promise.all([lead, ...batch]);
  t.match(x, { kind: 'stored', reason: null });
  t.match(r, { kind: 'stored', reason: /the database refused the body \(SQLSTATE 22003\)/ });
  t.match(xAgain, { kind: 'duplicate', id: idOf(x) });
  t.match(y, { kind: 'stored', reason: null });
  const byId = Object.fromEntries((await rows(['gc2_x', 'gc2_refused', 'gc2_y'])).map((row) => [row.webhook_id, row]));
  t.match(byId.gc2_refused, { status: 'rejected', raw_body: null });
  t.equal(byId.gc2_refused.raw_bytes.toString(), refused, 'kept as the exact bytes');
  t.match(byId.gc2_x, { status: 'received', parsed: true });
  t.match(byId.gc2_y, { status: 'received', parsed: true });
  t.equal((await jobsFor([Number(byId.gc2_x.id), Number(byId.gc2_y.id), Number(byId.gc2_refused.id)])).length, 2, 'the neighbours start the pipeline');
});

t.test('a batch holds at most maxRows rows, and at most maxBytes of bodies unless one body is larger alone', async (t) => {
  const gc = new GroupCommit(ingestDb, { maxRows: 2, maxBytes: 3000 });
  const body = call();
  const big = JSON.stringify({ type: 'call.completed', pad: 'x'.repeat(3000) });
  const lead = gc.store(inbox('gc5_lead', body));
  const rest = ['gc5_1', 'gc5_2', 'gc5_3', 'gc5_big', 'gc5_4'].map((w) => gc.store(inbox(w, w === 'gc5_big' ? big : body)));
  t.same((await Promise.all([lead, ...rest])).map((s) => s.kind), Array(6).fill('stored'));
  const xmin = Object.fromEntries((await rows(['gc5_lead', 'gc5_1', 'gc5_2', 'gc5_3', 'gc5_big', 'gc5_4'])).map((r) => [r.webhook_id, r.xmin]));
  t.ok(body.length * 2 <= 3000, 'two of the small bodies fit the byte limit');
  t.equal(xmin.gc5_1, xmin.gc5_2, 'two rows in one INSERT');
  t.not(xmin.gc5_2, xmin.gc5_3);
  t.not(xmin.gc5_3, xmin.gc5_big, 'the large body does not fit beside another');
  t.not(xmin.gc5_big, xmin.gc5_4, 'and goes alone');
});

t.test('concurrent deliveries over HTTP, with repeats and a hostile body, each get their own answer and row', async (t) => {
  const receiver = await startTestReceiver(t, ingestDb);
  const ids = Array.from({ length: 12 }, (_, i) => `gc3_${i}`);
  const sends = [...ids, ...ids.slice(0, 4)].map((id) => deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: id }));
  const hostile = deliver(receiver.url, { type: 'call.completed', note: 'a\u0000b' }, { webhookId: 'gc3_nul' });
  const answers = await Promise.all([...sends, hostile]);
  const accepted = answers.filter((a) => a.status === 200 && (a.body as { status: string }).status === 'accepted');
  const duplicates = answers.filter((a) => a.status === 200 && (a.body as { status: string }).status === 'duplicate');
  t.same(accepted.map((a) => a.webhookId).sort(), [...ids].sort(), 'each id accepted once');
  t.equal(duplicates.length, 4, 'each repeat answered as a duplicate');
  for (const d of duplicates) {
    const first = accepted.find((a) => a.webhookId === d.webhookId)!;
    t.equal((d.body as { event_id: number }).event_id, (first.body as { event_id: number }).event_id, `${d.webhookId}: the duplicate names the stored event`);
  }
  t.match(answers.at(-1), { status: 400, body: { error: 'unstorable_json' } }, 'the hostile body is refused alone');
  const stored = await rows([...ids, 'gc3_nul']);
  t.equal(stored.length, 13);
  t.equal(stored.find((r) => r.webhook_id === 'gc3_nul')?.status, 'rejected');
});

t.test('the database going away mid-batch: that batch is answered 503, nothing of it is kept, and nothing acknowledged is lost', async (t) => {
  const receiver = await startTestReceiver(t, ingestDb);
  const before = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'gc4_before' });
  t.equal(before.status, 200);

  // Hold the key table so the next INSERT waits inside the database, then cut its connection.
  const holder = await db.pool.connect();
  t.teardown(() => holder.release());
  await holder.query('begin');
  await holder.query('lock table ingest.webhook_keys in share row exclusive mode');
  const cut = deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'gc4_cut' });
  const { pid } = await waitFor('the INSERT to wait on the lock', async () => (await db.query(
    `select pid from pg_stat_activity where wait_event_type = 'Lock' and query like 'insert into ingest.webhook_events%'`)).rows[0]);
  const after = [deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'gc4_after_1' }),
    deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'gc4_after_2' })];
  await db.query('select pg_terminate_backend($1)', [pid]);
  const cutAnswer = await cut;
  await holder.query('rollback');
  t.match(cutAnswer, { status: 503, retryAfter: 5 }, 'the batch whose connection went away is answered 503 with Retry-After');
  const afterAnswers = await Promise.all(after);
  t.same(afterAnswers.map((a) => a.status), [200, 200], 'deliveries that were waiting go in the next batch');

  t.same((await rows(['gc4_before', 'gc4_cut', 'gc4_after_1', 'gc4_after_2'])).map((r) => r.webhook_id).sort(),
    ['gc4_after_1', 'gc4_after_2', 'gc4_before'], 'every acknowledged delivery is stored; the 503 one is not');
  const retried = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'gc4_cut' });
  t.match(retried, { status: 200, body: { status: 'accepted' } }, 'its retry is accepted as new: nothing of it was kept');
});
