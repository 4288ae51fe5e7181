/**
 * 027_audit_enable_partitions: audit.enable() refuses an UPDATE that changes
 * the partition key of a partitioned table it audits (PostgreSQL runs it as a
 * delete plus an insert that no capture trigger sees), for the tables you
 * audit as for ballast's own (026). Tables audited before the migration get
 * the same trigger from it.
 */
import t from 'tap';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '027_audit_enable_partitions.sql';

t.test(`${MIGRATION}: partition keys of the tables audit.enable() audits never change; other updates are audited`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  const as = (sql: string) => db.atomicWrite((tx) => tx.query(sql), { actor: 'test:027', reason: 'test' });
  const ledger = async (table: string) =>
    (await db.query(`select operation::text as op from audit.ledger where entity_type = $1 order by id`, [table])).rows.map((r) => r.op);
  const triggerDef = async (table: string) => (await db.query(
    `select pg_get_triggerdef(oid) as def from pg_trigger where tgrelid = $1::regclass and tgname = 'partition_key_fixed'`,
    [table])).rows[0]?.def ?? null;

  // A table of the user's, partitioned by range and audited before the migration.
  await db.query(`create table public.calls_027 (id bigint, at timestamptz, note text, primary key (id, at)) partition by range (at);
                  create table public.calls_027_jan partition of public.calls_027 for values from ('2030-01-01') to ('2030-02-01');
                  create table public.calls_027_feb partition of public.calls_027 for values from ('2030-02-01') to ('2030-03-01');
                  select audit.enable('public.calls_027');`);
  await as(`insert into public.calls_027 values (1, '2030-01-10', 'a'), (2, '2030-01-11', 'b')`);
  t.same(await ledger('public.calls_027'), ['create', 'create']);
  const moved = await as(`update public.calls_027 set at = '2030-02-10' where id = 1`);
  t.equal(moved.rowCount, 1, 'before the migration the row moved to another partition...');
  t.same(await ledger('public.calls_027'), ['create', 'create'], '...and the ledger did not see it (the gap)');
  const inboxBefore = await triggerDef('ingest.webhook_events');
  const policyBefore = await triggerDef('ballast.policy_violations');

  t.same(await up.apply(), [MIGRATION]);

  t.match(await triggerDef('public.calls_027'), /BEFORE UPDATE OF at ON public.calls_027 FOR EACH ROW WHEN \(\(new.at IS DISTINCT FROM old.at\)\)/,
    'a table audited before the migration gets the trigger from it');
  t.equal(await triggerDef('ingest.webhook_events'), inboxBefore, '026\'s trigger on the inbox is made again, the same');
  t.equal(await triggerDef('ballast.policy_violations'), policyBefore);
  t.equal(await triggerDef('ballast.pipeline_failures'), null, 'the dead letters keep their own trigger (022) alone');
  await t.rejects(as(`update public.calls_027 set at = '2030-01-10' where id = 1`),
    { code: '55000', message: 'public.calls_027: at is the partition key and never changes' });
  await as(`update public.calls_027 set note = 'c' where id = 2`);
  t.same(await ledger('public.calls_027'), ['create', 'create', 'update'], 'an update within the partition is audited as before');

  // Tables enabled after the migration: a key at two levels, a key of two columns, an expression key.
  await db.query(`create table public.regions_027 (id bigint, region text, day int, note text, primary key (id, region, day)) partition by list (region);
                  create table public.regions_027_eu partition of public.regions_027 for values in ('eu') partition by range (day);
                  create table public.regions_027_eu_1 partition of public.regions_027_eu for values from (1) to (10);
                  create table public.regions_027_eu_2 partition of public.regions_027_eu for values from (10) to (20);
                  create table public.regions_027_us partition of public.regions_027 for values in ('us');
                  select audit.enable('public.regions_027');`);
  await as(`insert into public.regions_027 values (1, 'eu', 2, 'x'), (2, 'eu', 3, 'y')`);
  await t.rejects(as(`update public.regions_027 set region = 'us' where id = 1`), { code: '55000', message: 'public.regions_027: region, day is the partition key and never changes' });
  await t.rejects(as(`update public.regions_027 set day = 12 where id = 1`), { code: '55000' },
    'a sub-partition\'s key is guarded too: that move, between two leaves of one partition, would escape the ledger the same way');
  await as(`update public.regions_027 set note = 'z' where id = 2`);
  t.same(await ledger('public.regions_027'), ['create', 'create', 'update']);

  await db.query(`create table public.pairs_027 (id bigint, a int, b int, primary key (id, a, b)) partition by range (a, b);
                  create table public.pairs_027_low partition of public.pairs_027 for values from (0, 0) to (10, 0);
                  create table public.pairs_027_high partition of public.pairs_027 for values from (10, 0) to (20, 0);
                  select audit.enable('public.pairs_027');`);
  t.match(await triggerDef('public.pairs_027'), /BEFORE UPDATE OF a, b ON public.pairs_027 FOR EACH ROW WHEN \(\(\(new.a IS DISTINCT FROM old.a\) OR \(new.b IS DISTINCT FROM old.b\)\)\)/);
  await as(`insert into public.pairs_027 values (1, 5, 1)`);
  await t.rejects(as(`update public.pairs_027 set a = 15 where id = 1`), { code: '55000', message: 'public.pairs_027: a, b is the partition key and never changes' });

  // PostgreSQL allows no primary key on a table partitioned by an expression, so audit.enable() refuses it before.
  await db.query(`create table public.exprs_027 (id bigint, at timestamptz) partition by range (date_trunc('month', at at time zone 'UTC'))`);
  await t.rejects(db.query(`select audit.enable('public.exprs_027')`), { message: /has no primary key/ });
  await t.rejects(db.query(`select audit.fix_partition_key('public.exprs_027')`), { message: /partitioned by an expression/ });

  await db.query(`create table public.plain_027 (id bigint primary key, note text); select audit.enable('public.plain_027')`);
  t.equal(await triggerDef('public.plain_027'), null, 'a table that is not partitioned gets no trigger');
});
