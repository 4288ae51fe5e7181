/**
 * The canary sweep: secrets, phone numbers and e-mail addresses planted
 * through every entry path (signed webhooks good, malformed and hostile, an
 * unsigned one, SQL inserts, a failing stage) run through the real pipeline;
 * then every table outside the inbox, every log line the receiver and the
 * worker wrote, and the PostgreSQL server log are searched, and none of them
 * holds a canary.
 *
 * Outside the inbox, only the conversation itself may hold what the customer
 * said (docs/failures.md, "What may hold personal data"): CONTENT lists
 * those columns. Everything else (failures, diagnostics, the audit ledger,
 * decision snapshots, job rows, the search outbox) must be masked.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import t from 'tap';
import { z } from 'zod';
import { sign } from '../../lib/ingest/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { defineStage, startWorker } from '../../lib/stage/index.ts';
import { stages as pipelineStages } from '../../tasks/index.ts';
import { readCluster, TEST_DATA_DIR } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { addAgent, AGENT_NUMBER, SECRET, startTestReceiver, waitForIdleQueue } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';
import { searchTarget } from '../search/helpers.ts';

const CALLER = '+15550107341';
const NOBODY = '+15550107342';
const EMAIL = 'canary.jones@example.org';
const TOKEN = 'sk_live_CanaryT0kenQ9x8w7v6u5t4';
const PASSWORD = 'Canary-Pw-7731';
const API_KEY = 'cnryKey8842Zq';
const RANDOM_KEY = 'Zk3CanaryRandomKeyW9pLm2Qx7';
/** Each canary, and the spellings it could leak in. */
const CANARIES: Record<string, string[]> = {
  caller: [CALLER, CALLER.slice(2)], nobody: [NOBODY, NOBODY.slice(2)], email: [EMAIL, EMAIL.toUpperCase()],
  token: [TOKEN], password: [PASSWORD], api_key: [API_KEY], random_key: [RANDOM_KEY],
};
const SAID = `Call me on ${CALLER} or mail ${EMAIL}. My password is ${PASSWORD}, api key: ${API_KEY}, token ${TOKEN}, backup key ${RANDOM_KEY}.`;

/** Columns that hold the conversation by design (audited with these columns redacted). */
const CONTENT: Record<string, string[]> = {
  'app.interactions': ['body', 'transcript', 'from_number', 'to_number'],
  'app.unknown_phone': ['phone_number'],
  'app.conversation_spans': ['text'],
  'app.summaries': ['summary', 'key_points'],
  'app.claims': ['text'],
  'app.striking_flags': ['evidence'],
};

const { db, url } = await testDatabase(t);
await addAgent(db);
await searchTarget(t);
const lines: string[] = [];
const capture = new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } });
const log = createLogger('debug', capture, redactor);
const receiver = await startTestReceiver(t, db, { log, maxJsonDepth: 16 });

// A stage that fails the way a careless downstream call would: what it read from the inbox in its log and its error.
const leaky = defineStage({
  task: 'canary_leaky', version: '1.0.0',
  payload: z.object({ event_id: z.number().int() }),
  async run({ event_id }, { tx, log }) {
    const { rows: [ev] } = await tx.query('select payload from ingest.webhook_events where id = $1', [event_id]);
    const { from, body } = ev.payload.data;
    log.info({ customer: { phone: from, email: EMAIL } }, `calling the CRM about ${from}: ${body}`);
    throw new Error(`CRM refused ${EMAIL} / ${from}: ${body}`);
  },
});
const worker = await startWorker({ connectionString: url, stages: [...pipelineStages, leaky], concurrency: 4, handleSignals: false, pollIntervalMs: 100, log, redactor });
t.teardown(async () => { await worker.stop(); await worker.done; });

