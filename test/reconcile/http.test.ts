/**
 * The nightly usage reconciliation against a real local HTTP provider: a
 * clean day, a day where ballast is missing events (the provider has more),
 * a day where ballast billed events the provider does not report, and a
 * provider that times out. ballast's side is billed the real way: inbox
 * events recorded by normalize_event on a real worker.
 */
import t from 'tap';
import { evaluateAlerts, nextCommand } from '../../lib/alerts/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { httpUsageProvider, reconcileUsage } from '../../lib/reconcile/index.ts';
import { TransientError } from '../../lib/failures/index.ts';
import normalizeEvent from '../../tasks/normalize_event.ts';
import { reconcileUsageTask } from '../../tasks/reconcile_usage.ts';
import { testDatabase } from '../helpers/db.ts';
import { startWorker } from '../../lib/stage/index.ts';
import { redactor } from '../helpers/redactor.ts';
import { waitFor } from '../helpers/wait.ts';
import { ACCOUNT, TOKEN, callEvent, recordEvents, smsEvent, startFakeProvider } from './helpers.ts';

const A = '+15555550161';
const B = '+15555550162';
const STRANGER = '+15555550999';
const { db, url } = await testDatabase(t);
const provider = await startFakeProvider(t);
await db.query(`insert into app.agents (agent_id, user_id, phone_number, provider_number_id, org_id) values
  ('agent_a', 'u_a', $1, 'PN00000000000000000000000000000aaa', 'org_t'), ('agent_b', 'u_b', $2, null, 'org_t')`, [A, B]);

// The task's clock: the cron run at 02:15 on the 14th reconciles the 13th.
const nightly = reconcileUsageTask(() => new Date('2026-03-14T02:15:00Z'));
const config = loadConfig({ ...process.env, BALLAST_USAGE_PROVIDER_URL: provider.url, BALLAST_USAGE_PROVIDER_ACCOUNT: ACCOUNT,
  BALLAST_USAGE_PROVIDER_TOKEN: TOKEN, BALLAST_USAGE_PROVIDER_TIMEOUT_MS: '300' });
const worker = await startWorker({ connectionString: url, stages: [normalizeEvent, nightly], config, redactor, concurrency: 2,
  handleSignals: false, pollIntervalMs: 100 });
t.teardown(async () => { await worker.stop(); await worker.done; });

// ballast's side: per day, what normalize_event billed (call minutes per started minute).
await recordEvents(db, [
  // 10th: agent_a 2 calls (95 s + 30 s = 2 + 1 minutes) and 1 SMS; agent_b 1 call of 61 s (2 minutes).
  callEvent('c10a1', A, '2026-03-10T09:00:00Z', 95), callEvent('c10a2', A, '2026-03-10T23:59:00Z', 30),
  smsEvent('s10a1', A, '2026-03-10T10:00:00Z'), callEvent('c10b1', B, '2026-03-10T11:00:00Z', 61),
  // 11th: agent_a 1 call of 95 s; the provider will report more.
  callEvent('c11a1', A, '2026-03-11T09:00:00Z', 95),
  // 12th: agent_a 1 call of 95 s, agent_b 1 SMS the provider never saw.
  callEvent('c12a1', A, '2026-03-12T09:00:00Z', 95), smsEvent('s12b1', B, '2026-03-12T10:00:00Z'),
]);

const http = (o: { timeoutMs?: number; pageSize?: number; token?: string } = {}) => httpUsageProvider({
  baseUrl: provider.url, account: ACCOUNT, token: o.token ?? TOKEN, timeoutMs: o.timeoutMs ?? 5000, pageSize: o.pageSize ?? 2 });
const reconcile = (day: string, p = http()) => reconcileUsage(db, p, { day, triggeredBy: 'test', redactor });
const mismatches = async (runId: number) => (await db.query(
  `select agent_id, subject, unit, provider_value::float8 as provider, ballast_value::float8 as ballast, difference::float8 as difference, evidence
     from app.reconciliation_mismatches where run_id = $1 order by agent_id nulls last, subject, unit`, [runId])).rows;
const run = async (id: number) => (await db.query(`select * from app.reconciliation_runs where id = $1`, [id])).rows[0];

