/**
 * The upgrade test of the reconciliation migration: billing lines written
 * before it are kept and are what the first reconciliation compares; the
 * usage_reconciliation_mismatch rule, disabled since the alerts migration, is
 * enabled with its other settings kept.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { fileUsageProvider, reconcileUsage } from '../../lib/reconcile/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';
import { redactor } from '../helpers/redactor.ts';

const MIGRATION = '018_reconciliation.sql';

t.test(`${MIGRATION}: earlier billing is kept and reconciled; the alert rule is enabled`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  const rule = async () => (await db.query(
    `select enabled, severity, threshold::int, window_seconds, auto_resolve from ballast.alert_rules where name = 'usage_reconciliation_mismatch'`)).rows[0];
  t.match(await rule(), { enabled: false }, 'the rule waits, disabled');
  // A call billed before the migration, as the usage migration's normalize_event bills it.
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('agent_a', 'u', '+15555550161')`);
  await db.query(`begin;
    select set_config('ballast.trace_id', '4bf92f3577b34da6a3ce929d0e0e4736', true), set_config('ballast.correlation_id', 'c', true),
           set_config('ballast.span_id', '00f067aa0ba902b7', true), set_config('ballast.task', 'normalize_event', true),
           set_config('ballast.task_version', '1', true);
    insert into ingest.webhook_events (id, source, raw_body, status) overriding system value values (9001, 'telephony', '{}', 'completed');
    insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at, duration_seconds)
    values (9001, 'default', 'agent_a', 'call', 'inbound', 'call_old', '+15555550199', '+15555550161', '2026-03-10T09:00:00Z', 95);
    select app.bill_interaction(9001);
    commit`);
  const { rows: before } = await db.query(`select agent_id, usage_day::text, calls::int, call_minutes::int, sms::int from app.billed_usage_daily`);
  t.same(before, [{ agent_id: 'agent_a', usage_day: '2026-03-10', calls: 1, call_minutes: 2, sms: 0 }]);

  t.same(await up.apply(), [MIGRATION]);
  t.same(await rule(), { enabled: true, severity: 'warning', threshold: 1, window_seconds: 86400, auto_resolve: true });
  t.same((await db.query(`select agent_id, usage_day::text, calls::int, call_minutes::int, sms::int from app.billed_usage_daily`)).rows,
    before, 'billed usage untouched');
  const { rows: [audited] } = await db.query(
    `select operation, after_data->>'enabled' as enabled from audit.ledger where entity_type = 'ballast.alert_rules' order by id desc limit 1`);
  t.match(audited, { enabled: 'true' }, 'enabling the rule is in the audit ledger');

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-upgrade-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  await fs.writeFile(path.join(dir, 'u.json'), JSON.stringify([{ agent_id: 'agent_a', calls: 1, call_minutes: 2, sms: 0 }]));
  t.match(await reconcileUsage(db, fileUsageProvider(path.join(dir, 'u.json')), { day: '2026-03-10', triggeredBy: 'test', redactor }),
    { status: 'clean', agents_compared: 1 }, 'the old line is what the provider is compared with');
  t.match(await reconcileUsage(db, fileUsageProvider(path.join(dir, 'u.json')), { day: '2026-03-11', triggeredBy: 'test', redactor }),
    { status: 'mismatched', mismatches: 2 }, 'and only on its own day');
});
