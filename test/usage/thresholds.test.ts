/**
 * Thresholds that act (issue 15 part 3): reaching a soft limit raises one
 * usage_warning per agent and period; reaching a hard limit raises
 * usage_blocked, and the agent's new events of that period are kept and
 * quarantined as usage_blocked, never dropped; raising the limit (audited)
 * unblocks it, and a replay records them, each once.
 */
import t from 'tap';
import { evaluateAlerts } from '../../lib/alerts/index.ts';
import { setLimit } from '../../lib/usage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { AGENT, addUsageAgent, call, inbox, linesPerPeriod, normalizeEvent, rerun, settledEvents, usageRows } from './helpers.ts';

const MAY = new Date('2026-05-15T12:00:00Z');
const at = (s: number, from = MAY) => new Date(from.getTime() + s * 1000);
const alerts = async (db: { query: (q: string) => Promise<{ rows: any[] }> }) =>
  (await db.query(`select rule, dedupe_key, status, occurrences, subject->>'agent' as agent from ballast.alerts where rule like 'usage%' order by id`)).rows;

t.test('soft then hard: one warning per period, then usage_blocked, quarantined events kept; raising the limit and a replay record them once', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await setLimit(db, { agent: AGENT, limits: { soft_calls: 2, hard_calls: 3 }, actor: 'cli:ops', reason: 'plan: 3 calls', now: MAY });
  await startTestWorker(t, url, { stages: [normalizeEvent] });

  const first = await settledEvents(db, await inbox(db, call('2026-05-02T10:00:00Z', 30)));
  t.equal(first[0]!.status, 'processing');
  t.match(await usageRows(db), [{ calls: 1, limit_state: 'ok' }]);
  t.match(await evaluateAlerts(db, { now: at(0), rules: ['usage_warning', 'usage_blocked'] }), { rules: 2, opened: 0, failed: 0 }, 'under the soft limit: nothing');

  await settledEvents(db, await inbox(db, call('2026-05-03T10:00:00Z', 30)));
  t.match(await usageRows(db), [{ calls: 2, limit_state: 'warning' }], 'the soft limit is reached at 2');
  t.match(await evaluateAlerts(db, { now: at(60), rules: ['usage_warning', 'usage_blocked'] }), { opened: 1 });
  t.match(await evaluateAlerts(db, { now: at(120), rules: ['usage_warning', 'usage_blocked'] }), { opened: 0, bumped: 1 });
  t.same(await alerts(db), [{ rule: 'usage_warning', dedupe_key: `usage_warning:${AGENT}:2026-05-01`, status: 'open', occurrences: 2, agent: AGENT }],
    'one usage_warning for the agent and period');

  await settledEvents(db, await inbox(db, call('2026-05-04T10:00:00Z', 30)));
  t.match(await usageRows(db), [{ calls: 3, limit_state: 'blocked' }], 'the hard limit is reached at 3: that call is recorded and billed');
  const blockedIds = await inbox(db, call('2026-05-05T10:00:00Z', 30), call('2026-05-06T10:00:00Z', 45));
  const blocked = await settledEvents(db, blockedIds);
  t.same(blocked.map((e) => [e.status, e.status_reason]), [
    ['quarantined', `usage_blocked: ${AGENT} 2026-05-01`], ['quarantined', `usage_blocked: ${AGENT} 2026-05-01`]],
  'new events are kept in the inbox, quarantined as usage_blocked');
  t.ok(blocked.every((e) => e.payload && e.raw_body), 'with their payload: nothing is dropped');
  t.same(await linesPerPeriod(db), [{ period_start: '2026-05-01', calls: 3, call_minutes: 3, sms: 0, lines: 6 }], 'and not billed');
  const { rows: [n] } = await db.query(`select count(*)::int n from app.interactions`);
  t.equal(n.n, 3);
  const { rows: [other] } = await db.query(`select count(*)::int n from app.usage_limits where agent_id <> $1`, [AGENT]);
  t.equal(other.n, 0);

  t.match(await evaluateAlerts(db, { now: at(180), rules: ['usage_warning', 'usage_blocked'] }), { opened: 1, bumped: 1 });
  const raised = await alerts(db);
  t.match(raised, [{ rule: 'usage_warning', status: 'open' }, { rule: 'usage_blocked', dedupe_key: `usage_blocked:${AGENT}:2026-05-01`, status: 'open' }]);
  const { rows: [blockedAlert] } = await db.query(`select message, evidence from ballast.alerts where rule = 'usage_blocked'`);
  t.match(blockedAlert.message, /2 event\(s\) quarantined as usage_blocked/);
  t.same(blockedAlert.evidence.ids, [...blockedIds].reverse(), 'the evidence names the quarantined events');

  // An event recorded before the block, replayed now, is not blocked after the fact.
  const [firstId] = first.map((e) => Number(e.id));
  await rerun(db, [firstId!]);
  const { rows: [again] } = await db.query(`select status from ingest.webhook_events where id = $1`, [firstId]);
  t.equal(again.status, 'processing', 'a replay of a recorded event stays recorded');

  const r = await setLimit(db, { agent: AGENT, limits: { hard_calls: 10 }, actor: 'cli:ops', reason: 'account owner approved 10 calls', now: at(200) });
  t.match(r, { period: '2026-05-01', periods: [{ period_start: '2026-05-01', limit_state: 'warning' }], quarantined: 2 },
    'raising the hard limit unblocks the period at once and counts what can be replayed');
  const { rows: audited } = await db.query(
    `select actor, reason, before_data->>'hard_calls' as b, after_data->>'hard_calls' as a from audit.ledger
      where entity_type = 'app.usage_plans' order by id`);
  t.same(audited.at(-1), { actor: 'cli:ops', reason: 'account owner approved 10 calls', b: '3', a: '10' }, 'the raise is audited with actor and reason');

  await rerun(db, blockedIds);
  t.same((await settledEvents(db, blockedIds)).map((e) => e.status), ['processing', 'processing'], 'replayed, they are recorded');
  t.match(await usageRows(db), [{ calls: 5, call_minutes: 5, limit_state: 'warning' }]);
  t.same(await linesPerPeriod(db), [{ period_start: '2026-05-01', calls: 5, call_minutes: 5, sms: 0, lines: 10 }], 'and billed once each');

  t.match(await evaluateAlerts(db, { now: at(240), rules: ['usage_warning', 'usage_blocked'] }), { resolved: 1, bumped: 1 });
  t.match(await alerts(db), [{ rule: 'usage_warning', status: 'open' }, { rule: 'usage_blocked', status: 'resolved' }],
    'usage_blocked resolves; the period keeps its one usage_warning');
});

