/**
 * The upgrade test of a migration. Migrations are forward-only: each new one
 * ships with a test that a database holding rows written before it keeps them
 * (and keeps working) after it. The pattern:
 *
 *   const up = await databaseBefore(t, '008_retention.sql');
 *   // up.db is migrated through every file before 008: write rows as an
 *   // older ballast would have.
 *   await up.db.query(`insert into ...`);
 *   t.same(await up.apply(), ['008_retention.sql']);
 *   // assert on the rows, and that the new schema works with them.
 *
 * The database is created on the test cluster (empty, not from the template)
 * and dropped, with its pool closed, when the test ends.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Db, migrate, MIGRATIONS_DIR } from '../../lib/db/index.ts';
import { readCluster, withDatabase } from './cluster.ts';

interface Teardownable { teardown(fn: () => unknown): void }

export interface DatabaseBefore {
  /** Connection string (the cluster's superuser). */
  url: string;
  /** A pool on the database, migrated through the file before `migration`. */
  db: Db;
  /**
   * Applies `migration` alone (later files have upgrade tests of their own,
   * so this test keeps its meaning as the chain grows); returns the files applied.
   */
  apply(): Promise<string[]>;
}

/**
 * A fresh database migrated with every file of sql/migrations that sorts
 * before `migration` (a file name, e.g. '008_retention.sql', which must exist).
 */
export async function databaseBefore(t: Teardownable, migration: string): Promise<DatabaseBefore> {
  const files = (await fs.readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort();
  if (!files.includes(migration)) throw new Error(`no migration ${migration} in ${MIGRATIONS_DIR}`);
  const older = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-migrations-'));
  for (const f of files.filter((f) => f < migration)) await fs.copyFile(path.join(MIGRATIONS_DIR, f), path.join(older, f));

  const { url, drop } = await emptyDatabase('ballast_t_upgrade');
  const db = new Db({ connectionString: url, max: 4 });
  t.teardown(async () => {
    await db.close();
    await drop();
    await fs.rm(older, { recursive: true, force: true });
  });
  await migrate(url, { dir: older });
  return {
    url, db,
    apply: async () => {
      await fs.copyFile(path.join(MIGRATIONS_DIR, migration), path.join(older, migration));
      return (await migrate(url, { dir: older })).applied;
    },
  };
}

/** An empty database on the test cluster (no migrations); `drop` removes it. */
export async function emptyDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const cluster = await readCluster();
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const drop = async () => {
    const a = new pg.Client({ connectionString: cluster.adminUrl });
    await a.connect();
    await a.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await a.end();
  };
  return { url: withDatabase(cluster.adminUrl, name), drop };
}

/** The ballast roles whose table privileges an upgrade must keep. */
export const BALLAST_ROLES = ['ballast_owner', 'ballast_worker', 'ballast_ingest', 'ballast_forensics', 'ballast_audit_writer'];

/**
 * What a migration that rebuilds `table` must put back: each ballast role's
 * table privileges, the triggers, the indexes' names, the column comments and
 * the audit registration (gated, key and redacted columns).
 */
export async function tableShape(db: Pick<Db, 'query'>, table: string) {
  const { rows: privs } = await db.query<{ rolname: string; priv: string; can: boolean }>(`
    select r.rolname, p.priv, has_table_privilege(r.rolname, $1, p.priv) as can
      from unnest($2::text[]) r(rolname) cross join unnest(array['select', 'insert', 'update', 'delete', 'truncate']) p(priv)
     order by 1, 2`, [table, BALLAST_ROLES]);
  const { rows: [meta] } = await db.query(`
    select array(select pg_get_triggerdef(oid) from pg_trigger where tgrelid = $1::regclass and not tgisinternal order by tgname) as triggers,
           array(select c.relname::text from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = $1::regclass order by 1) as indexes,
           array(select format('%s=%s', attname, col_description($1::regclass, attnum)) from pg_attribute
                  where attrelid = $1::regclass and col_description($1::regclass, attnum) is not null order by 1) as column_comments,
           (select row(gated, key_columns, redact_columns)::text from audit.tracked_tables where relid = $1::regclass) as audit`, [table]);
  return { privs, triggers: meta.triggers as string[], indexes: meta.indexes as string[], columnComments: meta.column_comments as string[], audit: meta.audit as string };
}
