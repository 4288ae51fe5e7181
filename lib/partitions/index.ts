/**
 * Time-partitioned tables (sql/migrations/013_partitions.sql).
 *
 * Glossary:
 * - registry: `ballast.partitioned_tables`, one row per partitioned table (its
 *   partition column, `day` or `month`, and `premake`, how many periods ahead
 *   partitions are kept).
 * - partition: a child table holding one UTC day or month, [lower, upper).
 *   Its bounds are read from the catalog (`ballast.partition_ranges`), never
 *   from its name.
 * - DEFAULT partition: the safety net that takes a row no partition covers;
 *   the maintain_partitions task moves such rows into partitions of their own.
 */
import type { Db } from '../db/index.ts';

/** A pool or a transaction. */
type Queryable = Pick<Db, 'query'>;

export interface PartitionedTable {
  /** `schema.table` of the parent. */
  table_name: string;
  partition_column: string;
  granularity: 'day' | 'month';
  premake: number;
}

export interface PartitionRange {
  /** `schema.partition`, as regclass text. */
  partition: string;
  /** Inclusive; null for MINVALUE and for the DEFAULT partition. */
  lower_bound: Date | null;
  /** Exclusive; null for MAXVALUE and for the DEFAULT partition. */
  upper_bound: Date | null;
  is_default: boolean;
}

export interface MaintainResult {
  table_name: string;
  /** Partitions created (ahead, or for rows found in the DEFAULT partition). */
  created: number;
  /** Rows moved out of the DEFAULT partition. */
  moved: number;
}

/** The registry, by table name. */
export async function listPartitionedTables(db: Queryable): Promise<PartitionedTable[]> {
  const { rows } = await db.query<PartitionedTable>(
    'select table_name, partition_column, granularity, premake from ballast.partitioned_tables order by table_name');
  return rows;
}

/** The partitions of `table` (`schema.table`) and their bounds, from the catalog; the DEFAULT partition last. */
export async function partitionRanges(db: Queryable, table: string): Promise<PartitionRange[]> {
  const { rows } = await db.query<PartitionRange>(
    'select partition::text, lower_bound, upper_bound, is_default from ballast.partition_ranges($1::regclass)', [table]);
  return rows;
}

/**
 * One partition-ahead pass over every registered table, at `now`: the
 * partitions of the period holding `now` and of the next `premake` periods,
 * and a partition for every row waiting in a DEFAULT partition. Idempotent.
 */
export async function maintainPartitions(db: Db, now: Date): Promise<MaintainResult[]> {
  return db.atomicWrite(async (tx) => {
    const { rows } = await tx.query<{ table_name: string; created: number; moved: string }>(
      'select table_name, created, moved from ballast.maintain_partitions($1)', [now]);
    return rows.map((r) => ({ table_name: r.table_name, created: r.created, moved: Number(r.moved) }));
  }, { actor: 'maintenance:maintain_partitions' });
}
