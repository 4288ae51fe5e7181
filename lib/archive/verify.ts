/**
 * Step 3: verify an archive. The file is read back from the store (its
 * sha256 recomputed), unzipped and loaded with COPY FROM into a temp table,
 * and PostgreSQL recounts and rehashes the rows (ballast.archive_hash, the
 * hash the export computed). Both are compared with the manifest and, while
 * the partition is still there, with the live partition, in the same
 * snapshot: a row written after the export shows as a difference.
 */
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { CopyTx, Db } from '../db/index.ts';
import { Digest } from './export.ts';
import type { Manifest } from './manifest.ts';
import type { ArchiveStore } from './store.ts';

export type VerifyCheck = 'file_readable' | 'file_sha256' | 'row_count' | 'content_hash' | 'live_partition' | 'manifest_matches_record';

export interface ArchiveVerification {
  ok: boolean;
  /** Each check, and what it found when it failed. */
  checks: { check: VerifyCheck; ok: boolean; detail?: string }[];
  rows: number | null;
  bytes: number | null;
  /** Whether the partition was still live and compared. */
  liveCompared: boolean;
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** The manifest's columns as a temp table definition; each type is checked to be one the server knows. */
async function columnDefinitions(tx: CopyTx, m: Manifest): Promise<string> {
  const defs: string[] = [];
  for (const c of m.columns) {
    const { rows: [t] } = await tx.query('select to_regtype($1)::text as type', [c.type]);
    if (!t?.type) throw new Error(`manifest column ${c.name} has type ${c.type}, which the server does not know`);
    defs.push(`${quoteIdent(c.name)} ${t.type}`);
  }
  return defs.join(', ');
}

/**
 * Loads the archive file of `m` into the temp table `table` (created here
 * with the manifest's column types, dropped at commit) in `tx`; returns the
 * file's sha256 and size.
 */
export async function loadArchive(tx: CopyTx, store: ArchiveStore, m: Manifest, table: string): Promise<{ sha256: string; bytes: number }> {
  await tx.query(`create temp table ${table} (${await columnDefinitions(tx, m)}) on commit drop`);
  const digest = new Digest();
  const cols = m.columns.map((c) => quoteIdent(c.name)).join(', ');
  await pipeline(await store.get(m.file.key), digest, createGunzip(), tx.copyIn(`copy ${table} (${cols}) from stdin with (freeze)`));
  return { sha256: digest.hex(), bytes: digest.bytes };
}

/**
 * Verifies the archive of `m`; `record` is its ballast.archives row's values,
 * when there is one. `compareLive: false` leaves the live partition to the
 * purge that follows at once: ballast.purge_partition compares it again
 * anyway, under a lock, which is the comparison that counts.
 */
export async function verifyArchive(db: Db, store: ArchiveStore, m: Manifest,
  record?: { row_count: number; content_hash: string; file_sha256: string } | null,
  opts: { compareLive?: boolean } = {}): Promise<ArchiveVerification> {
  const checks: ArchiveVerification['checks'] = [];
  const check = (c: VerifyCheck, ok: boolean, detail?: string) => checks.push({ check: c, ok, ...(ok ? {} : { detail }) });
  if (record) {
    const same = Number(record.row_count) === m.row_count && record.content_hash === m.content_hash && record.file_sha256 === m.file.sha256;
    check('manifest_matches_record', same, same ? undefined
      : `the manifest in the store (${m.row_count} rows, ${m.content_hash}, sha256 ${m.file.sha256}) differs from ballast.archives (${record.row_count} rows, ${record.content_hash}, sha256 ${record.file_sha256})`);
  }
  let rows: number | null = null;
  let bytes: number | null = null;
  let liveCompared = false;
  try {
    await db.copyTransaction({ readOnly: false }, async (tx) => {
      const file = await loadArchive(tx, store, m, 'pg_temp.ballast_archive_rows');
      bytes = file.bytes;
      check('file_readable', true);
      check('file_sha256', file.sha256 === m.file.sha256, `the file's sha256 is ${file.sha256}, the manifest says ${m.file.sha256}`);
      const cols = m.columns.map((c) => c.name);
      const { rows: [h] } = await tx.query(
        `select row_count, content_hash from ballast.archive_hash('pg_temp.ballast_archive_rows'::regclass, $1)`, [cols]);
      rows = Number(h.row_count);
      check('row_count', rows === m.row_count, `the file holds ${rows} rows, the manifest says ${m.row_count}`);
      check('content_hash', h.content_hash === m.content_hash, `the file's rows hash to ${h.content_hash}, the manifest says ${m.content_hash}`);
      const { rows: [live] } = await tx.query(`
        select r.partition from ballast.partition_ranges(to_regclass($1)) r
         where to_regclass($1) is not null and r.partition = to_regclass($2) and r.lower_bound = $3 and r.upper_bound = $4`,
      [m.table, m.partition, m.range.from, m.range.to]);
      if (live && opts.compareLive !== false) {
        liveCompared = true;
        const { rows: [l] } = await tx.query(
          'select row_count, content_hash from ballast.archive_hash($1::regclass, $2, $3, $4)',
          [m.table, cols, m.range.from, m.range.to]);
        check('live_partition', l.row_count === m.row_count && l.content_hash === m.content_hash,
          `the live partition holds ${l.row_count} rows hashing to ${l.content_hash}; the archive has ${m.row_count}, ${m.content_hash} (rows written or changed after the export)`);
      }
    });
  } catch (e) {
    check('file_readable', false, `${store.location}/${m.file.key}: ${(e as Error).message}`);
  }
  return { ok: checks.every((c) => c.ok), checks, rows, bytes, liveCompared };
}

/** The failed checks of a verification, as one line. */
export const verificationFailures = (v: ArchiveVerification): string =>
  v.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`).join('; ');
