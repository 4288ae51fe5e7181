/**
 * What a backup promises, computed by PostgreSQL in the dump's own snapshot:
 * the migration state, a row count and a content hash of every table, the
 * audit chain head, and the outbox and reconcile state. The drill computes
 * the same on the restored database and names every difference.
 */
import type pg from 'pg';

export const MANIFEST_VERSION = 1;

export interface TableDigest {
  rows: number;
  /** md5 of the row count and the sum of every row's 64-bit md5 prefix: independent of row order. */
  hash: string;
}

export interface Manifest {
  version: number;
  created_at: string;
  /** host:port/database of the source (no credentials). */
  source: string;
  server_version: string;
  pg_dump: string;
  /** The dump file (beside the manifest) and its sha256. */
  dump: { file: string; sha256: string; bytes: number };
  migrations: { applied: { id: number; name: string; hash: string }[]; graphile_worker: number | null };
  tables: Record<string, TableDigest>;
  audit: { head: string | null; sealed: number; ledger_rows: number };
  outbox: Record<string, number>;
  reconcile: { last_run: number | null; status: string | null; versions: number };
}

export type DatabaseState = Omit<Manifest, 'version' | 'created_at' | 'source' | 'pg_dump' | 'dump'>;

// Every base or partitioned table outside the system schemas; a partition is
// counted through its parent, so partitioning a table does not change the list.
const TABLES_SQL = `
select format('%I.%I', n.nspname, c.relname) as name
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p') and not c.relispartition
   and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp)'
 order by 1`;

/** Row text depends on these settings; fixed so source and restore render rows alike. */
export const STABLE_SETTINGS = `set local timezone = 'UTC'; set local datestyle = 'ISO, YMD'; set local intervalstyle = 'postgres';
  set local extra_float_digits = 3; set local bytea_output = 'hex'`;

const digestSql = (table: string) => `
select count(*)::bigint as rows,
       md5(count(*)::text || ':' || coalesce(sum(('x' || left(md5(t::text), 16))::bit(64)::bigint::numeric), 0)::text) as hash
  from ${table} t`;

/** Digest of one table (`schema.table`, quoted as TABLES_SQL quotes it). */
export async function digestTable(client: pg.ClientBase, table: string): Promise<TableDigest> {
  const { rows: [r] } = await client.query(digestSql(table));
  return { rows: Number(r.rows), hash: r.hash };
}

const exists = async (client: pg.ClientBase, rel: string) =>
  (await client.query('select to_regclass($1) is not null as ok', [rel])).rows[0].ok as boolean;

/**
 * The state of the database `client` is connected to, inside the caller's
 * transaction (which must already have run STABLE_SETTINGS).
 */
export async function databaseState(client: pg.ClientBase, onTable?: (name: string) => void): Promise<DatabaseState> {
  const server = (await client.query('show server_version')).rows[0].server_version as string;
  const tables: Record<string, TableDigest> = {};
  for (const { name } of (await client.query(TABLES_SQL)).rows) {
    onTable?.(name);
    tables[name] = await digestTable(client, name);
  }
  const applied = (await exists(client, 'public.migrations'))
    ? (await client.query('select id, name, hash from public.migrations where id > 0 order by id')).rows.map((r) => ({ id: Number(r.id), name: r.name, hash: r.hash }))
    : [];
  const gw = (await exists(client, 'graphile_worker.migrations'))
    ? Number((await client.query('select max(id) as id from graphile_worker.migrations')).rows[0].id)
    : null;
  const audit = (await exists(client, 'audit.chain'))
    ? (await client.query(`select (select encode(chain_hash, 'hex') from audit.chain order by seq desc limit 1) as head,
                                  (select count(*)::int from audit.chain) as sealed,
                                  (select count(*)::int from audit.ledger) as ledger_rows`)).rows[0]
    : { head: null, sealed: 0, ledger_rows: 0 };
  const outbox: Record<string, number> = {};
  const reconcile = { last_run: null as number | null, status: null as string | null, versions: 0 };
  if (await exists(client, 'search.outbox')) {
    for (const r of (await client.query('select status, count(*)::int as n from search.outbox group by 1 order by 1')).rows) outbox[r.status] = r.n;
    const { rows: [last] } = await client.query('select id, status from search.reconcile_runs order by id desc limit 1');
    reconcile.last_run = last ? Number(last.id) : null;
    reconcile.status = last?.status ?? null;
    reconcile.versions = Number((await client.query('select count(*) as n from search.versions')).rows[0].n);
  }
  return { server_version: server, migrations: { applied, graphile_worker: gw }, tables, audit, outbox, reconcile };
}

/**
 * Every way `actual` differs from the manifest's promise, one sentence each
 * naming the table or the state that differs. Empty means they match.
 */
export function compareState(expected: DatabaseState, actual: DatabaseState): string[] {
  const out: string[] = [];
  for (const [name, e] of Object.entries(expected.tables)) {
    const a = actual.tables[name];
    if (!a) out.push(`${name}: in the manifest, missing from the restore`);
    else if (a.rows !== e.rows) out.push(`${name}: ${a.rows} rows restored, the manifest has ${e.rows}`);
    else if (a.hash !== e.hash) out.push(`${name}: content hash ${a.hash} restored, the manifest has ${e.hash} (same ${e.rows} rows, different content)`);
  }
  for (const name of Object.keys(actual.tables)) {
    if (!expected.tables[name]) out.push(`${name}: restored, not in the manifest`);
  }
  if (actual.audit.head !== expected.audit.head) out.push(`audit chain head ${actual.audit.head} restored, the manifest has ${expected.audit.head}`);
  const statuses = new Set([...Object.keys(expected.outbox), ...Object.keys(actual.outbox)]);
  for (const s of statuses) {
    if ((actual.outbox[s] ?? 0) !== (expected.outbox[s] ?? 0)) out.push(`search.outbox ${s}: ${actual.outbox[s] ?? 0} restored, the manifest has ${expected.outbox[s] ?? 0}`);
  }
  if (actual.reconcile.last_run !== expected.reconcile.last_run || actual.reconcile.status !== expected.reconcile.status) {
    out.push(`last reconcile run ${actual.reconcile.last_run} (${actual.reconcile.status}) restored, the manifest has ${expected.reconcile.last_run} (${expected.reconcile.status})`);
  }
  return out;
}
