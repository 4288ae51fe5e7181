/**
 * `ballast migrate`: graphile-worker's schema first, then `sql/migrations/*.sql`
 * through postgres-migrations (each file in one transaction, hashed, never
 * edited once applied). A session-level advisory lock makes it safe for many
 * workers to migrate at the same moment: one does the work, the rest wait and
 * find nothing left to do.
 *
 * Before anything runs, the database's migration history is checked against
 * the files: a database whose applied migrations are not these files (one
 * migrated by the pre-release chain, or by an edited file) is refused whole,
 * never half-migrated.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import { loadMigrationFiles, migrate as runSqlMigrations } from 'postgres-migrations';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql/migrations');

// Arbitrary but fixed: "ballast" in ASCII.
const MIGRATE_LOCK_KEY = 0x62616c6c617374n;

/**
 * Migrations of the pre-release chain (001-014, before the baseline) that the
 * baseline does not have. Its 001-007 share the baseline's names but not their
 * hashes.
 */
const PRE_BASELINE_NAMES = new Set([
  'audit_fast_helpers', 'ledger_fast_path', 'audit_fast_path', 'audit_writer_role',
  'ledger_format_domains', 'audit_lean_triggers', 'audit_cheaper_rows',
]);

/** The database's applied migrations are not the files: nothing was run. */
export class MigrationHistoryError extends Error {
  override name = 'MigrationHistoryError';
}

export interface MigrateResult {
  /** Names of the ballast migrations applied by this call. */
  applied: string[];
}

export async function migrate(
  connectionString: string,
  opts: {
    log?: (msg: string) => void;
    /** Where the SQL migrations are (default sql/migrations); upgrade tests apply an older set first. */
    dir?: string;
  } = {},
): Promise<MigrateResult> {
  const client = new pg.Client({ connectionString, application_name: 'ballast migrate' });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATE_LOCK_KEY.toString()]);
    const dir = opts.dir ?? MIGRATIONS_DIR;
    await checkHistory(client, dir);
    const pool = new pg.Pool({ connectionString, max: 2 });
    pool.on('error', () => undefined);
    pool.on('connect', (c) => c.on('error', () => undefined));
    try {
      await runWorkerMigrations({
        pgPool: pool,
        logger: new Logger(() => (level, message) => {
          if (level === 'error') opts.log?.(message);
        }),
      });
    } finally {
      await pool.end();
    }
    // postgres-migrations looks for any table named "migrations" in any schema,
    // and graphile-worker has one; create ours first (its own DDL) so the
    // lookup finds the right one.
    await client.query(`create table if not exists public.migrations (
      id integer primary key, name varchar(100) unique not null,
      hash varchar(40) not null, executed_at timestamp default current_timestamp)`);
    const applied = await runSqlMigrations({ client }, dir, { logger: () => undefined });
    const ours = applied.filter((m) => m.id > 0);
    for (const m of ours) opts.log?.(`applied ${m.fileName}`);
    return { applied: ours.map((m) => m.fileName) };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY.toString()]).catch(() => undefined);
    await client.end();
  }
}

/**
 * Refuses a database whose applied migrations differ from the files in `dir`
 * (a different name or hash for the same number). Rows numbered past the last
 * file were applied by a newer ballast and are left alone, as
 * postgres-migrations does; rows of the pre-release chain are always refused.
 */
async function checkHistory(client: pg.Client, dir: string): Promise<void> {
  const { rows: [t] } = await client.query(`select to_regclass('public.migrations') is not null as present`);
  if (!t.present) return;
  const files = new Map((await loadMigrationFiles(dir)).map((f) => [f.id, f]));
  const last = Math.max(...files.keys());
  const { rows } = await client.query<{ id: number; name: string; hash: string }>(
    'select id, name, hash from public.migrations where id > 0 order by id');
  const preBaseline = rows.some((r) => PRE_BASELINE_NAMES.has(r.name));
  const stray = rows.filter((r) => {
    const f = files.get(r.id);
    return r.id <= last && (!f || f.name !== r.name || f.hash !== r.hash);
  });
  if (!preBaseline && stray.length === 0) return;
  if (preBaseline) {
    throw new MigrationHistoryError(
      'this database was migrated by the pre-release migrations of ballast 0.1.0 (001 to 014, replaced by the baseline ' +
      'schema), which cannot be upgraded in place; nothing was changed. Drop and recreate the database and run ' +
      '`ballast migrate` (for the embedded server, delete ./.ballast/), or, to keep its data, migrate a fresh database ' +
      'with this version and restore a data-only dump into it.');
  }
  const which = stray.map((r) => {
    const f = files.get(r.id);
    return !f ? `${r.id} ${r.name} (no such file)` : f.name !== r.name ? `${r.id} ${r.name} (the file is ${f.fileName})` : `${f.fileName} (edited after it was applied)`;
  });
  throw new MigrationHistoryError(
    `this database's applied migrations differ from ${dir}: ${which.join(', ')}; nothing was changed. An applied ` +
    'migration is never edited: restore it and add a new migration instead. A scratch database can be dropped and recreated.');
}
