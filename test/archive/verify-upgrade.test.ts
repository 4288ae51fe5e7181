/**
 * 021_archive_verify.sql on a database with retention policies: each keeps
 * its windows and gets a verification depth, `file`, but the audit ledger,
 * which gets `rows`; an archive verified before it stays verified.
 */
import t from 'tap';
import { databaseBefore } from '../helpers/upgrade.ts';

t.test('021_archive_verify adds a verification depth to every policy', async (t) => {
  const up = await databaseBefore(t, '021_archive_verify.sql');
  await up.db.atomicWrite((tx) => tx.query(`update ballast.retention_policies set purge_after = '40 days' where table_name = 'ingest.webhook_events'`),
    { actor: 'upgrade-test' });
  t.same(await up.apply(), ['021_archive_verify.sql']);
  const { rows } = await up.db.query(`select table_name, verify, purge_after::text from ballast.retention_policies
    where table_name in ('ingest.webhook_events', 'audit.ledger', 'search.outbox') order by 1`);
  t.same(rows, [
    { table_name: 'audit.ledger', verify: 'rows', purge_after: '395 days' },
    { table_name: 'ingest.webhook_events', verify: 'file', purge_after: '40 days' },
    { table_name: 'search.outbox', verify: 'file', purge_after: '7 days' },
  ]);
  await t.rejects(up.db.atomicWrite((tx) => tx.query(`update ballast.retention_policies set verify = 'none' where table_name = 'search.outbox'`),
    { actor: 'upgrade-test' }), /violates check constraint/, 'only file or rows');
});
