/**
 * `ballast usage ...` run as the operator runs it: show, set-limit (with a
 * reason, audited, as the owner), set-tier and set-prices, and their errors.
 * Periods and instants are given explicitly, never today's.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { AGENT, addUsageAgent } from './helpers.ts';

const run = promisify(execFile);
const ballast = async (url: string, ...args: string[]) => (await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
  { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops' } })).stdout;
const fails = (url: string, ...args: string[]) => ballast(url, ...args).then(() => { throw new Error('expected a failure'); }, (e) => e as { code: number; stdout: string; stderr: string });

t.test('show, set-limit, set-tier and set-prices', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await db.query(`select app.usage_row($1, '2026-02-01')`, [AGENT]);
  await db.query(`update app.usage_limits set calls = 5, call_minutes = 12 where agent_id = $1`, [AGENT]);
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload, status, status_reason)
    values ('telephony', 'blocked_1', '{}', '{}', 'quarantined', $1)`, [`usage_blocked: ${AGENT} 2026-02-01`]);

  const set = await ballast(url, 'usage', 'set-limit', AGENT, '--period', '2026-02', '--soft-calls', '4', '--hard-calls', '5', '--reason', 'trial plan');
  t.match(set, new RegExp(`${AGENT}: limits set from 2026-02-01 \\(soft_calls=4, hard_calls=5\\)`));
  t.match(set, /2026-02-01 {2}standard {2}blocked {2}calls 5/);
  const shown = await ballast(url, 'usage', 'show', AGENT, '--period', '2026-02');
  t.match(shown, /blocked/);
  t.match(shown, /1 event\(s\) quarantined as usage_blocked; raise the limit first/);
  t.match(JSON.parse(await ballast(url, 'usage', 'show', '--json')), [{ agent_id: AGENT, period_start: '2026-02-01', limit_state: 'blocked', calls: '5', hard_calls: '5', quarantined: 1 }]);

  const raised = await ballast(url, 'usage', 'set-limit', AGENT, '--period', '2026-02', '--hard-calls', 'none', '--reason', 'owner approved');
  t.match(raised, /2026-02-01 {2}standard {2}warning/);
  t.match(raised, /1 event\(s\) quarantined as usage_blocked can be recorded now: ballast inbox replay --status quarantined --reason usage_blocked --note <why>/);
  const { rows: audit } = await db.query(`select operation::text, actor, db_role, reason from audit.ledger where entity_type = 'app.usage_plans' order by id`);
  t.same(audit.map((a) => [a.operation, a.actor, a.db_role, a.reason]), [
    ['create', 'cli:ops', 'ballast_owner', 'trial plan'], ['update', 'cli:ops', 'ballast_owner', 'trial plan'],
    ['update', 'cli:ops', 'ballast_owner', 'owner approved']],
    'each change is audited, as the owner, with its reason');

  t.match(await ballast(url, 'usage', 'set-prices', 'pro', '--calls', '0.01', '--minutes', '0.015', '--sms', '0.005', '--effective-at', '2099-01-01T00:00:00Z'),
    /tier pro from 2099-01-01T00:00:00.000Z: calls 0.01, call minutes 0.015, sms 0.005/);
  t.match(await ballast(url, 'usage', 'set-tier', AGENT, 'pro', '--from', '2099-01'), new RegExp(`${AGENT}: on tier pro from the period 2099-01-01`));
  t.match(await ballast(url, 'usage', 'show', '--prices'), /pro.*2099-01-01T00:00:00.000Z.*0.01.*0.015.*0.005/);

  t.match((await fails(url, 'usage', 'set-limit', AGENT, '--hard-calls', '5')).stderr, /--reason/, 'a reason is required');
  t.match((await fails(url, 'usage', 'set-limit', AGENT, '--hard-calls', '-1', '--reason', 'x')).stderr, /a limit is a whole number >= 0 or "none"/);
  t.match((await fails(url, 'usage', 'set-limit', AGENT, '--reason', 'x')).stderr, /name at least one limit/);
  t.match((await fails(url, 'usage', 'show', '--period', '2026-13')).stderr, /a period is a month, YYYY-MM/);
  t.match((await fails(url, 'usage', 'set-tier', AGENT, 'gold', '--from', '2099-02')).stderr, /tier gold has no prices in force on 2099-02-01/);
  t.match((await fails(url, 'usage', 'set-prices', 'standard', '--minutes', '1', '--effective-at', '2000-01-01T00:00:00Z')).stderr, /cannot take effect in the past/);
  t.match((await fails(url, 'usage', 'set-prices', 'gold', '--minutes', '1', '--effective-at', '2099-01-01T00:00:00Z')).stderr, /tier gold is new: give all three prices/);
});
