/**
 * Replaying rejected inbox events, end to end: a real receiver (as
 * ballast_ingest) over real HTTP makes the rejected rows, the real CLI (as
 * ballast_worker) replays them, a real worker runs the pipeline. A rejected
 * event whose stored body passes the receiver's body checks (JSON posted as
 * text/plain, say) is parsed, put through the pipeline, audited with the
 * note, and its receiver dead letter resolved; a re-delivery of its id is then
 * a duplicate, also once the row is gone. One whose body still fails, or is
 * kept as bytes, stays exactly as it was and is reported with the reason.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { replayEvents, sign } from '../../lib/ingest/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER, SECRET, startTestReceiver, startTestWorker, waitForEvent } from '../helpers/pipeline.ts';

const { db, url } = await testDatabase(t);
const ingestDb = new Db({ connectionString: withRole(url, ROLES.ingest), max: 4 });
t.teardown(() => ingestDb.close());
const receiver = await startTestReceiver(t, ingestDb);
await startTestWorker(t, url);
await addAgent(db);

const run = promisify(execFile);
const ballast = async (...args: string[]) => (await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
  { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops' } })).stdout;
const fails = (...args: string[]) => ballast(...args).then(() => { throw new Error('expected a failure'); }, (e) => e as { code: number; stdout: string; stderr: string });

async function post(id: string, body: Buffer | string, contentType: string) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${receiver.url}/webhooks/telephony`, {
    method: 'POST', body: new Uint8Array(bytes),
    headers: { 'content-type': contentType, 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(SECRET, id, ts, bytes) },
  });
  return { status: res.status, body: await res.json() as Record<string, any> };
}
const sms = (id: string) => JSON.stringify({ type: 'message.received',
  data: { message_id: id, from: '+15555550111', to: AGENT_NUMBER, body: 'Please call me back about my refund.', sent_at: '2026-11-28T07:00:00.000Z' } });
/** Posts a body the receiver refuses; returns its rejected row's id. */
async function rejected(webhookId: string, body: Buffer | string, contentType: string, status: number): Promise<number> {
  const res = await post(webhookId, body, contentType);
  if (res.status !== status) throw new Error(`expected ${status}, the receiver answered ${res.status}: ${JSON.stringify(res.body)}`);
  return Number(res.body.event_id);
}
/** The whole row, and its receiver dead letter. */
const snapshot = async (id: number) => (await db.query(
  `select to_jsonb(e) as row, (select to_jsonb(f) from ballast.pipeline_failures f where f.interaction_id = 'event:' || e.id) as dead_letter
     from ingest.webhook_events e where e.id = $1`, [id])).rows[0];

t.test('JSON posted as text/plain (415) is replayed by id: parsed from the kept body, processed, audited, its dead letter resolved', async (t) => {
  const body = sms('sms_rj1');
  const id = await rejected('rj_text', body, 'text/plain', 415);
  const before = await snapshot(id);
  t.match(before.row, { status: 'rejected', payload: null, event_type: null, raw_body: body });
  t.match(before.dead_letter, { failing_function: 'ingest.receiver', http_status: 415, resolved_at: null });
  t.same(await post('rj_text', body, 'application/json'),
    { status: 400, body: { error: 'rejected', message: before.row.status_reason, event_id: String(id) } }, 'before: a re-delivery is rejected');

  const note = 'the sender posts JSON as text/plain; body checked';
  t.match(await ballast('inbox', 'replay', String(id), '--note', note), new RegExp(`replayed 1 event\\(s\\): ${id}\\n`));
  const ev = await waitForEvent(db, id, ['completed']);
  t.same(ev.payload, JSON.parse(body), 'the payload is the parse of the kept body');
  t.match(ev, { event_type: 'message.received', status_reason: null, raw_body: body, raw_bytes: null });
  t.equal(ev.headers['content-type'], 'text/plain', 'the headers stay as delivered');
  t.equal((await db.query(`select count(*)::int n from app.interactions where event_id = $1`, [id])).rows[0].n, 1, 'the pipeline ran');

  const after = await snapshot(id);
  t.match(after.dead_letter, { resolved_at: /./, next_retry_at: null, resolution_note: `inbox replay: ${note} (by cli:ops)` },
    "the receiver's dead letter is resolved with the note");
  const { rows: audit } = await db.query(
    `select actor, db_role, reason, span_id, before_data->>'status' as before, after_data->>'status' as after
       from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1 and reason like 'inbox replay:%'`, [String(id)]);
  t.match(audit, [{ actor: 'cli:ops', db_role: 'ballast_worker', reason: `inbox replay: ${note}`, before: 'rejected', after: 'received' }]);
  const { rows: attempts } = await db.query(`select parent_span_id from ballast.job_attempts where task = 'normalize_event' and trace_id = $1`, [ev.trace_id]);
  t.same(attempts, [{ parent_span_id: audit[0].span_id }], 'the first stage ran once, under the replay\'s span, on the event\'s trace');

  t.same(await post('rj_text', body, 'application/json'),
    { status: 200, body: { status: 'duplicate', event_id: String(id), webhook_id: 'rj_text', trace_id: ev.trace_id } },
    'after: a re-delivery is a duplicate of a received event');
  t.same((await db.query(`select rejected from ingest.webhook_keys where event_id = $1`, [id])).rows, [{ rejected: false }], 'the key follows');
  await db.atomicWrite((tx) => tx.query(`delete from ingest.webhook_events where id = $1`, [id]), { actor: 'test', reason: 'as a purge would' });
  t.match(await post('rj_text', body, 'application/json'), { status: 200, body: { status: 'duplicate', event_id: String(id) } },
    'and so it is once the row is gone');
});

