import { Writable } from 'node:stream';
import t from 'tap';
import { z } from 'zod';
import { Redactor, redactor } from '../../lib/failures/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { defineStage, startWorker } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const SECRET = 'sk_live_4eC39HqLyjWDarjtT1zdp7dc';
const PHONE = '+15555550123';
const EMAIL = 'jane.doe@example.com';
const PASSWORD = 'correct horse battery staple';

t.test('the redactor masks key names and values that look like phones, e-mails and tokens', async (t) => {
  const out = redactor.value({
    api_key: 'abc', nested: { Password: PASSWORD, note: `call ${PHONE} or (555) 010-9999, mail ${EMAIL}` },
    auth: `Bearer ${SECRET}`, list: [SECRET, 42, '2026-11-22T08:00:00Z'], trace_id: '0af7651916cd43dd8448eb211c80319c', count: 15555550123,
  });
  t.same(out, {
    api_key: '[redacted]', nested: { Password: '[redacted]', note: 'call [redacted:phone] or [redacted:phone], mail [redacted:email]' },
    auth: '[redacted]', list: ['[redacted:token]', 42, '2026-11-22T08:00:00Z'], trace_id: '0af7651916cd43dd8448eb211c80319c', count: 15555550123,
  });
  t.same(new Redactor(['customer_ref']).value({ customer_ref: 'x', other: 'y' }), { customer_ref: '[redacted]', other: 'y' }, 'extra key names are configurable');
});

t.test('a planted secret never reaches the failure tables or the logs', async (t) => {
  const { db, url } = await testDatabase(t);
  const lines: string[] = [];
  const log = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
  const leaky = defineStage({
    task: 'leaky', version: '1.0.0',
    payload: z.object({ customer: z.object({ email: z.string(), phone: z.string() }), api_key: z.string(), memo: z.string() }),
    async run(input) {
      throw new Error(`CRM refused ${input.customer.email} / ${input.customer.phone} with key ${input.api_key}`);
    },
  });
  const worker = await startWorker({ connectionString: url, stages: [leaky], concurrency: 1, handleSignals: false, log });
  t.teardown(async () => { await worker.stop(); await worker.done; });
  await db.query(`select graphile_worker.add_job('leaky', $1::json, max_attempts => 1)`, [JSON.stringify({
    customer: { email: EMAIL, phone: PHONE }, api_key: SECRET, memo: `password is ${PASSWORD}; callback ${PHONE}`,
    trace_id: '0af7651916cd43dd8448eb211c80319c', correlation_id: 'leak:1' })]);
  await waitFor('the dead letter', async () => (await db.query(`select 1 from ballast.pipeline_failures`)).rowCount);

  const dump = (await db.query(`
    select (select coalesce(jsonb_agg(f), '[]') from ballast.pipeline_failures f)::text
        || (select coalesce(jsonb_agg(e), '[]') from ballast.error_envelopes e)::text
        || (select coalesce(jsonb_agg(d), '[]') from ballast.diagnostic_logs d)::text
        || (select coalesce(jsonb_agg(a), '[]') from ballast.job_attempts a)::text as all`)).rows[0].all as string;
  for (const planted of [SECRET, PHONE, EMAIL]) {
    t.notOk(dump.includes(planted), `${planted} is not in any failure table`);
    t.notOk(lines.join('').includes(planted), `${planted} is not in any log line`);
  }
  const { rows: [dl] } = await db.query('select payload_snapshot, error_message, context from ballast.pipeline_failures');
  t.same(dl.payload_snapshot.customer, { email: '[redacted]', phone: '[redacted]' });
  t.equal(dl.payload_snapshot.api_key, '[redacted]');
  t.match(dl.payload_snapshot.memo, /callback \[redacted:phone\]/);
  t.match(dl.error_message, /CRM refused \[redacted:email\] \/ \[redacted:phone\] with key \[redacted:token\]/);
  t.equal(dl.context.replayable, false, 'a redacted snapshot cannot be replayed as it is');
});
