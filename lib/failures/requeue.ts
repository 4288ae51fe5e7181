/**
 * Requeueing dead letters (the retry policy): due rows are claimed with
 * SKIP LOCKED in a LOCKED_MUTATION transaction and handed to
 * `ballast.replay_dead_letter`, which re-enqueues the original task with the
 * original trace (a new span comes with the new attempt), counts the replay,
 * schedules the next one with backoff and jitter, and stops at the bound.
 */
import type { Db } from '../db/index.ts';

export interface RequeueConfig {
  /** Rows claimed. @defaultValue `50` */
  batchSize?: number;
}

export interface RequeueResult {
  claimed: number;
  enqueued: number;
  bound_reached: number;
  not_replayable: number;
  already_resolved: number;
}

const DUE = `
select id from ballast.pipeline_failures
 where resolved_at is null and next_retry_at <= now()
 order by next_retry_at
 limit $1
 for update skip locked`;

/**
 * One batch: claims up to `batchSize` due dead letters and requeues each
 * (the requeue_dead_letters task repeats it until a batch comes back short).
 */
export async function requeueDueDeadLetters(db: Db, cfg: RequeueConfig = {}): Promise<RequeueResult> {
  const result: RequeueResult = { claimed: 0, enqueued: 0, bound_reached: 0, not_replayable: 0, already_resolved: 0 };
  await db.lockedMutation(async (tx) => {
    const rows = await tx.lockRows<{ id: string }>(DUE, [cfg.batchSize ?? 50]);
    for (const { id } of rows) {
      const { rows: [r] } = await tx.query<{ outcome: keyof RequeueResult }>('select ballast.replay_dead_letter($1, false) as outcome', [id]);
      result[r!.outcome] += 1;
    }
    result.claimed = rows.length;
  }, { actor: 'ballast:requeue' });
  return result;
}

/** An operator's requeue of one dead letter, now, whatever its schedule or bound. */
export async function requeueDeadLetter(db: Db, id: string, actor: string): Promise<string> {
  return db.lockedMutation(async (tx) => {
    const rows = await tx.lockRows('select id from ballast.pipeline_failures where id = $1 for update', [id]);
    if (rows.length === 0) throw new Error(`no dead letter ${id}`);
    const { rows: [r] } = await tx.query<{ outcome: string }>('select ballast.replay_dead_letter($1, true) as outcome', [id]);
    return r!.outcome;
  }, { actor });
}

export async function resolveDeadLetter(db: Db, id: string, note: string, actor: string): Promise<boolean> {
  if (!note.trim()) throw new Error('a resolution note is required');
  const { rowCount } = await db.atomicWrite((tx) => tx.query(
    `update ballast.pipeline_failures set resolved_at = now(), next_retry_at = null,
            resolution_note = $2 || ' (by ' || $3 || ')'
      where id = $1 and resolved_at is null`, [id, note, actor]), { actor, reason: note });
  return (rowCount ?? 0) > 0;
}