t.test('--status rejected replays the acceptable bodies; the others stay as they were, each reported with its reason', async (t) => {
  const ok1 = await rejected('rj_ok1', sms('sms_rj2'), 'text/plain;charset=UTF-8', 415);
  const malformed = await rejected('rj_malformed', '{"type":"message.received",', 'application/json', 400);
  const deep = await rejected('rj_deep', `${'['.repeat(65)}${']'.repeat(65)}`, 'application/json', 400);
  const bytes = await rejected('rj_bytes', Buffer.from('{"type":"message.received","note":"caf\u00e9"}', 'latin1'), 'application/json; charset=latin1', 415);
  const ok2 = await rejected('rj_ok2', sms('sms_rj3'), 'application/x-www-form-urlencoded', 415);
  const refused = [malformed, deep, bytes];
  const before = await Promise.all(refused.map(snapshot));

  const dry = await ballast('inbox', 'replay', '--status', 'rejected', '--dry-run');
  t.match(dry, /^would replay 2 event\(s\)\n/);
  t.match(dry, new RegExp(`  ${malformed} .*  \\(stays rejected: body is not valid JSON \\(at character \\d+\\)\\)`));
  t.match(dry, new RegExp(`  ${deep} .*  \\(stays rejected: JSON nests deeper than 64 levels\\)`));
  t.match(dry, new RegExp(`  ${bytes} .*  \\(stays rejected: its body is kept as bytes, not as UTF-8 text; only a text body can be replayed\\)`));
  t.notMatch(dry, new RegExp(`  ${ok1} .*stays rejected`));
  const byId = await ballast('inbox', 'replay', String(ok1), String(deep), '--dry-run');
  t.match(byId, /^would replay 1 of 2 event\(s\)\n/);
  t.same((await db.query(`select count(*)::int n from ingest.webhook_events where id = any ($1) and status = 'rejected'`, [[ok1, ok2, ...refused]])).rows[0].n, 5,
    'a dry run changes nothing');

  const first = await fails('inbox', 'replay', '--status', 'rejected', '--limit', '2', '--note', 'senders fixed');
  t.equal(first.code, 1, 'exit 1: one was not replayable');
  t.match(first.stdout, new RegExp(`replayed 1 event\\(s\\): ${ok1}\\n`), 'oldest first, at most --limit');
  t.match(first.stdout, new RegExp(`skipped 1: ${malformed} \\(rejected: body is not valid JSON \\(at character \\d+\\)\\)`));

  const rest = await fails('inbox', 'replay', '--status', 'rejected', '--since', '2026-01-01T00:00:00Z', '--note', 'senders fixed');
  t.match(rest.stdout, new RegExp(`replayed 1 event\\(s\\): ${ok2}\\n`));
  t.match(rest.stdout, new RegExp(`skipped 3: ${malformed} \\(rejected: body is not valid JSON \\(at character \\d+\\)\\), ${deep} \\(rejected: JSON nests deeper than 64 levels\\), `
    + `${bytes} \\(rejected: its body is kept as bytes, not as UTF-8 text; only a text body can be replayed\\)`));
  for (const ev of [ok1, ok2]) t.equal((await waitForEvent(db, ev, ['completed'])).status, 'completed');
  t.same(await Promise.all(refused.map(snapshot)), before, 'each refused row, and its open dead letter, is exactly as it was');
  t.same((await db.query(`select count(*)::int n from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = any ($1) and reason like 'inbox replay:%'`,
    [refused.map(String)])).rows[0].n, 0, 'and has no replay audit row');

  t.match((await fails('inbox', 'replay', '--status', 'rejected', '--reason', 'unknown_phone', '--note', 'x')).stderr,
    /--reason and --number are read from a parsed body/);
});

t.test('a rejected event replayed twice at once is replayed once: the other finds it received, and its dead letter is resolved once', async (t) => {
  const id = await rejected('rj_twice', sms('sms_rj4'), 'text/plain', 415);
  const ops = { actor: 'cli:ops', note: 'twice' };
  const [a, b] = await Promise.all([replayEvents(db, [id], ops), replayEvents(db, [id], ops)]);
  t.same([a.replayed.length + b.replayed.length, a.skipped.length + b.skipped.length], [1, 1]);
  t.match([...a.skipped, ...b.skipped], [{ id, status: /^(received|processing|completed)$/ }]);
  t.equal((await waitForEvent(db, id, ['completed'])).status, 'completed');
  t.equal((await db.query(`select count(*)::int n from ballast.job_attempts a join ingest.webhook_events e on e.trace_id = a.trace_id
    where e.id = $1 and a.task = 'normalize_event'`, [id])).rows[0].n, 1, 'the first stage ran once');
  t.equal((await db.query(`select count(*)::int n from audit.ledger where entity_type = 'ballast.pipeline_failures'
    and reason = 'inbox replay: twice'`)).rows[0].n, 1, 'one change to the dead letter');
});