t.test('a clean day: every agent and unit agrees, over several pages and both attributions', async (t) => {
  provider.usage.set('2026-03-10', [
    { category: 'calls', count: '2', usage: '3', phone_number_sid: 'PN00000000000000000000000000000aaa' },
    { category: 'calls-inbound', count: '2', usage: '3', phone_number_sid: 'PN00000000000000000000000000000aaa' },
    { category: 'sms', count: '1', usage: '1', count_unit: 'messages', usage_unit: 'messages', phone_number_sid: 'PN00000000000000000000000000000aaa' },
    { category: 'totalprice', count: '0', usage: '0.2', usage_unit: 'usd', phone_number_sid: 'PN00000000000000000000000000000aaa' },
    { category: 'calls', count: '1', usage: '2', phone_number: B },
  ]);
  const r = await reconcile('2026-03-10');
  t.match(r, { status: 'clean', provider: 'http', provider_records: 3, agents_compared: 2, mismatches: 0, error: null });
  t.equal(provider.requests.filter((q) => q.includes('StartDate=2026-03-10')).length, 3, 'read all three pages');
  t.match(await run(r.run_id), { status: 'clean', usage_day: new Date('2026-03-10T00:00:00Z'), source: provider.url, finished_at: Date, error: null });
  t.same(await mismatches(r.run_id), []);
});

