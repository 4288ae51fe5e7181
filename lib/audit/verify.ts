/**
 * `ballast audit verify`: recomputes every sealed row's hash from the ledger
 * as it is now and walks the chain, reporting the first row that does not
 * match. Catches edits made with triggers disabled (even by a superuser),
 * deleted rows, rows slipped into the sealed range, and chain edits. A full
 * rewrite of ledger and chain together is caught only against a head hash
 * kept elsewhere (`--expect-head`, see ops/runbooks/audit-forensics.md).
 * Rows not sealed yet are outside what it can vouch for: it reports that
 * window (audit.unsealed_window), its size and its age.
 *
 * Ledger partitions that retention archived and purged are no longer in the
 * ledger; their chain positions are still walked (the chain keeps each row's
 * hash), and counted as `archived`. With `archive` (`--archive <dir>`), the
 * archived segments are loaded from the store and every archived row is
 * rehashed too, so the segments and the live ledger are checked as one chain.
 */
import { createHash } from 'node:crypto';
import type { Db, Tx } from '../db/index.ts';
import { loadArchiveSegments, type LedgerSegment } from './archived.ts';
import type { ArchiveStore } from '../archive/index.ts';

export type VerifyProblem =
  | 'row_modified'        // ledger row differs from its sealed hash
  | 'row_missing'         // a sealed ledger row is gone
  | 'row_inserted'        // an unsealed row sits inside the sealed range
  | 'chain_broken'        // the stored chain hash is not the hash of its predecessor and row
  | 'sequence_gap'        // chain positions skip
  | 'seal_mismatch'       // a seal's head hash differs from the chain at that point
  | 'head_mismatch'       // the chain head differs from the expected (externally kept) head
  | 'archive_tampered'    // an archived segment's file differs from its manifest, or cannot be read
  | 'archive_missing';    // a sealed row was archived and purged, and no segment given holds it

export interface VerifyResult {
  ok: boolean;
  /** Sealed rows checked. */
  checked: number;
  /** Ledger rows not sealed yet (after the chain's last position): verify cannot vouch for them. */
  unsealed: number;
  /** When the oldest unsealed row was written; null when every row is sealed. */
  oldestUnsealedAt: Date | null;
  /** Seconds from the oldest unsealed row to `now`; null when every row is sealed. */
  unsealedAgeSeconds: number | null;
  head: string | null;
  /** Sealed rows whose ledger partition was archived and purged: rehashed from the archive with `archive`, else only chained. */
  archived: number;
  problem?: { kind: VerifyProblem; seq?: number; ledger_id?: number; message: string };
}

export interface VerifyOptions {
  batchSize?: number;
  /** Head hash recorded elsewhere earlier; the chain must contain it. */
  expectHead?: string;
  onProgress?: (checked: number, total: number) => void;
  /** The time the unsealed window's age is measured to. @defaultValue the database's `now()` */
  now?: Date;
  /** The store holding archived ledger segments: their rows are rehashed into the chain. */
  archive?: ArchiveStore;
}

// A page of the chain, then its ledger rows. The ledger is partitioned by
// occurred_at, which the chain does not hold: bounding the lookup by the
// page's range of ledger ids lets each partition's key index answer once per
// page, instead of once per chain row.
const PAGE = (archived: boolean) => `
with c as materialized (
  select seq, ledger_id, row_hash, chain_hash, seal_id from audit.chain where seq > $1 order by seq limit $2)
select c.seq, c.ledger_id, c.row_hash, c.chain_hash, c.seal_id,
       case when l.id is not null then audit.row_hash(l)
            ${archived ? 'when a.id is not null then audit.row_hash(row(a.*)::audit.ledger)' : ''} end as actual,
       l.id is null ${archived ? 'and a.id is null' : ''} as missing, l.id is not null as live
  from c left join audit.ledger l on l.id = c.ledger_id
   and l.id between (select min(ledger_id) from c) and (select max(ledger_id) from c)
  ${archived ? 'left join pg_temp.archived_ledger a on a.id = c.ledger_id' : ''}
 order by c.seq`;

export async function verifyLedger(db: Db, opts: VerifyOptions = {}): Promise<VerifyResult> {
  if (!opts.archive) return db.readOnly((tx) => walk(tx, opts, null));
  const store = opts.archive;
  return db.copyTransaction({ readOnly: false }, async (tx) => {
    const segments = await loadArchiveSegments(tx, store);
    if ('problem' in segments) {
      return { ok: false, checked: 0, unsealed: 0, oldestUnsealedAt: null, unsealedAgeSeconds: null, head: null, archived: 0, problem: segments.problem };
    }
    return walk(tx, opts, segments.segments);
  });
}

