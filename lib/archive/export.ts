/**
 * Step 1-2 of the lifecycle: export one partition. In one REPEATABLE READ,
 * read-only snapshot: the content hash and count of its rows (computed by
 * PostgreSQL, ballast.archive_hash), for the audit ledger the chain around
 * it, then `COPY (...) TO STDOUT` streamed through gzip into the store, with
 * the file's sha256 taken on the way. The manifest goes beside the file and
 * into ballast.archives (status `exported`).
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { CopyTx, Db } from '../db/index.ts';
import { archiveKey, manifestKey, type Manifest, type PartitionRange } from './manifest.ts';
import type { ArchiveStore } from './store.ts';

/** Counts and hashes the bytes that pass through it. */
export class Digest extends Transform {
  readonly hash = createHash('sha256');
  bytes = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null, c?: Buffer) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    done(null, chunk);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

/** The archived columns of `table`, quoted, with their types, in table order. */
export async function archiveColumns(tx: Pick<CopyTx, 'query'>, table: string): Promise<{ name: string; type: string; quoted: string }[]> {
  const { rows } = await tx.query(`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type, quote_ident(a.attname) as quoted
      from pg_attribute a
     where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
     order by a.attnum`, [table]);
  return rows;
}

/** The COPY that streams one partition's rows, through its parent (COPY takes no parameters: literals are quoted). */
export function copyPartitionSql(tx: Pick<CopyTx, 'literal'>, p: PartitionRange, quotedColumns: string[]): string {
  const key = `"${p.key_column.replace(/"/g, '""')}"`;
  const from = `${tx.literal(p.range_from.toISOString())}::timestamptz`;
  const to = `${tx.literal(p.range_to.toISOString())}::timestamptz`;
  return `copy (select ${quotedColumns.join(', ')} from ${p.table} where ${key} >= ${from} and ${key} < ${to}) to stdout`;
}

export interface ExportOptions {
  /** When the export happens (the manifest's exported_at). */
  now: Date;
  actor: string;
  /** gzip level: 1 is fast and still shrinks COPY text several times. @defaultValue `1` */
  gzipLevel?: number;
}

export interface Exported {
  archiveId: number;
  manifest: Manifest;
}

export async function exportPartition(db: Db, store: ArchiveStore, p: PartitionRange, opts: ExportOptions): Promise<Exported> {
  const key = archiveKey(p, opts.now);
  const manifest = await db.copyTransaction({ readOnly: true }, async (tx): Promise<Manifest> => {
    const columns = await archiveColumns(tx, p.table);
    const quoted = columns.map((c) => c.quoted);
    const { rows: [h] } = await tx.query(
      'select row_count, content_hash from ballast.archive_hash($1::regclass, $2, $3, $4)',
      [p.table, columns.map((c) => c.name), p.range_from, p.range_to]);
    const { rows: [v] } = await tx.query(`select format('%s_%s', id, name) as name from public.migrations order by id desc limit 1`);
    const ledger = p.table === 'audit.ledger' ? await ledgerSpan(tx, p) : undefined;
    const digest = new Digest();
    const sink = new PassThrough();
    // A store that fails ends the COPY too, or it would wait on a reader that is gone.
    const stored = store.put(key, sink).catch((e: unknown) => { sink.destroy(e as Error); throw e; });
    await Promise.all([
      pipeline(tx.copyOut(copyPartitionSql(tx, p, quoted)), createGzip({ level: opts.gzipLevel ?? 1, chunkSize: 1 << 20 }), digest, sink),
      stored,
    ]);
    return {
      format: 'ballast-archive/1', table: p.table, partition: p.partition, key_column: p.key_column,
      range: { from: p.range_from.toISOString(), to: p.range_to.toISOString() },
      columns: columns.map(({ name, type }) => ({ name, type })),
      row_count: Number(h.row_count),
      file: { key, bytes: digest.bytes, sha256: digest.hex(), encoding: 'postgresql-copy-text+gzip' },
      content_hash: h.content_hash, schema_version: v?.name ?? 'none',
      exported_at: opts.now.toISOString(), store: store.name,
      ...(ledger ? { ledger } : {}),
    };
  });
  await store.put(manifestKey(key), `${JSON.stringify(manifest, null, 2)}\n`);
  const { rows: [a] } = await db.atomicWrite((tx) => tx.query<{ id: number }>(`
    insert into ballast.archives (table_name, partition_name, range_from, range_to, store, key, row_count, bytes, file_sha256,
                                  content_hash, schema_version, first_ledger_id, last_ledger_id, first_chain_hash, last_chain_hash,
                                  exported_at, manifest)
    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) returning id`,
  [p.table, p.partition, p.range_from, p.range_to, store.name, key, manifest.row_count, manifest.file.bytes, manifest.file.sha256,
    manifest.content_hash, manifest.schema_version, manifest.ledger?.first_ledger_id ?? null, manifest.ledger?.last_ledger_id ?? null,
    manifest.ledger?.first_chain_hash ?? null, manifest.ledger?.last_chain_hash ?? null, opts.now, JSON.stringify(manifest)]),
  { actor: opts.actor });
  return { archiveId: a!.id, manifest };
}

/** The ledger ids of an audit.ledger partition and the chain positions and hashes of its first and last rows. */
async function ledgerSpan(tx: CopyTx, p: PartitionRange): Promise<Manifest['ledger']> {
  const key = `"${p.key_column.replace(/"/g, '""')}"`;
  const { rows: [r] } = await tx.query(`
    with part as (select l.id from audit.ledger l where l.${key} >= $1::timestamptz and l.${key} < $2::timestamptz),
         span as (select min(c.seq) as first_seq, max(c.seq) as last_seq from audit.chain c join part on part.id = c.ledger_id)
    select (select min(id) from part) as first_ledger_id, (select max(id) from part) as last_ledger_id, s.first_seq, s.last_seq,
           encode((select chain_hash from audit.chain where seq = s.first_seq), 'hex') as first_chain_hash,
           encode((select chain_hash from audit.chain where seq = s.last_seq), 'hex') as last_chain_hash
      from span s`, [p.range_from, p.range_to]);
  return r.first_ledger_id == null ? undefined : r;
}