t.test('the next period starts at ok with the plan\'s limits; the old period\'s warning resolves a window after it ends', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await setLimit(db, { agent: AGENT, limits: { soft_call_minutes: 1, hard_call_minutes: 100 }, actor: 'cli:ops', reason: 'plan', now: MAY });
  await startTestWorker(t, url, { stages: [normalizeEvent] });
  await settledEvents(db, await inbox(db, call('2026-05-31T23:59:00Z', 120)));
  t.match(await evaluateAlerts(db, { now: new Date('2026-06-01T00:00:30Z'), rules: ['usage_warning'] }), { opened: 1 });
  await settledEvents(db, await inbox(db, call('2026-06-01T00:00:00Z', 10)));
  t.same(await usageRows(db), [
    { period_start: '2026-05-01', tier: 'standard', calls: 1, call_minutes: 2, sms: 0, limit_state: 'warning' },
    { period_start: '2026-06-01', tier: 'standard', calls: 1, call_minutes: 1, sms: 0, limit_state: 'warning' }],
  'June rolls over to fresh counters with the same limits (1 minute reaches the soft limit again)');
  t.match(await evaluateAlerts(db, { now: new Date('2026-06-01T00:01:00Z'), rules: ['usage_warning'] }), { opened: 1, bumped: 1 }, 'June gets its own');
  t.match(await evaluateAlerts(db, { now: new Date('2026-06-02T00:00:01Z'), rules: ['usage_warning'] }), { resolved: 1, bumped: 1 },
    'May\'s resolves once the window (1 day) after its end has passed');
  t.same((await alerts(db)).map((a) => [a.dedupe_key, a.status]), [
    [`usage_warning:${AGENT}:2026-05-01`, 'resolved'], [`usage_warning:${AGENT}:2026-06-01`, 'open']]);
});

t.test('limits are checked: unknown agent, soft above hard, nothing to set', async (t) => {
  const { db } = await testDatabase(t);
  await addUsageAgent(db);
  await t.rejects(setLimit(db, { agent: 'nobody', limits: { hard_calls: 1 }, actor: 'cli:ops', now: MAY }), /no agent nobody/);
  await t.rejects(setLimit(db, { agent: AGENT, limits: { soft_calls: 5, hard_calls: 2 }, actor: 'cli:ops', now: MAY }), /soft limit may not exceed its hard limit/);
  await t.rejects(setLimit(db, { agent: AGENT, limits: {}, actor: 'cli:ops', now: MAY }), /at least one limit/);
  await t.rejects(setLimit(db, { agent: AGENT, limits: { hard_sms: -1 }, actor: 'cli:ops', now: MAY }), /whole number >= 0/);
  const { rows } = await db.query(`select count(*)::int n from app.usage_plans`);
  t.equal(rows[0].n, 0, 'a refused change leaves nothing');
});
