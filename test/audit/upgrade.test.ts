/**
 * Upgrades. A database migrated by the pre-release chain (001-014, kept in
 * test/fixtures/old-migrations) is refused whole, with a message that says
 * what to do. Within the baseline and every migration after it, rows sealed
 * before a migration still verify after it (test/helpers/upgrade.ts is the
 * pattern each new migration's upgrade test follows).
 */
import path from 'node:path';
import t from 'tap';
import pg from 'pg';
import { Db, migrate, MigrationHistoryError } from '../../lib/db/index.ts';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { databaseBefore, emptyDatabase } from '../helpers/upgrade.ts';

const OLD_CHAIN = path.join(ROOT, 'test/fixtures/old-migrations');

/** What a migration could change: the migrations applied, and every function, relation and column. */
const FINGERPRINT = `
select (select string_agg(id || ' ' || name || ' ' || hash, ', ' order by id) from public.migrations) as ours,
       (select string_agg(id::text, ',' order by id) from graphile_worker.migrations) as worker,
       (select md5(string_agg(x, ',' order by x)) from (
          select p.oid::regprocedure::text || ':' || md5(p.prosrc) || ':' || p.proowner::regrole::text as x from pg_proc p
           where p.pronamespace::regnamespace::text not in ('pg_catalog', 'information_schema')
          union all
          select c.oid::regclass::text || ':' || coalesce(c.relacl::text, '') from pg_class c
           where c.relnamespace::regnamespace::text not in ('pg_catalog', 'information_schema', 'pg_toast')
          union all
          select a.attrelid::regclass::text || '.' || a.attname || ':' || format_type(a.atttypid, a.atttypmod) from pg_attribute a
            join pg_class c on c.oid = a.attrelid
           where c.relnamespace::regnamespace::text not in ('pg_catalog', 'information_schema', 'pg_toast') and a.attnum > 0) s) as catalog`;

t.test('a database migrated by the pre-release chain is refused before anything runs, with what to do', async (t) => {
  const { url, drop } = await emptyDatabase('ballast_t_oldchain');
  t.teardown(drop);
  const { applied } = await migrate(url, { dir: OLD_CHAIN });
  t.equal(applied.length, 14, 'the old chain applied 001 to 014');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  t.teardown(() => c.end());
  const before = (await c.query(FINGERPRINT)).rows[0];

  const e = await migrate(url).then(() => null, (e: Error) => e);
  t.type(e, MigrationHistoryError);
  t.match(e?.message, /pre-release migrations/);
  t.match(e?.message, /nothing was changed/);
  t.match(e?.message, /Drop and recreate the database/);
  t.match(e?.message, /restore a data-only dump/);
  t.same((await c.query(FINGERPRINT)).rows[0], before, 'no migration ran and no object changed');

  // Refused every time, also by many workers at once: never half-migrated.
  const again = await Promise.allSettled([migrate(url), migrate(url)]);
  t.same(again.map((r) => r.status === 'rejected' && r.reason instanceof MigrationHistoryError), [true, true]);
  t.same((await c.query(FINGERPRINT)).rows[0], before);
});

t.test('rows sealed before the roles migration still verify after it, and the triggers keep writing the same rows', async (t) => {
  const up = await databaseBefore(t, '007_roles.sql');
  const db: Db = up.db;
  const history = async () => (await db.query(
    `select id, operation::text as op, entity_type, entity_id from audit.ledger order by id`)).rows;
  await db.atomicWrite(async (tx) => {
    await tx.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('u1', 'u', '+15555550101', 'org_a')`);
    await tx.query(`update app.agents set nickname = 'before the upgrade' where agent_id = 'u1'`);
  }, { actor: 'upgrade-test', reason: 'fixture' });
  await db.atomicWrite((tx) => tx.query(`delete from app.agents where agent_id = 'u1'`), { actor: 'upgrade-test', reason: 'fixture' });
  const sealed = await sealLedger(db);
  t.ok(sealed.sealed >= 3, 'the ledger is sealed');
  const before = await history();
  t.same(before.filter((r) => r.entity_id === 'u1').map((r) => r.op), ['create', 'update', 'delete']);

  t.same(await up.apply(), ['007_roles.sql']);
  await migrate(up.url); // the rest of the chain: today's code below reads today's schema
  const after = await history();
  t.same(after.slice(0, before.length), before, 'every row kept its operation');
  const v = await verifyLedger(db);
  t.ok(v.ok, 'the chain sealed before the migration still verifies');
  t.equal(v.head, sealed.head);

  // The triggers, now owned by the audit writer, keep writing the same rows.
  await db.atomicWrite(async (tx) => {
    await tx.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('u2', 'u', '+15555550102', 'org_a')`);
    await tx.query(`update app.agents set nickname = 'after the upgrade' where agent_id = 'u2'`);
  }, { actor: 'upgrade-test', reason: 'fixture' });
  const u2 = (await history()).filter((r) => r.entity_id === 'u2');
  t.same(u2.map((r) => [r.op, r.entity_type]), [['create', 'app.agents'], ['update', 'app.agents']]);
  await sealLedger(db);
  t.ok((await verifyLedger(db)).ok, 'old and new rows verify together');
});
