/**
 * The upgrade test of the restore-drills migration: it adds
 * ballast.restore_drills and turns on the restore_drill_failed rule, whose
 * condition now ships, leaving every other rule as it was; a failed drill
 * recorded afterwards fires it.
 */
import t from 'tap';
import { evaluateAlerts } from '../../lib/alerts/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

// The lead renumbers migrations at merge; this name follows the file.
const MIGRATION = '015_restore_drills.sql';

t.test(`${MIGRATION}: adds the drills table and enables restore_drill_failed, other rules untouched`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  await db.query(`update ballast.alert_rules set threshold = 900 where name = 'stuck_attempts'`);
  const rules = async () => (await db.query(`select name, enabled, threshold::int from ballast.alert_rules order by name`)).rows;
  const before = await rules();
  t.match(before.find((r) => r.name === 'restore_drill_failed'), { enabled: false });
  t.same(await up.apply(), [MIGRATION]);
  const after = await rules();
  t.same(after.filter((r) => r.name !== 'restore_drill_failed'), before.filter((r) => r.name !== 'restore_drill_failed'), 'other rules keep their settings');
  t.match(after.find((r) => r.name === 'restore_drill_failed'), { enabled: true, threshold: 1 });

  const now = new Date('2030-01-06T12:00:00Z');
  const drill = (status: string, mismatches: number, rto: number, daysAgo: number) => db.query(
    `insert into ballast.restore_drills (started_at, status, backup, target, rto_seconds, mismatches, report)
     values ($1, $2, '/backups/x', 'db:5432/ballast_drill_x', $3, $4, $5)`,
    [new Date(now.getTime() - daysAgo * 86400_000), status, rto, mismatches,
      JSON.stringify({ checks: [{ name: 'data', status: mismatches ? 'fail' : 'pass' }, { name: 'fleet', status: 'pass' }] })]);
  await t.rejects(drill('passed', 2, 10, 1), /restore_drills_check/, 'a drill with mismatches cannot be recorded as passed');
  const evaluate = async () => (await evaluateAlerts(db, { rules: ['restore_drill_failed'], now })).outcomes[0];
  await drill('failed', 2, 10, 10);
  t.match(await evaluate(), { firing: 0, error: undefined }, 'a failed drill older than the week does not fire');
  await drill('failed', 2, 12.5, 1);
  t.match(await evaluate(), { firing: 1, opened: 1 });
  t.match((await db.query(`select message, severity from ballast.alerts where rule = 'restore_drill_failed'`)).rows,
    [{ severity: 'critical', message: /^restore drill \d+ of \/backups\/x failed: 2 mismatch\(es\), RTO 13 s; failed checks: data$/ }]);
  await drill('passed', 0, 4000, 0);
  t.match(await evaluate(), { firing: 1, bumped: 1 }, 'a passing drill over the 60-minute RTO still fires');
  await drill('passed', 0, 30, 0);
  t.match(await evaluate(), { firing: 0 }, 'the last drill passed within the RTO: nothing fires (the rule does not auto-resolve: an operator resolves it)');
});
