import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import t from 'tap';
import { z } from 'zod';
import { loadConfig } from '../../lib/config/index.ts';
import { Redactor, redactionKeyFile, redactorFromConfig } from '../../lib/failures/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { recordDecision } from '../../lib/replay/index.ts';
import { defineStage, startWorker } from '../../lib/stage/index.ts';
import summarizeInteraction from '../../tasks/summarize_interaction.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
const PHONE = '+15555550123';
const EMAIL = 'jane.doe@example.com';
const PASSWORD = 'correct horse battery staple';
const KEY = 'test-redaction-key-0123456789abcdef0123456789';
const redactor = new Redactor({ key: KEY });
const MASK = /^\[redacted:[a-z]+:[0-9a-f]{12}\]$/;

t.test('the redactor masks key names and values that look like phones, e-mails, tokens and card numbers', async (t) => {
  const m = (kind: Parameters<Redactor['mask']>[0], v: string) => redactor.mask(kind, v);
  const out = redactor.value({
    api_key: 'abc', nested: { Password: PASSWORD, note: `call ${PHONE} or (555) 010-9999, mail ${EMAIL}` },
    auth: `Bearer ${SECRET}`, list: [SECRET, 42, '2026-11-22T08:00:00Z', 'card 4111 1111 1111 1111', 'order 1732700000001'],
    trace_id: '0af7651916cd43dd8448eb211c80319c', count: 15555550123,
  });
  t.same(out, {
    api_key: m('secret', 'abc'), nested: { Password: m('secret', PASSWORD), note: `call ${m('phone', PHONE)} or ${m('phone', '(555) 010-9999')}, mail ${m('email', EMAIL)}` },
    auth: m('token', `Bearer ${SECRET}`), list: [m('token', SECRET), 42, '2026-11-22T08:00:00Z', `card ${m('card', '4111 1111 1111 1111')}`, 'order 1732700000001'],
    trace_id: '0af7651916cd43dd8448eb211c80319c', count: 15555550123,
  });
  t.match(out.api_key, MASK);
  t.same(new Redactor({ key: KEY, extraKeys: ['customer_ref'] }).value({ customer_ref: 'x', other: 'y' }), { customer_ref: m('secret', 'x'), other: 'y' },
    'extra key names are configurable');
  t.equal(redactor.text(redactor.text(`call ${PHONE}`)), redactor.text(`call ${PHONE}`), 'masking twice changes nothing');
  t.same(redactor.value({ phone: redactor.text(PHONE) }), { phone: redactor.text(PHONE) }, 'a mask under a sensitive key stays as it is');
});

t.test('the same value gets the same mask wherever it appears', async (t) => {
  const mask = redactor.text(PHONE);
  t.match(mask, MASK);
  t.equal(redactor.value({ phone: PHONE }).phone, mask, 'under a key name as in free text');
  t.equal(redactor.text('+1 555 555 0123'), mask, 'in another spelling');
  t.equal(redactor.value({ email: 'Jane.Doe@Example.com' }).email, redactor.text(EMAIL), 'an e-mail address in another case');
  t.not(redactor.text('+15555550124'), mask, 'another number, another mask');
});

t.test('masks are keyed: another key masks differently, and without the key a phone mask cannot be brute-forced', async (t) => {
  const other = new Redactor({ key: 'another-install-key-000000000000000000' });
  t.not(other.text(PHONE), redactor.text(PHONE), 'the same value under two keys');
  t.throws(() => new Redactor({ key: 'short' }), /at least 32 bytes/);

  // Everyone can enumerate the numbers next to a known one; only the key holder can find which one a mask hides.
  const hash = /:([0-9a-f]{12})\]$/.exec(redactor.text(PHONE))![1]!;
  const candidates = Array.from({ length: 10_000 }, (_, i) => `+1555555${String(i).padStart(4, '0')}`);
  t.ok(candidates.includes(PHONE));
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');
  const unkeyed = candidates.filter((c) => [sha(c), sha(c.slice(1)), sha(`"${c}"`)].some((h) => h.includes(hash)));
  t.same(unkeyed, [], 'no unkeyed SHA-256 of any candidate gives the mask');
  t.same(candidates.filter((c) => other.mask('phone', c).includes(hash)), [], 'nor does another key');
  t.same(candidates.filter((c) => redactor.mask('phone', c).includes(hash)), [PHONE], 'the key holder finds it');
});

