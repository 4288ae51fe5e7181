/**
 * 014_retention.sql on a database that already holds rows: old error
 * envelopes survive it and are no longer deleted without a verified archive,
 * every partitioned table gets a policy, and archive_failed is on.
 */
import t from 'tap';
import { databaseBefore } from '../helpers/upgrade.ts';

t.test('014_retention upgrades a database with old envelopes; the cleanup goes through the archive gate', async (t) => {
  const up = await databaseBefore(t, '014_retention.sql');
  await up.db.query(`insert into ballast.error_envelopes (error_id, layer, component, error_class, severity, message, context, created_at)
    values ('err_000000000001', 'L3', 'tasks.segment_interaction', 'infra.db.timeout', 'error', 'old', '{}', now() - interval '200 days')`);
  t.same(await up.apply(), ['014_retention.sql']);

  t.equal((await up.db.query(`select count(*)::int n from ballast.error_envelopes`)).rows[0].n, 1, 'the envelope is still there');
  const { rows: [r] } = await up.db.atomicWrite((tx) => tx.query('select ballast.cleanup_old_errors(90) as n'), { reason: 'upgrade test' });
  t.equal(r.n, 0, 'no verified archive holds it: cleanup keeps it');
  t.equal((await up.db.query(`select count(*)::int n from ballast.error_envelopes`)).rows[0].n, 1);

  const { rows: unpolicied } = await up.db.query(`select table_name from ballast.partitioned_tables
    where table_name not in (select table_name from ballast.retention_policies) order by 1`);
  t.same(unpolicied, [], 'every partitioned table has a shipped retention policy');
  t.same((await up.db.query(`select enabled from ballast.alert_rules where name = 'archive_failed'`)).rows, [{ enabled: true }], 'archive_failed is on');
  t.match((await up.db.query(`select count(*)::int n from audit.tracked_tables where relid = 'ballast.retention_policies'::regclass`)).rows[0],
    { n: 1 }, 'policies are audited');
});
