/**
 * The one batch loop of background work: repeat a batch until one comes back
 * short, bounded by a number of batches and a time budget. Maintenance tasks
 * run it (define.ts), and so do the commands that do the same work by hand
 * (`ballast audit seal`).
 */

/**
 * What one batch did. `taken` is how many items it took on (rows claimed,
 * sealed, examined); fewer than the batch size ends the loop. The other
 * counts are summed over the loop's batches.
 */
export type BatchCounts = { taken: number } & Record<string, number>;

export interface BatchLimits {
  /** A batch that took fewer items ends the loop; `null`: the loop is one batch. */
  batchSize: number | null;
  /** At most this many batches. */
  maxBatches: number;
  /**
   * No batch starts once this many milliseconds have passed since the loop
   * began (a batch already running finishes); `null`: no budget.
   */
  budgetMs: number | null;
  /** Milliseconds clock the budget is measured on. @defaultValue `Date.now` */
  now?: () => number;
  /** Aborted: the loop ends after the current batch. */
  signal?: AbortSignal;
}

/**
 * Runs `once(batch)` (batch 0, 1, ...) until a batch is short, `maxBatches`
 * ran, the budget is spent or `signal` aborts. Returns the summed counts,
 * with `batches`. A throw ends the loop; the counts so far are in `sofar`.
 */
export async function repeatBatches(
  limits: BatchLimits,
  once: (batch: number) => Promise<BatchCounts>,
  sofar: Record<string, number> = {},
): Promise<Record<string, number>> {
  const now = limits.now ?? Date.now;
  const counts = sofar;
  let batches = 0;
  counts.batches = 0;
  const start = now();
  for (;;) {
    const c = await once(batches);
    counts.batches = ++batches;
    for (const [k, v] of Object.entries(c)) counts[k] = (counts[k] ?? 0) + v;
    if (limits.batchSize == null || c.taken < limits.batchSize) break;
    if (batches >= limits.maxBatches || limits.signal?.aborted) break;
    if (limits.budgetMs != null && now() - start >= limits.budgetMs) break;
  }
  return counts;
}
