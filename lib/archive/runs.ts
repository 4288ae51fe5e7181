/** One row per step of the archive lifecycle (`ballast.archive_runs`), passed, failed or held. */
import type { Db } from '../db/index.ts';
import type { PartitionRange } from './manifest.ts';

export type Step = 'compress' | 'export' | 'verify' | 'purge' | 'hold' | 'restore' | 'discard';
export type Outcome = 'succeeded' | 'failed' | 'held';

export interface StepRow {
  step: Step;
  outcome: Outcome;
  partition: Pick<PartitionRange, 'table' | 'partition'> & Partial<Pick<PartitionRange, 'range_from' | 'range_to'>>;
  at: Date;
  archive_id?: number | null;
  rows?: number | null;
  bytes?: number | null;
  detail?: Record<string, unknown>;
  error?: string | null;
}

export async function recordStep(db: Db, r: StepRow, actor: string): Promise<number> {
  const { rows: [row] } = await db.atomicWrite((tx) => tx.query<{ id: number }>(
    `insert into ballast.archive_runs (at, table_name, partition_name, range_from, range_to, step, outcome, archive_id, rows, bytes, detail, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) returning id`,
    [r.at, r.partition.table, r.partition.partition, r.partition.range_from ?? null, r.partition.range_to ?? null,
      r.step, r.outcome, r.archive_id ?? null, r.rows ?? null, r.bytes ?? null, JSON.stringify(r.detail ?? {}),
      r.outcome === 'failed' ? (r.error ?? 'failed') : null]), { actor });
  return row!.id;
}