t.test('a day with missing events: the provider reports more than ballast billed', async (t) => {
  provider.usage.set('2026-03-11', [
    { category: 'calls', count: '2', usage: '4', phone_number_sid: 'PN00000000000000000000000000000aaa' },
    { category: 'sms', count: '1', usage: '1', phone_number_sid: 'PN00000000000000000000000000000aaa' },
    { category: 'sms', count: '1', usage: '1', phone_number: STRANGER },
  ]);
  const r = await reconcile('2026-03-11');
  t.match(r, { status: 'mismatched', agents_compared: 2, mismatches: 4 });
  const rows = await mismatches(r.run_id);
  t.match(rows, [
    { agent_id: 'agent_a', subject: 'agent_a', unit: 'call_minutes', provider: 4, ballast: 2, difference: 2 },
    { agent_id: 'agent_a', subject: 'agent_a', unit: 'calls', provider: 2, ballast: 1, difference: 1 },
    { agent_id: 'agent_a', subject: 'agent_a', unit: 'sms', provider: 1, ballast: 0, difference: 1 },
    { agent_id: null, subject: /^unmapped:phone:\[redacted:phone:[0-9a-f]{12}\]$/, unit: 'sms', provider: 1, ballast: 0, difference: 1 },
  ]);
  t.match(rows[0].evidence, {
    provider_rows: [{ category: 'calls', count: '2', usage: '4', start_date: '2026-03-11', account_sid: String }],
    ballast: { view: 'app.billed_usage_daily', usage_day: '2026-03-11', agent_id: 'agent_a' },
  }, 'the provider\'s rows behind the value');
  t.match(rows[3].evidence.provider_rows, [{ phone_number: /^\[redacted:phone:/ }], 'the stranger\'s number is masked in the evidence');
  t.notMatch(JSON.stringify(rows), /5550999/, 'the number appears nowhere unmasked');
});

t.test('a day with extra events: ballast billed what the provider does not report', async (t) => {
  provider.usage.set('2026-03-12', [{ category: 'calls', count: '1', usage: '2', phone_number_sid: 'PN00000000000000000000000000000aaa' }]);
  const r = await reconcile('2026-03-12');
  t.match(r, { status: 'mismatched', agents_compared: 2, mismatches: 1 });
  t.match(await mismatches(r.run_id), [
    { agent_id: 'agent_b', subject: 'agent_b', unit: 'sms', provider: 0, ballast: 1, difference: -1, evidence: { provider_rows: [] } },
  ]);
});

t.test('a provider that times out: the run fails with its reason, never "no mismatches"', async (t) => {
  provider.usage.set('2026-03-13', 'hang');
  const r = await reconcile('2026-03-13', http({ timeoutMs: 300 }));
  t.match(r, { status: 'failed', mismatches: 0, error: /TransientError: usage provider http:\/\/127\.0\.0\.1:\d+\/2010-04-01 \(page 1\): no answer within 300 ms/ });
  t.ok(r.cause instanceof TransientError, 'a timeout is transient: the job is retried');
  t.match(await run(r.run_id), { status: 'failed', finished_at: Date, error: r.error });
});

t.test('a provider that refuses the credentials: a failed run naming what to check, without the token', async (t) => {
  const r = await reconcile('2026-03-10', http({ token: 'wrong_token_value' }));
  t.match(r, { status: 'failed', error: /answered 401: .*check BALLAST_USAGE_PROVIDER_ACCOUNT and BALLAST_USAGE_PROVIDER_TOKEN/ });
  t.notMatch(JSON.stringify(await run(r.run_id)), /wrong_token_value|tok_reconcile/);
});

t.test('mismatches and failed runs raise usage_reconciliation_mismatch with the evidence; a clean re-run clears its day', async (t) => {
  const now = new Date(Date.now() + 60_000);
  await evaluateAlerts(db, { now, rules: ['usage_reconciliation_mismatch'] });
  const alerts = async () => (await db.query(
    `select dedupe_key, status, severity, message, evidence from ballast.alerts where rule = 'usage_reconciliation_mismatch' order by dedupe_key`)).rows;
  const open = (await alerts()).filter((a) => a.status === 'open');
  t.same(open.map((a) => a.dedupe_key), [
    'usage_reconciliation_mismatch:day:2026-03-10', // its last run: the refused credentials
    'usage_reconciliation_mismatch:day:2026-03-11', 'usage_reconciliation_mismatch:day:2026-03-12', 'usage_reconciliation_mismatch:day:2026-03-13']);
  t.match(open[1], { severity: 'warning', message: /2026-03-11: 4 mismatch\(es\) with the http provider/,
    evidence: { table: 'app.reconciliation_mismatches', mismatches: [{ agent_id: 'agent_a', unit: 'call_minutes', difference: 2 }] } });
  t.match(open[3].message, /2026-03-13 failed: .*could not be read: .*no answer within 300 ms/);
  t.same(nextCommand({ rule: 'usage_reconciliation_mismatch', subject: { usage_day: '2026-03-11' }, trace_id: null, correlation_id: null, evidence: {} }),
    ['npx ballast reconcile usage --day 2026-03-11'], 'the next command re-runs the day');

  // The provider catches up, and the 10th is re-run with good credentials: both days clear.
  provider.usage.set('2026-03-11', [
    { category: 'calls', count: '1', usage: '2', phone_number_sid: 'PN00000000000000000000000000000aaa' }]);
  t.match(await reconcile('2026-03-11'), { status: 'clean' });
  t.match(await reconcile('2026-03-10'), { status: 'clean' });
  await evaluateAlerts(db, { now: new Date(now.getTime() + 60_000), rules: ['usage_reconciliation_mismatch'] });
  t.same((await alerts()).filter((a) => a.status === 'open').map((a) => a.dedupe_key), [
    'usage_reconciliation_mismatch:day:2026-03-12', 'usage_reconciliation_mismatch:day:2026-03-13']);
});

t.test('the nightly task reconciles yesterday by its clock; a timeout fails the job into a dead letter and leaves a failed run', async (t) => {
  await db.query(`select graphile_worker.add_job('reconcile_usage', '{"day": "2026-03-12"}', max_attempts => 1)`);
  await db.query(`select graphile_worker.add_job('reconcile_usage', '{}', max_attempts => 1)`);
  const runs = await waitFor('two maintenance runs', async () => {
    const { rows } = await db.query(`select outcome, counts, error from ballast.maintenance_runs where task = 'reconcile_usage' order by id`);
    return rows.length === 2 ? rows : null;
  });
  t.match(runs.find((r) => r.outcome === 'succeeded'), { counts: { agents: 2, mismatches: 1 } });
  t.match(runs.find((r) => r.outcome === 'failed'), { error: /no answer within 300 ms/ });
  const { rows: byTask } = await db.query(`select usage_day::text, status, triggered_by from app.reconciliation_runs where triggered_by = 'job' order by id`);
  t.same(byTask.map((r) => `${r.usage_day} ${r.status}`).sort(), ['2026-03-12 mismatched', '2026-03-13 failed'], 'the default day is yesterday by the task\'s clock');
  const dead = await waitFor('the dead letter', async () => (await db.query(
    `select failing_function from ballast.pipeline_failures where failing_function = 'reconcile_usage'`)).rows[0]);
  t.ok(dead, 'the failed job is a dead letter');
});
