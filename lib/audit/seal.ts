/**
 * Sealing: appends committed ledger rows to the hash chain (`audit.seal()`).
 * Writers never wait for it. The `audit_seal` cron task seals every minute
 * until it has caught up (or its time budget is spent); `ballast audit seal`
 * does the same by hand. Both go through the one batch loop of background
 * work (lib/maintenance).
 */
import type { Db, Tx } from '../db/index.ts';
import { repeatBatches } from '../maintenance/index.ts';

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
  /** At most this many seal transactions. @defaultValue no limit */
  maxBatches?: number;
  /** No seal transaction starts after this many milliseconds. @defaultValue no limit */
  budgetMs?: number;
  /** The clock of the budget. @defaultValue `Date.now` */
  now?: () => number;
  /** Actor the audit ledger records for the seal transactions. @defaultValue `ballast audit seal` */
  actor?: string;
}

/** One seal transaction inside `tx`: at most `batchSize` rows. */
export async function sealOnce(tx: Tx, batchSize = 10_000): Promise<SealResult> {
  const { rows: [r] } = await tx.query('select sealed, head, horizon::text from audit.seal($1)', [batchSize]);
  return { sealed: r.sealed, head: r.head, horizon: r.horizon };
}

/**
 * Seals in batches until a short batch (everything committed before the run
 * is then in the chain), or until a bound in `opts` stops it.
 */
export async function sealLedger(db: Db, opts: SealOptions = {}): Promise<SealResult> {
  const batchSize = opts.batchSize ?? 10_000;
  let last: SealResult | null = null;
  const counts = await repeatBatches({
    batchSize, maxBatches: opts.maxBatches ?? Infinity, budgetMs: opts.budgetMs ?? null, ...(opts.now ? { now: opts.now } : {}),
  }, async () => {
    last = await db.atomicWrite((tx) => sealOnce(tx, batchSize), { actor: opts.actor ?? 'ballast audit seal' });
    return { taken: last.sealed };
  });
  return { ...last!, sealed: counts.taken ?? 0 };
}
