/**
 * Sealing: appends committed ledger rows to the hash chain (`audit.seal()`).
 * Writers never wait for it; run it often (the `audit_seal` cron task does,
 * every minute) or by hand with `ballast audit seal`.
 */
import type { Db, Tx } from '../db/index.ts';

export interface SealResult {
  /** Rows appended to the chain by this run. */
  sealed: number;
  /** Chain head after the run (hex sha256), null while the chain is empty. */
  head: string | null;
  /** Transactions older than this were all finished when the run looked. */
  horizon: string;
}

export interface SealOptions {
  /** Rows per seal transaction. @defaultValue `10000` */
  batchSize?: number;
  /** Stop after this many rows (a runaway backlog is sealed over several runs). @defaultValue no limit */
  maxRows?: number;
  /** Actor the audit ledger records for the seal transactions. @defaultValue `ballast audit seal` */
  actor?: string;
}

/** One seal transaction inside `tx`. */
export async function sealOnce(tx: Tx, batchSize = 10_000): Promise<SealResult> {
  const { rows: [r] } = await tx.query('select sealed, head, horizon::text from audit.seal($1)', [batchSize]);
  return { sealed: r.sealed, head: r.head, horizon: r.horizon };
}

/** Seals in batches until a short batch: everything committed so far is in the chain. */
export async function sealLedger(db: Db, opts: SealOptions = {}): Promise<SealResult> {
  const batch = opts.batchSize ?? 10_000;
  let total = 0;
  for (;;) {
    const r = await db.atomicWrite((tx) => sealOnce(tx, batch), { actor: opts.actor ?? 'ballast audit seal' });
    total += r.sealed;
    if (r.sealed < batch || (opts.maxRows != null && total >= opts.maxRows)) return { ...r, sealed: total };
  }
}
