/**
 * Upgrade test of 009_sealing.sql (test/helpers/upgrade.ts): a database with
 * a sealed chain, error envelopes and dead letters written before it keeps
 * them, its chain still verifies, and the new rules hold for the old rows.
 */
import t from 'tap';
import pg from 'pg';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { ROLES, withRole, type DbRole } from '../../lib/db/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '009_sealing.sql';

async function as<T>(url: string, role: DbRole, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withRole(url, role) });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

t.test(`${MIGRATION}: old rows are kept, the chain verifies, and the new rules apply to them`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db, url } = up;
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('g1', 'u', '+15555550101'), ('g2', 'u', '+15555550102')`);
  const sealed = await sealLedger(db);
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('g3', 'u', '+15555550103')`);
  await db.query(`insert into ballast.error_envelopes (error_id, layer, component, error_class, severity, message, created_at)
    values ('err_0000000000a1', 'L3', 'tasks.x', 'infra.db.timeout', 'error', 'old', now() - interval '100 days'),
           ('err_0000000000a2', 'L3', 'tasks.x', 'infra.db.timeout', 'error', 'new', now())`);
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, context)
    values ('event:1', 'ingest.receiver', '{"replayable": false}')`);
  const envelopeOwner = (await db.query(`select pg_get_userbyid(proowner) o from pg_proc where oid = 'ballast.cleanup_old_errors(int)'::regprocedure`)).rows[0].o;
  t.not(envelopeOwner, ROLES.owner, 'before: cleanup_old_errors belongs to the migrating user');

  t.same(await up.apply(), [MIGRATION]);

  const v = await verifyLedger(db);
  t.ok(v.ok, 'the chain sealed before still verifies');
  t.equal(v.checked, (await db.query('select count(*)::int n from audit.chain')).rows[0].n);
  t.ok(v.unsealed >= 1, `the rows written since are the unsealed window (${v.unsealed})`);
  t.equal((await db.query(`select count(*)::int n from ballast.error_envelopes`)).rows[0].n, 2, 'envelopes kept');
  t.equal((await db.query(`select count(*)::int n from ballast.pipeline_failures`)).rows[0].n, 1, 'dead letters kept');

  await as(url, ROLES.owner, async (c) => {
    const { rows: [s] } = await c.query('select sealed from audit.seal()');
    t.ok(s.sealed >= 1, 'the owner seals');
    await t.rejects(c.query('select ballast.cleanup_old_errors(90)'), /needs a reason/);
    await c.query('begin');
    await c.query(`select set_config('ballast.reason', 'upgrade test', true)`);
    t.same((await c.query('select ballast.cleanup_old_errors(90) as n')).rows, [{ n: 1 }], 'the old envelope is deleted, with a reason');
    await c.query('commit');
  });
  const { rows: [row] } = await db.query(`select reason, db_role from audit.ledger where entity_type = 'ballast.error_envelopes' and entity_id = 'err_0000000000a1'`);
  t.same(row, { reason: 'upgrade test', db_role: ROLES.owner }, 'and audited');
  await as(url, ROLES.ingest, async (c) => {
    await t.rejects(c.query('select ballast.record_failure(null, null, null)'), /permission denied/, 'the receiver lost record_failure');
  });
  t.ok((await sealLedger(db)).sealed >= 1, 'the deletion is sealed');
  const end = await verifyLedger(db);
  t.ok(end.ok, 'old and new rows verify together');
  t.not(end.head, sealed.head, 'the chain grew from the head sealed before the migration');
});