async function post(id: string, body: Buffer | string, secret = SECRET) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${receiver.url}/webhooks/telephony`, { method: 'POST', body: new Uint8Array(bytes),
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(secret, id, ts, bytes) } });
  return res.status;
}
const sms = (from: string, to: string, id: string) => JSON.stringify({ type: 'message.received',
  data: { message_id: id, from, to, body: SAID, sent_at: new Date().toISOString() } });
const keyed = `{"type":"message.received","password":"${PASSWORD}","api_key":"${API_KEY}","email":"${EMAIL}","from":"${CALLER}","token":"${TOKEN}"`;

t.test('plant the canaries through every entry path', async (t) => {
  t.equal(await post('canary_good', sms(CALLER, AGENT_NUMBER, 'sms_canary_1')), 200, 'a signed good webhook');
  t.equal(await post('canary_nobody', sms(CALLER, NOBODY, 'sms_canary_2')), 200, 'a signed webhook for a number no agent owns');
  t.equal(await post('canary_unsupported', JSON.stringify({ type: `call.ringing ${EMAIL} ${NOBODY}` })), 200, 'an unsupported type naming them');
  t.equal(await post('canary_malformed', `${keyed}, `), 400, 'signed, malformed JSON');
  t.equal(await post('canary_nul', Buffer.from(`${keyed}, "x": "\u0000"}`)), 400, 'a raw NUL byte');
  t.equal(await post('canary_utf8', Buffer.concat([Buffer.from(`${keyed}, "x": "`), Buffer.from([0xff]), Buffer.from('"}')])), 400, 'invalid UTF-8');
  t.equal(await post('canary_u0000', `${keyed}, "x": "\\u0000"}`), 400, 'a \\u0000 escape');
  t.equal(await post('canary_deep', `${'['.repeat(40)}${keyed}}${']'.repeat(40)}`), 400, 'nested too deep');
  t.equal(await post('canary_forged', sms(CALLER, AGENT_NUMBER, 'sms_canary_3'), 'whsec_' + Buffer.from('forged').toString('base64')), 401, 'an unsigned client');
  await db.query(`insert into ingest.webhook_events (source, payload) values ('telephony', $1)`, [sms(CALLER, AGENT_NUMBER, 'sms_canary_4')]);
  await db.query(`insert into ingest.webhook_events (source, raw_body) values ('telephony', $1)`, [`${keyed}, `]);
  await db.query(`select graphile_worker.add_job('canary_leaky', json_build_object('event_id', id, 'trace_id', trace_id, 'correlation_id', correlation_id),
                    max_attempts => 1) from ingest.webhook_events where webhook_id = 'canary_good'`);

  await waitFor('every event to settle', async () => (await db.query(
    `select count(*)::int as n from ingest.webhook_events where status in ('received', 'processing')`)).rows[0].n === 0, { timeoutMs: 60_000 });
  await waitForIdleQueue(db);
  await waitFor('the failing stage\'s dead letter', async () => (await db.query(
    `select 1 from ballast.pipeline_failures where failing_function = 'canary_leaky'`)).rowCount, { timeoutMs: 60_000 });
  const { rows } = await db.query(`select status, count(*)::int as n from ingest.webhook_events group by 1 order by 1`);
  t.same(rows, [{ status: 'completed', n: 2 }, { status: 'quarantined', n: 2 }, { status: 'rejected', n: 6 }]);
});

t.test('no table outside the inbox holds a canary, except the conversation\'s own columns', async (t) => {
  const { rows: tables } = await db.query(`
    select format('%I.%I', n.nspname, c.relname) as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
       and not c.relispartition -- a partition's rows are searched through its table
       and format('%I.%I', n.nspname, c.relname) <> 'ingest.webhook_events' order by 1`);
  t.ok(tables.length > 20, `${tables.length} tables searched`);
  const found: string[] = [];
  for (const { name } of tables) {
    const { rows } = await db.query(`select (to_jsonb(r) - $1::text[])::text as j from ${name} r`, [CONTENT[name] ?? []]);
    for (const { j } of rows) for (const [what, spellings] of Object.entries(CANARIES)) {
      if (spellings.some((s) => j.includes(s))) found.push(`${name}: ${what}`);
    }
  }
  t.same([...new Set(found)], [], 'no canary outside the inbox');
  const { rows: [{ n }] } = await db.query(`select count(*)::int as n from audit.ledger where entity_type = 'ingest.webhook_events'`);
  t.ok(n >= 10, 'the audit ledger recorded the inbox rows it was searched for');
});

t.test('no log line of the receiver or the worker holds a canary', async (t) => {
  t.ok(lines.length > 10, `${lines.length} log lines searched`);
  const all = lines.join('');
  for (const [what, spellings] of Object.entries(CANARIES)) t.notOk(spellings.some((s) => all.includes(s)), `${what} is in no log line`);
});

const { embedded } = await readCluster();
t.test('the PostgreSQL server log holds no canary', { skip: embedded ? false : 'the server behind DATABASE_URL keeps its own log' }, async (t) => {
  const text = fs.readFileSync(path.join(TEST_DATA_DIR, 'pg.log'), 'utf8');
  for (const [what, spellings] of Object.entries(CANARIES)) t.notOk(spellings.some((s) => text.includes(s)), `${what} is not in the server log`);
});
