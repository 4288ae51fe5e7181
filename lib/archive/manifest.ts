/**
 * The manifest of an archive: a JSON file beside the gzipped COPY file in the
 * store, and the same document in `ballast.archives.manifest`. Everything a
 * verification or a restore needs is in it, so neither depends on the live
 * table still existing.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ArchiveStore } from './store.ts';

/** One range partition of a table under retention, as the catalog gives it (ballast.partition_ranges, 013). */
export interface PartitionRange {
  /** The partitioned table, `schema.table`. */
  table: string;
  /** The partition, `schema.name`. */
  partition: string;
  /** The partition key column. */
  key_column: string;
  /** The partition's bounds: [range_from, range_to). */
  range_from: Date;
  range_to: Date;
}

export interface Manifest {
  format: 'ballast-archive/1';
  table: string;
  partition: string;
  key_column: string;
  range: { from: string; to: string };
  /** The archived columns, in file order, with their types (format_type). */
  columns: { name: string; type: string }[];
  row_count: number;
  file: { key: string; bytes: number; sha256: string; encoding: 'postgresql-copy-text+gzip' };
  /** ballast.archive_hash() of the rows, computed in the snapshot the file was copied in. */
  content_hash: string;
  /** The last migration applied at export. */
  schema_version: string;
  exported_at: string;
  store: string;
  /** audit.ledger only: its ledger ids and the chain around it. */
  ledger?: {
    first_ledger_id: number; last_ledger_id: number;
    first_seq: number; last_seq: number;
    first_chain_hash: string; last_chain_hash: string;
  };
}

export const MANIFEST_SUFFIX = '.manifest.json';

/**
 * The file's key: `<table>/<partition>.<from>.<exported at>-<random>.copy.gz`.
 * Never reused: a range exported again (after a discard, or rows that came
 * back to a purged range) gets a file of its own, beside the first.
 */
export function archiveKey(p: PartitionRange, exportedAt: Date): string {
  const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  const name = p.partition.replace(/"/g, '');
  return `${p.table.replace(/"/g, '')}/${name}.${stamp(p.range_from)}.${stamp(exportedAt)}-${randomBytes(3).toString('hex')}.copy.gz`;
}

export const manifestKey = (fileKey: string): string => `${fileKey}${MANIFEST_SUFFIX}`;

/** Reads and checks the shape of a manifest (`key` is the manifest's own key). */
export async function readManifest(store: ArchiveStore, key: string): Promise<Manifest> {
  const text = await readAll(await store.get(key));
  let m: Manifest;
  try {
    m = JSON.parse(text.toString('utf8'));
  } catch {
    throw new Error(`${store.location}/${key} is not a JSON manifest`);
  }
  if (m?.format !== 'ballast-archive/1' || !m.file?.key || !Array.isArray(m.columns)) {
    throw new Error(`${store.location}/${key} is not a ballast archive manifest (format ballast-archive/1)`);
  }
  return m;
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}
