/**
 * The upgrade test of the usage migration: agents and interactions recorded
 * before it are kept; it bills nothing retroactively (a backfill of
 * normalize_event does, once; test/usage/billing.test.ts); the usage rules
 * are enabled with their conditions, and the new settings are audited.
 */
import t from 'tap';
import { evaluateAlerts } from '../../lib/alerts/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '016_usage.sql';

t.test(`${MIGRATION}: earlier interactions are kept and unbilled; the usage rules run`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  await db.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('old_agent', 'u', '+15555550101', 'org')`);
  const { rows: [ev] } = await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload) values ('telephony', 'old', '{}', '{"type":"x"}') returning id`);
  await db.query(`insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at, duration_seconds,
      trace_id, correlation_id, span_id, produced_by, producer_version)
    values ($1, 'org', 'old_agent', 'call', 'inbound', 'c1', '+15555550100', '+15555550101', '2026-01-05T10:00:00Z', 61,
            '0af7651916cd43dd8448eb211c80319c', 'telephony:old', '00f067aa0ba902b7', 'normalize_event', '1.0.0')`, [ev.id]);
  const before = (await db.query(`select id, agent_id, occurred_at from app.interactions`)).rows;

  t.same(await up.apply(), [MIGRATION]);
  t.same((await db.query(`select id, agent_id, occurred_at from app.interactions`)).rows, before, 'interactions kept');
  const { rows: [n] } = await db.query(`select (select count(*) from app.billing_line_items)::int as lines, (select count(*) from app.usage_limits)::int as periods`);
  t.same(n, { lines: 0, periods: 0 }, 'nothing is billed by the migration itself');
  const { rows: [price] } = await db.query(`select tier, price_call_minutes::text from app.tier_snapshots`);
  t.same(price, { tier: 'standard', price_call_minutes: '0.02' }, 'the standard tier has prices');
  const { rows: rules } = await db.query(`select name from ballast.alert_rules where enabled and name like 'usage%' order by 1`);
  t.same(rules.map((r) => r.name), ['usage_blocked', 'usage_warning']);
  const { rows: audited } = await db.query(`select relid::text from audit.tracked_tables where relid::text in ('app.usage_plans', 'app.tier_snapshots') order by 1`);
  t.same(audited.map((r) => r.relid), ['app.tier_snapshots', 'app.usage_plans']);

  // The old interaction billed as a re-run of normalize_event bills it (in its transaction, with its stamps): once.
  await t.rejects(db.atomicWrite((tx) => tx.query(`select app.bill_interaction($1)`, [ev.id])), /"trace_id" of relation "billing_line_items"/,
    'a line without its producer stamps is refused');
  await db.atomicWrite(async (tx) => {
    await tx.query(`select set_config('ballast.trace_id', '0af7651916cd43dd8448eb211c80319c', true), set_config('ballast.correlation_id', 'telephony:old', true),
                           set_config('ballast.span_id', '00f067aa0ba902b8', true), set_config('ballast.task', 'normalize_event', true),
                           set_config('ballast.task_version', '1.1.0', true)`);
    await tx.query(`select app.bill_interaction($1)`, [ev.id]);
    await tx.query(`select app.bill_interaction($1)`, [ev.id]);
  });
  const { rows: lines } = await db.query(`select unit, quantity::int, producer_version, usage_day::text from app.billing_line_items order by unit`);
  t.same(lines, [{ unit: 'call_minutes', quantity: 2, producer_version: '1.1.0', usage_day: '2026-01-05' },
    { unit: 'calls', quantity: 1, producer_version: '1.1.0', usage_day: '2026-01-05' }]);
  t.match((await db.query(`select calls::int, call_minutes::int from app.usage_limits`)).rows, [{ calls: 1, call_minutes: 2 }]);
  t.match(await evaluateAlerts(db, { now: new Date('2026-01-06T00:00:00Z'), rules: ['usage_warning', 'usage_blocked'] }), { rules: 2, failed: 0, opened: 0 });
});
