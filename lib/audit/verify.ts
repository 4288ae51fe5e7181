/**
 * `ballast audit verify`: recomputes every sealed row's hash from the ledger
 * as it is now and walks the chain, reporting the first row that does not
 * match. Catches edits made with triggers disabled (even by a superuser),
 * deleted rows, rows slipped into the sealed range, and chain edits. A full
 * rewrite of ledger and chain together is caught only against a head hash
 * kept elsewhere (`--expect-head`, see ops/runbooks/audit-forensics.md).
 * Rows not sealed yet are outside what it can vouch for: it reports that
 * window (audit.unsealed_window), its size and its age.
 */
import { createHash } from 'node:crypto';
import type { Db } from '../db/index.ts';

export type VerifyProblem =
  | 'row_modified'        // ledger row differs from its sealed hash
  | 'row_missing'         // a sealed ledger row is gone
  | 'row_inserted'        // an unsealed row sits inside the sealed range
  | 'chain_broken'        // the stored chain hash is not the hash of its predecessor and row
  | 'sequence_gap'        // chain positions skip
  | 'seal_mismatch'       // a seal's head hash differs from the chain at that point
  | 'head_mismatch';      // the chain head differs from the expected (externally kept) head

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
  problem?: { kind: VerifyProblem; seq?: number; ledger_id?: number; message: string };
}

export interface VerifyOptions {
  batchSize?: number;
  /** Head hash recorded elsewhere earlier; the chain must contain it. */
  expectHead?: string;
  onProgress?: (checked: number, total: number) => void;
  /** The time the unsealed window's age is measured to. @defaultValue the database's `now()` */
  now?: Date;
}

const PAGE = `
select c.seq, c.ledger_id, c.row_hash, c.chain_hash, c.seal_id, audit.row_hash(l) as actual, l.id is null as missing
  from audit.chain c left join audit.ledger l on l.id = c.ledger_id
 where c.seq > $1 order by c.seq limit $2`;

export async function verifyLedger(db: Db, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const batch = opts.batchSize ?? 5000;
  return db.readOnly(async (tx) => {
    const { rows: [win] } = await tx.query(
      `select unsealed::int, oldest_at, extract(epoch from coalesce($1::timestamptz, now()) - oldest_at)::float8 as age
         from audit.unsealed_window`, [opts.now ?? null]);
    const window = { unsealed: win.unsealed, oldestUnsealedAt: win.oldest_at, unsealedAgeSeconds: win.age };
    const { rows: [{ total }] } = await tx.query('select count(*)::int as total from audit.chain');
    const seals = new Map<number, string>();
    for (const s of (await tx.query('select last_seq, head_hash from audit.seals')).rows) seals.set(Number(s.last_seq), s.head_hash);
    let prev: Buffer = Buffer.alloc(0);
    let seq = 0;
    let checked = 0;
    let expectedFound = !opts.expectHead;
    const fail = (kind: VerifyProblem, message: string, at: { seq?: number; ledger_id?: number } = {}): VerifyResult =>
      ({ ok: false, checked, ...window, head: prev.length ? prev.toString('hex') : null, problem: { kind, message, ...at } });
    for (;;) {
      const { rows } = await tx.query(PAGE, [seq, batch]);
      for (const r of rows) {
        const at = { seq: Number(r.seq), ledger_id: Number(r.ledger_id) };
        if (at.seq !== seq + 1) return fail('sequence_gap', `chain jumps from position ${seq} to ${at.seq}`, at);
        if (r.missing) return fail('row_missing', `ledger row ${at.ledger_id} (chain position ${at.seq}) was deleted after sealing`, at);
        if (!r.actual.equals(r.row_hash)) {
          return fail('row_modified', `ledger row ${at.ledger_id} (chain position ${at.seq}) was modified after sealing`, at);
        }
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
    if (!expectedFound) return fail('head_mismatch', `expected head ${opts.expectHead} is not in the chain: the chain was rewritten`);
    return { ok: true, checked, ...window, head: prev.length ? prev.toString('hex') : null };
  });
}
