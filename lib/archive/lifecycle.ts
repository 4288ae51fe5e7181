/**
 * One pass of retention over every enabled policy: for each range partition
 * of its table, by age (now minus the partition's upper bound):
 *
 *   hot                        left alone
 *   warm (hot_window to        compressed once (compress.ts)
 *   hot_window + warm_window)
 *   >= archive_after           held if it still holds live work, else
 *                              exported (export.ts) and verified (verify.ts,
 *                              as deep as the policy's `verify` says)
 *   >= purge_after, verified   purged (purge.ts, through the SQL gate)
 *
 * Every step writes its row in ballast.archive_runs. A failed export leaves
 * nothing behind and is tried again next pass (and still verified then); a
 * failed verification or purge marks the archive `failed`, which blocks the
 * partition: it is never retried into a purge until an operator verifies it
 * again or discards it (ops/runbooks/retention.md). The archive_failed alert
 * reads the failed rows.
 */
import type { Db } from '../db/index.ts';
import type { Logger } from '../log/index.ts';
import { compressionMethod, compressPartition, type CompressionMethod } from './compress.ts';
import { exportPartition } from './export.ts';
import type { Manifest, PartitionRange } from './manifest.ts';
import { purgeArchive } from './purge.ts';
import { recordStep, type StepRow } from './runs.ts';
import type { ArchiveStore } from './store.ts';
import { verificationFailures, verifyArchive, type VerifyDepth } from './verify.ts';

export interface RetentionOptions {
  /** The pass's "now": partition ages are measured to it (tests pass their own). */
  now: Date;
  /** The archive stores by name (store.ts `archiveStores`). */
  stores: Map<string, ArchiveStore>;
  actor: string;
  /** Only this table's policy. @defaultValue every enabled policy */
  table?: string;
  /** Steps taken in one pass, at most; the rest wait for the next. @defaultValue `50` */
  maxSteps?: number;
  log?: Logger;
}

export type RetentionCounts = Record<'taken' | 'compressed' | 'exported' | 'verified' | 'purged' | 'held' | 'failed' | 'blocked' | 'not_partitioned', number>;

interface PolicyRow { table_name: string; store: string; verify: VerifyDepth; partitioned: boolean; hot_s: number; warm_s: number; archive_s: number; purge_s: number }
interface ArchiveRow { id: number; status: string; key: string; file_sha256: string; row_count: number; content_hash: string; manifest: Manifest }

