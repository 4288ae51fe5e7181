/**
 * Warm partitions are compressed: rewritten with lz4 TOAST compression where
 * the server was built with it, else pglz (ballast.compress_partition, which
 * checks the rewrite hashes the same as the original before the swap).
 */
import type { Db } from '../db/index.ts';
import type { PartitionRange } from './manifest.ts';

export type CompressionMethod = 'lz4' | 'pglz';

/** lz4 when the server offers it (built --with-lz4), else pglz. */
export async function compressionMethod(db: Db): Promise<CompressionMethod> {
  const { rows: [r] } = await db.query(`select 'lz4' = any (enumvals) as lz4 from pg_settings where name = 'default_toast_compression'`);
  return r?.lz4 ? 'lz4' : 'pglz';
}

export interface Compressed {
  method: CompressionMethod;
  rows: number;
  bytesBefore: number;
  bytesAfter: number;
  /** bytesBefore / bytesAfter: above 1 is smaller. */
  ratio: number;
}

export async function compressPartition(db: Db, p: PartitionRange, method: CompressionMethod, actor: string): Promise<Compressed> {
  const { rows: [r] } = await db.atomicWrite((tx) => tx.query(
    'select bytes_before, bytes_after, row_count from ballast.compress_partition($1::regclass, $2::regclass, $3)', [p.table, p.partition, method]),
  { actor });
  const bytesBefore = Number(r.bytes_before);
  const bytesAfter = Number(r.bytes_after);
  return { method, rows: Number(r.row_count), bytesBefore, bytesAfter, ratio: Math.round((bytesBefore / Math.max(bytesAfter, 1)) * 100) / 100 };
}