t.test('the key comes from BALLAST_REDACTION_KEY, else from a generated file in the data dir (mode 0600)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-redaction-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const generated = redactorFromConfig(loadConfig({ BALLAST_DATA_DIR: dir }));
  const file = redactionKeyFile({ dataDir: dir });
  t.equal(fs.statSync(file).mode & 0o777, 0o600);
  t.equal(redactorFromConfig(loadConfig({ BALLAST_DATA_DIR: dir })).text(PHONE), generated.text(PHONE), 'the next process reads the same key');
  const configured = redactorFromConfig(loadConfig({ BALLAST_DATA_DIR: dir, BALLAST_REDACTION_KEY: KEY, BALLAST_REDACT_KEYS: 'customer_ref, iban' }));
  t.equal(configured.text(PHONE), redactor.text(PHONE), 'a configured key wins');
  t.same(configured.value({ iban: 'DE89' }), { iban: redactor.mask('secret', 'DE89') }, 'BALLAST_REDACT_KEYS adds key names');
  t.throws(() => loadConfig({ BALLAST_REDACTION_KEY: 'too-short' }), /BALLAST_REDACTION_KEY/);
  t.throws(() => loadConfig({ BALLAST_REDACT_KEYS: 'a;b' }), /BALLAST_REDACT_KEYS/);
});

t.test('a planted secret never reaches the failure tables, the logs or the decision snapshots, and a value has one mask in all of them', async (t) => {
  const { db, url } = await testDatabase(t);
  const lines: string[] = [];
  const log = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }), redactor);
  const leaky = defineStage({
    task: 'leaky', version: '1.0.0',
    payload: z.object({ customer: z.object({ email: z.string(), phone: z.string() }), api_key: z.string(), memo: z.string() }),
    async run(input, { log }) {
      log.info({ customer: input.customer }, `calling the CRM about ${input.customer.phone}`);
      throw new Error(`CRM refused ${input.customer.email} / ${input.customer.phone} with key ${input.api_key}`);
    },
  });
  const worker = await startWorker({ connectionString: url, stages: [leaky], concurrency: 1, handleSignals: false, log, redactor });
  t.teardown(async () => { await worker.stop(); await worker.done; });
  await db.query(`select graphile_worker.add_job('leaky', $1::json, max_attempts => 1)`, [JSON.stringify({
    customer: { email: EMAIL, phone: PHONE }, api_key: SECRET, memo: `password is ${PASSWORD}; callback ${PHONE}`,
    trace_id: '0af7651916cd43dd8448eb211c80319c', correlation_id: 'leak:1' })]);
  await waitFor('the dead letter', async () => (await db.query(`select 1 from ballast.pipeline_failures`)).rowCount);
  await db.atomicWrite((tx) => recordDecision(tx, redactor, summarizeInteraction, 1,
    { spans: [{ seq: 0, speaker: 'customer', text: `call me back on ${PHONE}, or mail ${EMAIL}` }] }, { summary: `callback ${PHONE}` }));

  const dump = (await db.query(`
    select (select coalesce(jsonb_agg(f), '[]') from ballast.pipeline_failures f)::text
        || (select coalesce(jsonb_agg(e), '[]') from ballast.error_envelopes e)::text
        || (select coalesce(jsonb_agg(d), '[]') from ballast.diagnostic_logs d)::text
        || (select coalesce(jsonb_agg(a), '[]') from ballast.job_attempts a)::text
        || (select coalesce(jsonb_agg(j.last_error), '[]') from graphile_worker._private_jobs j)::text
        || (select coalesce(jsonb_agg(r), '[]') from replay.decisions r)::text as all`)).rows[0].all as string;
  for (const planted of [SECRET, PHONE, EMAIL]) {
    t.notOk(dump.includes(planted), `${planted} is not in any failure table, job row or snapshot`);
    t.notOk(lines.join('').includes(planted), `${planted} is not in any log line`);
  }
  const phone = redactor.text(PHONE);
  const email = redactor.text(EMAIL);
  const { rows: [dl] } = await db.query('select payload_snapshot, error_message, context from ballast.pipeline_failures');
  t.same(dl.payload_snapshot.customer, { email, phone });
  t.equal(dl.payload_snapshot.api_key, redactor.mask('token', SECRET));
  t.equal(dl.payload_snapshot.memo, `password is ${redactor.mask('secret', PASSWORD.split(' ')[0]!)} ${PASSWORD.split(' ').slice(1).join(' ')}; callback ${phone}`,
    'free text keeps its words around the masked number, and a secret named in words is masked (its first word)');
  t.match(dl.error_message, `CRM refused ${email} / ${phone} with key ${redactor.mask('token', SECRET)}`);
  t.equal(dl.context.replayable, false, 'a redacted snapshot cannot be replayed as it is');
  const logged = lines.map((l) => JSON.parse(l)).find((l) => /calling the CRM/.test(l.msg));
  t.match(logged, { msg: `calling the CRM about ${phone}`, customer: { phone, email } }, 'the log line masks it the same way');
  const { rows: [snap] } = await db.query('select input, input_hash, input_redacted, output_hash, live_output_hash from replay.decisions');
  t.equal(snap.input.spans[0].text, `call me back on ${phone}, or mail ${email}`, 'the decision snapshot masks it the same way');
  t.match(snap, { input_redacted: true, input_hash: /^hmac-sha256:[0-9a-f]{64}$/, live_output_hash: /^hmac-sha256:[0-9a-f]{64}$/ });
});

