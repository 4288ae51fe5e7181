/**
 * `ballast archive restore`: brings an archived range back for forensics, as
 * a table of its own in a separate schema (`archive_restore` by default),
 * loaded from the file and checked against the manifest's count and hash
 * before it commits. It never writes into a live table: a schema that holds
 * the archived table is refused, and so is a table that is already there.
 */
import type { Db } from '../db/index.ts';
import { readManifest } from './manifest.ts';
import type { ArchiveStore } from './store.ts';
import { loadArchive, quoteIdent } from './verify.ts';

export const RESTORE_SCHEMA = 'archive_restore';

export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
}

export interface Restored {
  table: string;
  rows: number;
}

export async function restoreArchive(db: Db, store: ArchiveStore, manifestKey: string,
  opts: { into?: string; actor: string }): Promise<Restored> {
  const m = await readManifest(store, manifestKey);
  const schema = opts.into ?? RESTORE_SCHEMA;
  if (schema === m.table.split('.')[0]) {
    throw new RestoreRefusedError(`refusing to restore into ${schema}, the schema of the live table ${m.table}: a restore never writes beside live rows (use --into <another schema>; the default is ${RESTORE_SCHEMA})`);
  }
  const name = m.partition.split('.').pop()!.replace(/"/g, '');
  const target = `${quoteIdent(schema)}.${quoteIdent(name)}`;
  return db.copyTransaction({ readOnly: false }, async (tx) => {
    const { rows: [s] } = await tx.query('select to_regnamespace($1) is not null as schema_exists, to_regclass($2) is not null as table_exists',
      [quoteIdent(schema), target]);
    if (!s.schema_exists) throw new RestoreRefusedError(`schema ${schema} does not exist (create it, or restore into ${RESTORE_SCHEMA})`);
    if (s.table_exists) throw new RestoreRefusedError(`${schema}.${name} already exists: this range is restored already (drop that table to restore it again)`);
    await loadArchive(tx, store, m, 'pg_temp.ballast_restore_rows');
    const cols = m.columns.map((c) => c.name);
    const { rows: [h] } = await tx.query(
      `select row_count, content_hash from ballast.archive_hash('pg_temp.ballast_restore_rows'::regclass, $1)`, [cols]);
    if (Number(h.row_count) !== m.row_count || h.content_hash !== m.content_hash) {
      throw new RestoreRefusedError(`the archive file holds ${h.row_count} rows hashing to ${h.content_hash}; its manifest says ${m.row_count}, ${m.content_hash}: not restored`);
    }
    await tx.query(`create table ${target} as table pg_temp.ballast_restore_rows`);
    await tx.query(`comment on table ${target} is ${tx.literal(`restored for forensics from ${store.location}/${m.file.key}: ${m.table} from ${m.range.from} to ${m.range.to}`)}`);
    await tx.query(`insert into ballast.archive_runs (at, table_name, partition_name, range_from, range_to, step, outcome, rows, detail)
                    values (now(), $1, $2, $3, $4, 'restore', 'succeeded', $5, $6)`,
    [m.table, m.partition, m.range.from, m.range.to, m.row_count, JSON.stringify({ into: `${schema}.${name}`, key: m.file.key, by: opts.actor })]);
    return { table: `${schema}.${name}`, rows: m.row_count };
  }, { actor: opts.actor });
}