async function walk(tx: Pick<Tx, 'query'>, opts: VerifyOptions, segments: LedgerSegment[] | null): Promise<VerifyResult> {
  const batch = opts.batchSize ?? 5000;
  const { rows: [win] } = await tx.query(
    `select unsealed::int, oldest_at, extract(epoch from coalesce($1::timestamptz, now()) - oldest_at)::float8 as age
       from audit.unsealed_window`, [opts.now ?? null]);
  const window = { unsealed: win.unsealed, oldestUnsealedAt: win.oldest_at, unsealedAgeSeconds: win.age };
  const { rows: [{ total }] } = await tx.query('select count(*)::int as total from audit.chain');
  const seals = new Map<number, string>();
  for (const s of (await tx.query('select last_seq, head_hash from audit.seals')).rows) seals.set(Number(s.last_seq), s.head_hash);
  // Ledger ids of archived (and purged) partitions, from ballast.archives (none before 014_retention).
  const { rows: [{ retention }] } = await tx.query(`select to_regclass('ballast.archives') is not null as retention`);
  const { rows: purged } = retention ? await tx.query(`
    select first_ledger_id::float8 as first, last_ledger_id::float8 as last, key from ballast.archives
     where table_name = 'audit.ledger' and status = 'purged' and first_ledger_id is not null`) : { rows: [] };
  const purgedHolding = (id: number) => purged.find((a) => a.first <= id && id <= a.last);
  let prev: Buffer = Buffer.alloc(0);
  let seq = 0;
  let checked = 0;
  let archived = 0;
  let expectedFound = !opts.expectHead;
  const fail = (kind: VerifyProblem, message: string, at: { seq?: number; ledger_id?: number } = {}): VerifyResult =>
    ({ ok: false, checked, ...window, head: prev.length ? prev.toString('hex') : null, archived, problem: { kind, message, ...at } });
  for (;;) {
    const { rows } = await tx.query(PAGE(segments !== null), [seq, batch]);
    for (const r of rows) {
      const at = { seq: Number(r.seq), ledger_id: Number(r.ledger_id) };
      if (at.seq !== seq + 1) return fail('sequence_gap', `chain jumps from position ${seq} to ${at.seq}`, at);
      const segment = segments?.find((g) => g.first <= at.ledger_id && at.ledger_id <= g.last);
      const archive = purgedHolding(at.ledger_id);
      if (r.missing && archive && segments) {
        return fail('archive_missing', `ledger row ${at.ledger_id} (chain position ${at.seq}) was archived to ${archive.key} and purged, and no segment in the archive holds it: that segment is missing`, at);
      }
      if (r.missing && !archive) return fail('row_missing', `ledger row ${at.ledger_id} (chain position ${at.seq}) was deleted after sealing`, at);
      if (r.missing) archived++;
      else if (!r.actual.equals(r.row_hash)) {
        const where = segment && !r.live ? ` in the archived segment ${segment.key}` : '';
        return fail('row_modified', `ledger row ${at.ledger_id} (chain position ${at.seq})${where} was modified after sealing`, at);
      } else if (!r.live) archived++;
      const next = createHash('sha256').update(prev).update(r.row_hash).digest();
      if (!next.equals(r.chain_hash)) return fail('chain_broken', `chain hash at position ${at.seq} (ledger row ${at.ledger_id}) does not follow from its predecessor`, at);
      const sealHead = seals.get(at.seq);
      if (sealHead !== undefined && sealHead !== next.toString('hex')) {
        return fail('seal_mismatch', `seal ending at position ${at.seq} recorded head ${sealHead}, chain has ${next.toString('hex')}`, at);
      }
      if (opts.expectHead && next.toString('hex') === opts.expectHead) expectedFound = true;
      prev = next;
      seq = at.seq;
      checked++;
    }
    opts.onProgress?.(checked, total);
    if (rows.length < batch) break;
  }
  // Rows inside the sealed range must all be in the chain.
  const { rows: [slipped] } = await tx.query(`
    select l.id from audit.ledger l, (select txid, ledger_id from audit.chain order by seq desc limit 1) last
     where (l.txid, l.id) < (last.txid, last.ledger_id)
       and not exists (select 1 from audit.chain c where c.ledger_id = l.id)
     order by l.txid, l.id limit 1`);
  if (slipped) return fail('row_inserted', `ledger row ${slipped.id} sits inside the sealed range but was never sealed`, { ledger_id: Number(slipped.id) });
  if (segments) {
    const { rows: [extra] } = await tx.query(`select a.id from pg_temp.archived_ledger a
      where not exists (select 1 from audit.chain c where c.ledger_id = a.id) order by a.id limit 1`);
    if (extra) {
      const g = segments.find((s) => s.first <= Number(extra.id) && Number(extra.id) <= s.last);
      return fail('row_inserted', `ledger row ${extra.id} in the archived segment ${g?.key ?? '(unknown)'} was never sealed into the chain`, { ledger_id: Number(extra.id) });
    }
  }
  if (!expectedFound) return fail('head_mismatch', `expected head ${opts.expectHead} is not in the chain: the chain was rewritten`);
  return { ok: true, checked, ...window, head: prev.length ? prev.toString('hex') : null, archived };
}