t.test('raw and free text: key-like pairs, secrets named in words and random-looking keys are masked; masks are left alone', async (t) => {
  const m = (kind: Parameters<Redactor['mask']>[0], v: string) => redactor.mask(kind, v);
  t.equal(redactor.text(`{"password":"hunter2","api_key": 'k-123',"email":"${EMAIL}","note":"hi"`),
    `{"password":"${m('secret', 'hunter2')}","api_key": '${m('secret', 'k-123')}',"email":"${m('email', EMAIL)}","note":"hi"`, 'in JSON that does not parse');
  t.equal(redactor.text('{"token":"abc123 cut off'), `{"token":"${m('secret', 'abc123 cut off')}`, 'a value cut off at the end of an excerpt');
  t.equal(redactor.text('{"cvv": 123, "n": 1}'), `{"cvv": ${m('secret', '123')}, "n": 1}`, 'a bare value');
  t.equal(redactor.text('my api key is zq81-alpha, and my PIN: 4711'), `my api key is ${m('secret', 'zq81-alpha')}, and my PIN: ${m('secret', '4711')}`);
  t.equal(redactor.text('user=ana&password=s3cret!&x=1'), `user=ana&password=${m('secret', 's3cret!')}&x=1`, 'a form body');
  t.equal(redactor.text('backup key Zk3RandomLookingKeyW9pLm2Qx7.'), `backup key ${m('token', 'Zk3RandomLookingKeyW9pLm2Qx7')}.`);
  t.equal(redactor.text('the path lib/ingest/receiver_and_more.ts and the id call_l9x8k2a1b3c4d5e6f7g8h9'),
    'the path lib/ingest/receiver_and_more.ts and the id call_l9x8k2a1b3c4d5e6f7g8h9', 'runs without digits, upper and lower case stay');
  const masked = redactor.text(`token ${SECRET} secret: hunter22`);
  t.equal(redactor.text(masked), masked, 'masking twice changes nothing (a mask\'s "token:" is not a named secret)');
});
