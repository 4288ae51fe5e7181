/**
 * Step 3: verify an archive, at one of two depths (the policy's `verify`):
 *
 * - `file`: the file is read back from the store, its sha256 recomputed,
 *   unzipped, and its rows counted and checked for shape (copy-text.ts)
 *   without parsing a value. The rows' content is bound to the file by the
 *   export: the file and the content hash come from one snapshot.
 * - `rows`: the file is also loaded with COPY FROM into a temp table of the
 *   manifest's column types, and PostgreSQL recounts and rehashes the rows
 *   (ballast.archive_hash, the hash the export computed). This proves the
 *   file restores into exactly the archived rows, at the price of parsing
 *   every value again (about two COPYs: docs/performance.md).
 *
 * Both compare with the manifest and, while the partition is still there,
 * with the live partition's count and content hash: a row written after the
 * export shows as a difference.
 */
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { CopyTx, Db } from '../db/index.ts';
import { Digest } from './export.ts';
import type { Manifest } from './manifest.ts';
import type { ArchiveStore } from './store.ts';
import { CopyTextRows } from './copy-text.ts';

export type VerifyCheck = 'file_readable' | 'file_sha256' | 'row_count' | 'file_format' | 'content_hash' | 'live_partition' | 'manifest_matches_record';

/** How deep a verification goes (ballast.retention_policies.verify). */
export type VerifyDepth = 'file' | 'rows';
export const VERIFY_DEPTHS: readonly VerifyDepth[] = ['file', 'rows'];

export interface ArchiveVerification {
  ok: boolean;
  /** Each check, and what it found when it failed. */
  checks: { check: VerifyCheck; ok: boolean; detail?: string }[];
  rows: number | null;
  bytes: number | null;
  /** Whether the partition was still live and compared. */
  liveCompared: boolean;
  depth: VerifyDepth;
}

/** zlib's default 16 kB output chunk makes inflating several times slower than 1 MB chunks (docs/performance.md). */
const INFLATE_CHUNK = 1 << 20;

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
  await pipeline(await store.get(m.file.key), digest, createGunzip({ chunkSize: INFLATE_CHUNK }), tx.copyIn(`copy ${table} (${cols}) from stdin with (freeze)`));
  return { sha256: digest.hex(), bytes: digest.bytes };
}

/** Reads the file of `m` back from the store: its sha256, size, and rows counted and shape-checked. */
async function readBack(store: ArchiveStore, m: Manifest): Promise<{ sha256: string; bytes: number; rows: CopyTextRows }> {
  const digest = new Digest();
  const rows = new CopyTextRows(m.columns.length);
  await pipeline(await store.get(m.file.key), digest, createGunzip({ chunkSize: INFLATE_CHUNK }), rows);
  return { sha256: digest.hex(), bytes: digest.bytes, rows };
}

/**
 * Verifies the archive of `m` at `depth` (default `rows`); `record` is its
 * ballast.archives row's values, when there is one. `compareLive: false`
 * leaves the live partition to the purge that follows at once:
 * ballast.purge_partition compares it again anyway, under a lock, which is
 * the comparison that counts.
 */
export async function verifyArchive(db: Db, store: ArchiveStore, m: Manifest,
  record?: { row_count: number; content_hash: string; file_sha256: string } | null,
  opts: { compareLive?: boolean; depth?: VerifyDepth } = {}): Promise<ArchiveVerification> {
  const depth = opts.depth ?? 'rows';
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
  const cols = m.columns.map((c) => c.name);
  const fileChecks = (file: { sha256: string; bytes: number }, counted: number) => {
    bytes = file.bytes;
    rows = counted;
    check('file_readable', true);
    check('file_sha256', file.sha256 === m.file.sha256, `the file's sha256 is ${file.sha256}, the manifest says ${m.file.sha256}`);
    check('row_count', counted === m.row_count, `the file holds ${counted} rows, the manifest says ${m.row_count}`);
  };
  const live = async (tx: CopyTx) => {
    const { rows: [part] } = await tx.query(`
      select r.partition from ballast.partition_ranges(to_regclass($1)) r
       where to_regclass($1) is not null and r.partition = to_regclass($2) and r.lower_bound = $3 and r.upper_bound = $4`,
    [m.table, m.partition, m.range.from, m.range.to]);
    if (!part || opts.compareLive === false) return;
    liveCompared = true;
    const { rows: [l] } = await tx.query(
      'select row_count, content_hash from ballast.archive_hash($1::regclass, $2, $3, $4)', [m.table, cols, m.range.from, m.range.to]);
    check('live_partition', Number(l.row_count) === m.row_count && l.content_hash === m.content_hash,
      `the live partition holds ${l.row_count} rows hashing to ${l.content_hash}; the archive has ${m.row_count}, ${m.content_hash} (rows written or changed after the export)`);
  };
  try {
    if (depth === 'file') {
      const file = await readBack(store, m);
      fileChecks(file, file.rows.rows);
      const shape = file.rows;
      check('file_format', shape.misshapen === 0 && !shape.truncated, shape.truncated
        ? 'the file ends in the middle of a row (truncated)'
        : `${shape.misshapen} rows do not have the manifest's ${m.columns.length} columns (the first, row ${shape.firstMisshapen?.row}, has ${shape.firstMisshapen?.fields})`);
      await db.copyTransaction({ readOnly: true }, live);
    } else {
      await db.copyTransaction({ readOnly: false }, async (tx) => {
        const file = await loadArchive(tx, store, m, 'pg_temp.ballast_archive_rows');
        const { rows: [h] } = await tx.query(
          `select row_count, content_hash from ballast.archive_hash('pg_temp.ballast_archive_rows'::regclass, $1)`, [cols]);
        fileChecks(file, Number(h.row_count));
        check('content_hash', h.content_hash === m.content_hash, `the file's rows hash to ${h.content_hash}, the manifest says ${m.content_hash}`);
        await live(tx);
      });
    }
  } catch (e) {
    check('file_readable', false, `${store.location}/${m.file.key}: ${(e as Error).message}`);
  }
  return { ok: checks.every((c) => c.ok), checks, rows, bytes, liveCompared, depth };
}

/** The failed checks of a verification, as one line. */
export const verificationFailures = (v: ArchiveVerification): string =>
  v.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`).join('; ');
