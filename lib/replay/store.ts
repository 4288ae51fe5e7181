/** Reading decision snapshots from the database. */
import type { Db } from '../db/index.ts';
import type { DecisionSnapshot } from './snapshot.ts';

const COLUMNS = `id, task, task_version, engine, engine_version, engine_code_hash, ruleset, interaction_id, input,
  input_hash, input_redacted, output, output_hash, live_output_hash, trace_id, correlation_id, span_id, decided_at`;

const toSnapshot = (r: any): DecisionSnapshot => ({ ...r, id: Number(r.id), interaction_id: Number(r.interaction_id), decided_at: new Date(r.decided_at).toISOString() });

export async function loadDecision(db: Db, id: number): Promise<DecisionSnapshot | null> {
  const { rows: [r] } = await db.readOnly((tx) => tx.query(`select ${COLUMNS} from replay.decisions where id = $1`, [id]));
  return r ? toSnapshot(r) : null;
}

export interface DecisionFilter { task: string; since?: Date | undefined; limit?: number | undefined }

export async function countDecisions(db: Db, f: DecisionFilter): Promise<number> {
  const { rows: [r] } = await db.readOnly((tx) => tx.query(
    'select count(*)::int as n from replay.decisions where task = $1 and decided_at >= coalesce($2, \'-infinity\'::timestamptz)',
    [f.task, f.since ?? null]));
  return Math.min(r.n, f.limit ?? Infinity);
}

/** Snapshots of one task in id order, a page at a time (keyset). */
export async function* iterateDecisions(db: Db, f: DecisionFilter, pageSize = 500): AsyncGenerator<DecisionSnapshot> {
  let after = 0;
  let left = f.limit ?? Infinity;
  while (left > 0) {
    const { rows } = await db.readOnly((tx) => tx.query(
      `select ${COLUMNS} from replay.decisions
        where task = $1 and decided_at >= coalesce($2, '-infinity'::timestamptz) and id > $3
        order by id limit $4`, [f.task, f.since ?? null, after, Math.min(pageSize, left)]));
    for (const r of rows) yield toSnapshot(r);
    if (rows.length < pageSize) return;
    after = Number(rows[rows.length - 1].id);
    left -= rows.length;
  }
}
