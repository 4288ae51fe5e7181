/**
 * `ballast migrate`: graphile-worker's schema first, then `sql/migrations/*.sql`
 * through postgres-migrations (each file in one transaction, hashed, never
 * edited once applied). A session-level advisory lock makes it safe for many
 * workers to migrate at the same moment: one does the work, the rest wait and
 * find nothing left to do.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import { migrate as runSqlMigrations } from 'postgres-migrations';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql/migrations');

// Arbitrary but fixed: "ballast" in ASCII.
const MIGRATE_LOCK_KEY = 0x62616c6c617374n;

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
    const applied = await runSqlMigrations({ client }, opts.dir ?? MIGRATIONS_DIR, { logger: () => undefined });
    const ours = applied.filter((m) => m.id > 0);
    for (const m of ours) opts.log?.(`applied ${m.fileName}`);
    return { applied: ours.map((m) => m.fileName) };
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATE_LOCK_KEY.toString()]).catch(() => undefined);
    await client.end();
  }
}
