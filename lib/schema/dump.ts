/**
 * The committed schema dump (`sql/schema.sql`): what the migrations build,
 * as `pg_dump --schema-only` prints it, so every schema change shows in
 * review. CI rebuilds it on a fresh database and fails when it differs.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { migrate, MIGRATIONS_DIR } from '../db/index.ts';

const run = promisify(execFile);

/** Where the dump is committed. */
export const SCHEMA_FILE = path.join(path.dirname(MIGRATIONS_DIR), 'schema.sql');

export class SchemaDumpError extends Error {
  override name = 'SchemaDumpError';
}

/**
 * Lines that vary between machines and runs, not between schemas: version
 * banners, and the `\restrict` key pg_dump adds since 17.6/16.10/15.14.
 */
export function normalizeDump(text: string): string {
  return text
    .split('\n')
    .filter((l) => !/^\\(un)?restrict\b/.test(l) && !/^-- Dumped (from database|by pg_dump) version/.test(l))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trimEnd() + '\n';
}

const major = (versionNum: number) => Math.floor(versionNum / 10000);

/**
 * Migrates a scratch database on `adminUrl`'s server, dumps its schema with
 * `pgDump`, drops it, and returns the normalized dump. pg_dump must be at
 * least the server's major version.
 */
export async function dumpSchema(adminUrl: string, pgDump = 'pg_dump'): Promise<string> {
  const tool = await run(pgDump, ['--version']).catch(() => {
    throw new SchemaDumpError(`${pgDump} was not found; install the PostgreSQL client tools or set PG_DUMP to its path`);
  });
  const toolMajor = Number(/(\d+)(?:\.\d+)?/.exec(tool.stdout)?.[1]);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const name = `ballast_schema_${randomBytes(4).toString('hex')}`;
  try {
    const serverMajor = major(Number((await admin.query('show server_version_num')).rows[0].server_version_num));
    if (serverMajor > toolMajor) {
      throw new SchemaDumpError(
        `${pgDump} ${toolMajor} cannot dump a PostgreSQL ${serverMajor} server; set DATABASE_URL to a PostgreSQL ${toolMajor} server ` +
        `(CI uses the machine's PostgreSQL 15) or set PG_DUMP to pg_dump ${serverMajor}`);
    }
    await admin.query(`create database ${name}`);
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    await migrate(url.toString());
    // Dated partitions (<table>_pYYYYMMDD, _pYYYYMM) are made for the day the
    // migration ran (docs/retention.md), so the dump leaves them out: it shows
    // each partitioned table and its DEFAULT partition, which every day has.
    const { stdout } = await run(pgDump, ['--schema-only', '--no-owner', '--no-tablespaces',
      '--exclude-table', '*.*_p[0-9][0-9][0-9][0-9][0-9][0-9]*', '--dbname', url.toString()],
      { maxBuffer: 64 * 1024 * 1024 });
    return normalizeDump(stdout);
  } finally {
    await admin.query(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await admin.end();
  }
}

/** A short unified diff of two texts (first differing hunks only), or '' when equal. */
export function describeDrift(committed: string, fresh: string, maxLines = 40): string {
  if (committed === fresh) return '';
  const a = committed.split('\n');
  const b = fresh.split('\n');
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length - 1;
  let endB = b.length - 1;
  while (endA >= start && endB >= start && a[endA] === b[endB]) { endA--; endB--; }
  const out = [`@@ line ${start + 1} @@`];
  for (const l of a.slice(start, endA + 1)) out.push(`- ${l}`);
  for (const l of b.slice(start, endB + 1)) out.push(`+ ${l}`);
  return out.length > maxLines ? [...out.slice(0, maxLines), `... (${out.length - maxLines} more lines)`].join('\n') : out.join('\n');
}
