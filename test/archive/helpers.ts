/** A range-partitioned table of its own for each retention test, on fixed dates (never "today"). */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Db } from '../../lib/db/index.ts';

interface Teardownable { teardown(fn: () => unknown): void }

/** The tests' "now": partition ages are measured to it. */
export const NOW = new Date('2030-01-10T00:00:00Z');
export const DAY = 86_400_000;
export const day = (d: number): string => new Date(Date.UTC(2030, 0, d)).toISOString().slice(0, 10);

/**
 * `<schema>.events`, partitioned by day on `at`, with a partition for each of
 * `days` (January 2030) and a DEFAULT one, owned by ballast_partition_keeper (the gate
 * detaches and drops as the owner), readable by the worker; `rows` rows in
 * each partition (and one in the default), with JSON and text large enough
 * to be TOASTed. A retention policy for it: hot 1 day, warm 1 day, archive
 * and purge after 2 days.
 */
export async function eventsTable(db: Db, schema: string, days: number[], rows = 200): Promise<string> {
  const table = `${schema}.events`;
  await db.query(`create schema ${schema}`);
  await db.query(`create table ${table} (
    id bigint generated always as identity, at timestamptz not null, kind text not null, body jsonb, note text,
    primary key (id, at)) partition by range (at)`);
  for (const d of days) {
    // Names that say nothing of the range: bounds come from the catalog.
    await db.query(`create table ${schema}.part_${d}x partition of ${table} for values from ('${day(d)} 00:00+00') to ('${day(d + 1)} 00:00+00')`);
  }
  await db.query(`create table ${schema}.events_default partition of ${table} default`);
  // As 013 does for ballast's partitioned tables: the keeper owns them, and creates in their schema.
  await db.query(`alter table ${table} owner to ballast_partition_keeper`);
  for (const d of days) await db.query(`alter table ${schema}.part_${d}x owner to ballast_partition_keeper`);
  await db.query(`alter table ${schema}.events_default owner to ballast_partition_keeper`);
  await db.query(`grant usage on schema ${schema} to ballast_worker, ballast_forensics, ballast_owner`);
  await db.query(`grant usage, create on schema ${schema} to ballast_partition_keeper`);
  await db.query(`grant select on ${table} to ballast_worker, ballast_forensics`);
  for (const d of days) await fill(db, table, d, rows);
  await db.query(`insert into ${table} (at, kind, note) values ('1999-01-01 00:00+00', 'ancient', 'in the default partition')`);
  await db.query(`insert into ballast.retention_policies (table_name, hot_window, warm_window, archive_after, purge_after)
                  values ($1, '1 day', '1 day', '2 days', '2 days')`, [table]);
  return table;
}

/** `n` rows spread over day `d`. */
export async function fill(db: Db, table: string, d: number, n: number): Promise<void> {
  await db.query(`insert into ${table} (at, kind, body, note)
    select ($1 || ' 00:00+00')::timestamptz + (i * interval '1 second'), 'k' || (i % 7),
           jsonb_build_object('i', i, 'text', repeat('lorem ipsum dolor ' || i, 200)), repeat('note ' || i, 300)
      from generate_series(1, $2::int) i`, [day(d), n]);
}

/** The rows of one day as JSON text, in id order: what an archive must bring back. */
export async function rowsOf(db: Db, table: string, d: number): Promise<string[]> {
  const { rows } = await db.query(`select to_jsonb(e)::text as j from ${table} e where at >= ($1 || ' 00:00+00')::timestamptz and at < ($2 || ' 00:00+00')::timestamptz order by id`, [day(d), day(d + 1)]);
  return rows.map((r) => r.j);
}

/** A fresh directory for the test's archive store. */
export async function archiveDir(t: Teardownable): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-archive-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The bounded partitions of `table`, oldest first (the DEFAULT one left out). */
export const partitionsOf = async (db: Db, table: string): Promise<string[]> =>
  (await db.query(`select partition::text from ballast.partition_ranges($1::regclass) where not is_default order by lower_bound`, [table]))
    .rows.map((r) => r.partition);
