/**
 * Upgrading a database whose ledger already holds sealed rows: migration 014
 * rewrites the ledger (operation becomes an enum) and re-attaches every
 * audited table. Nothing recorded may change: the chain still verifies, every
 * row keeps its operation, and the re-attached triggers write the same rows.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import pg from 'pg';
import { Db, migrate, MIGRATIONS_DIR } from '../../lib/db/index.ts';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { readCluster, withDatabase } from '../helpers/cluster.ts';

const MIGRATION_014 = '014_audit_cheaper_rows.sql';

const cluster = await readCluster();
const name = `ballast_t_upgrade_${randomBytes(5).toString('hex')}`;
const admin = new pg.Client({ connectionString: cluster.adminUrl });
await admin.connect();
await admin.query(`create database ${name}`);
const url = withDatabase(cluster.adminUrl, name);
const older = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-migrations-'));
const db = new Db({ connectionString: url, max: 4 });
t.teardown(async () => {
  await db.close();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
  await fs.rm(older, { recursive: true, force: true });
});

t.test('rows sealed before migration 014 still verify after it, with the same operations', async (t) => {
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  t.ok(files.includes(MIGRATION_014));
  for (const f of files.filter((f) => f < MIGRATION_014)) await fs.copyFile(path.join(MIGRATIONS_DIR, f), path.join(older, f));
  await migrate(url, { dir: older });

  const history = async () => (await db.query(
    `select id, operation::text as op, entity_type, entity_id from audit.ledger order by id`)).rows;
  await db.atomicWrite(async (tx) => {
    await tx.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('u1', 'u', '+15555550101', 'org_a')`);
    await tx.query(`update app.agents set nickname = 'before the upgrade' where agent_id = 'u1'`);
  }, { actor: 'upgrade-test', reason: 'fixture' });
  await db.atomicWrite((tx) => tx.query(`delete from app.agents where agent_id = 'u1'`), { actor: 'upgrade-test', reason: 'fixture' });
  const sealed = await sealLedger(db);
  t.ok(sealed.sealed >= 3, 'the old ledger is sealed');
  const before = await history();
  t.same(before.filter((r) => r.entity_id === 'u1').map((r) => r.op), ['create', 'update', 'delete']);

  // Exactly 014: later migrations' GRANTs and REVOKEs leave audit rows of their own.
  await fs.copyFile(path.join(MIGRATIONS_DIR, MIGRATION_014), path.join(older, MIGRATION_014));
  const { applied } = await migrate(url, { dir: older });
  t.same(applied, [MIGRATION_014], 'the upgrade applied 014');
  t.same(await history(), before, 'every row kept its operation');
  const v = await verifyLedger(db);
  t.ok(v.ok, 'the chain sealed before the upgrade still verifies');
  t.equal(v.head, sealed.head);

  // The re-attached triggers keep writing the same rows.
  await db.atomicWrite(async (tx) => {
    await tx.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('u2', 'u', '+15555550102', 'org_a')`);
    await tx.query(`update app.agents set nickname = 'after the upgrade' where agent_id = 'u2'`);
  }, { actor: 'upgrade-test', reason: 'fixture' });
  const after = (await history()).filter((r) => r.entity_id === 'u2');
  t.same(after.map((r) => [r.op, r.entity_type]), [['create', 'app.agents'], ['update', 'app.agents']]);
  await sealLedger(db);
  t.ok((await verifyLedger(db)).ok, 'old and new rows verify together');
});