export async function runRetention(db: Db, opts: RetentionOptions): Promise<RetentionCounts> {
  const counts: RetentionCounts = { taken: 0, compressed: 0, exported: 0, verified: 0, purged: 0, held: 0, failed: 0, blocked: 0, not_partitioned: 0 };
  const maxSteps = opts.maxSteps ?? 50;
  const record = (r: Omit<StepRow, 'at'>) => recordStep(db, { ...r, at: opts.now }, opts.actor);
  const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
  /** Milliseconds since `start`, for each step's row. */
  const took = (start: number) => Math.round(performance.now() - start);
  let method: CompressionMethod | undefined;

  const { rows: policies } = await db.query<PolicyRow>(`
    select p.table_name, p.store, p.verify,
           ballast.partition_key(to_regclass(p.table_name)) is not null as partitioned,
           extract(epoch from p.hot_window)::float8 as hot_s, extract(epoch from p.warm_window)::float8 as warm_s,
           extract(epoch from p.archive_after)::float8 as archive_s, extract(epoch from p.purge_after)::float8 as purge_s
      from ballast.retention_policies p
     where p.enabled and ($1::text is null or p.table_name = $1)
     order by p.table_name`, [opts.table ?? null]);
  for (const policy of policies) {
    if (!policy.partitioned) {
      counts.not_partitioned++;
      continue;
    }
    const { rows: parts } = await db.query<Omit<PartitionRange, 'table'>>(`
      select format('%I.%I', n.nspname, c.relname) as partition, ballast.partition_key($1::regclass) as key_column,
             r.lower_bound as range_from, r.upper_bound as range_to
        from ballast.partition_ranges($1::regclass) r
        join pg_class c on c.oid = r.partition join pg_namespace n on n.oid = c.relnamespace
       where not r.is_default and r.lower_bound is not null and r.upper_bound is not null
       order by r.lower_bound`, [policy.table_name]);
    for (const part of parts) {
      if (counts.taken >= maxSteps) return counts;
      const p: PartitionRange = { table: policy.table_name, ...part };
      const age = (opts.now.getTime() - p.range_to.getTime()) / 1000;
      if (age < policy.hot_s) continue;
      let archive = await currentArchive(db, p);
      if (archive?.status === 'failed') {
        counts.blocked++;
        continue;
      }
      if (age < policy.archive_s) {
        if (age >= policy.hot_s + policy.warm_s || archive || await wasCompressed(db, p)) continue;
        counts.taken++;
        const t0 = performance.now();
        try {
          method ??= await compressionMethod(db);
          const c = await compressPartition(db, p, method, opts.actor);
          await record({ step: 'compress', outcome: 'succeeded', partition: p, rows: c.rows, bytes: c.bytesAfter,
            detail: { method: c.method, bytes_before: c.bytesBefore, bytes_after: c.bytesAfter, ratio: c.ratio, took_ms: took(t0) } });
          counts.compressed++;
        } catch (e) {
          await record({ step: 'compress', outcome: 'failed', partition: p, error: message(e) });
          counts.failed++;
        }
        continue;
      }
      const store = opts.stores.get(policy.store);
      if (!archive) {
        counts.taken++;
        const { rows: [hold] } = await db.query<{ reason: string | null }>(
          'select ballast.retention_hold($1::regclass, $2, $3) as reason', [p.table, p.range_from, p.range_to]);
        if (hold?.reason) {
          await record({ step: 'hold', outcome: 'held', partition: p, detail: { reason: hold.reason } });
          counts.held++;
          continue;
        }
        const t0 = performance.now();
        try {
          if (!store) throw new Error(`no archive store named ${policy.store} (ballast.retention_policies.store of ${p.table})`);
          const x = await exportPartition(db, store, p, { now: opts.now, actor: opts.actor });
          await record({ step: 'export', outcome: 'succeeded', partition: p, archive_id: x.archiveId, rows: x.manifest.row_count,
            bytes: x.manifest.file.bytes, detail: { key: x.manifest.file.key, store: store.name, content_hash: x.manifest.content_hash, took_ms: took(t0) } });
          counts.exported++;
          archive = await currentArchive(db, p);
        } catch (e) {
          await record({ step: 'export', outcome: 'failed', partition: p, error: message(e) });
          counts.failed++;
          continue;
        }
      }
      if (!archive || !store) continue;
      const purgeDue = age >= policy.purge_s;
      let justVerified = false;
      if (archive.status === 'exported') {
        counts.taken++;
        const t0 = performance.now();
        const v = await verifyArchive(db, store, archive.manifest, archive, { compareLive: !purgeDue, depth: policy.verify }).catch((e: unknown) => ({
          ok: false, checks: [{ check: 'file_readable' as const, ok: false, detail: message(e) }], rows: null, bytes: null, liveCompared: false,
          depth: policy.verify }));
        await db.atomicWrite((tx) => tx.query(
          `update ballast.archives set status = $2, verified_at = case when $2 = 'verified' then $3::timestamptz end where id = $1`,
          [archive!.id, v.ok ? 'verified' : 'failed', opts.now]), { actor: opts.actor });
        await record({ step: 'verify', outcome: v.ok ? 'succeeded' : 'failed', partition: p, archive_id: archive.id, rows: v.rows, bytes: v.bytes,
          detail: { depth: v.depth, checks: v.checks, live_compared: v.liveCompared ? 'at verify' : purgeDue ? 'at purge, under lock' : 'partition gone', took_ms: took(t0) }, error: v.ok ? null : verificationFailures(v) });
        if (!v.ok) {
          counts.failed++;
          continue;
        }
        counts.verified++;
        archive.status = 'verified';
        justVerified = true;
      }
      if (archive.status === 'verified' && purgeDue) {
        counts.taken++;
        const t0 = performance.now();
        try {
          const n = await purgeArchive(db, store, archive, opts.actor, { fileJustVerified: justVerified });
          await record({ step: 'purge', outcome: 'succeeded', partition: p, archive_id: archive.id, rows: n, detail: { took_ms: took(t0) } });
          counts.purged++;
        } catch (e) {
          await db.atomicWrite((tx) => tx.query(`update ballast.archives set status = 'failed' where id = $1 and status = 'verified'`, [archive!.id]),
            { actor: opts.actor });
          await record({ step: 'purge', outcome: 'failed', partition: p, archive_id: archive.id, error: message(e) });
          counts.failed++;
        }
      }
    }
  }
  opts.log?.debug({ counts }, 'retention pass finished');
  return counts;
}

async function currentArchive(db: Db, p: PartitionRange): Promise<ArchiveRow | undefined> {
  const { rows: [a] } = await db.query<ArchiveRow>(`
    select id, status, key, file_sha256, row_count, content_hash, manifest from ballast.archives
     where table_name = $1 and range_from = $2 and range_to = $3 and status <> 'discarded'`, [p.table, p.range_from, p.range_to]);
  return a;
}

async function wasCompressed(db: Db, p: PartitionRange): Promise<boolean> {
  const { rows: [r] } = await db.query(`
    select exists (select 1 from ballast.archive_runs where partition_name = $1 and range_from = $2 and range_to = $3
                     and step = 'compress' and outcome = 'succeeded') as done`, [p.partition, p.range_from, p.range_to]);
  return Boolean(r?.done);
}
