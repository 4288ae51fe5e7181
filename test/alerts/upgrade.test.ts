/**
 * The upgrade test of the alerts migration: evidence written before it is
 * kept, and the first evaluation afterwards raises alerts from it; the new
 * tables are audited.
 */
import t from 'tap';
import { evaluateAlerts } from '../../lib/alerts/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '011_alerts.sql';

t.test(`${MIGRATION}: old dead letters and violations are kept and raise alerts at the first evaluation`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function) values ('old', 'summarize_interaction')`);
  await db.query(`insert into ballast.policy_violations (policy, severity, task, message) values ('trace_id_required', 'critical', 'normalize_event', 'POLICY_VIOLATION: old')`);
  const before = (await db.query(`select id, failing_function from ballast.pipeline_failures`)).rows;

  t.same(await up.apply(), [MIGRATION]);
  t.same((await db.query(`select id, failing_function from ballast.pipeline_failures`)).rows, before, 'dead letters kept');
  const { rows: rules } = await db.query(`select name, enabled from ballast.alert_rules order by name`);
  t.equal(rules.length, 11, 'the shipped rules');
  t.equal(rules.filter((r) => r.enabled).length, 6, 'six enabled; the five that arrive later wait, disabled');
  const { rows: audited } = await db.query(`select relid::text from audit.tracked_tables where relid::text like 'ballast.alert%' order by 1`);
  t.same(audited.map((r) => r.relid), ['ballast.alert_rules', 'ballast.alerts']);

  const now = new Date();
  await evaluateAlerts(db, { now });
  await evaluateAlerts(db, { now: new Date(now.getTime() + 301_000) });
  const { rows } = await db.query(`select rule, dedupe_key, status from ballast.alerts order by rule`);
  t.same(rows, [
    { rule: 'dead_letters_present', dedupe_key: 'dead_letters_present:summarize_interaction', status: 'open' },
    { rule: 'trace_id_policy_violation', dedupe_key: 'trace_id_policy_violation:normalize_event', status: 'open' },
  ]);
});
