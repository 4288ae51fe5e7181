/** What the decision stages share: their input (the conversation spans) and the event-progress mark. */
import type { Tx } from '../lib/db/index.ts';
import { InvalidInputError } from '../lib/stage/index.ts';

export async function loadSpans(tx: Tx, interactionId: number): Promise<{ seq: number; speaker: string; text: string }[]> {
  // The advisory lock (per task and interaction) serializes two runs of one
  // stage for one interaction, so their delete-then-insert never collide.
  const { rows } = await tx.query(
    `select s.seq, s.speaker, s.text
       from (select pg_advisory_xact_lock(hashtextextended(ballast.setting('task') || ':' || $1::bigint, 0))) l,
            app.conversation_spans s
      where s.interaction_id = $1 order by s.seq`, [interactionId]);
  if (rows.length === 0) throw new InvalidInputError(`interaction ${interactionId} has no conversation spans`);
  return rows;
}

/**
 * Marks the stage done for its event (`app.decision_done()`); the event is
 * completed when every decision stage (`decision: true`, registered in
 * `ballast.stages`) is. Queue it with `write` after
 * the stage's last query: it then commits with the outputs and the ledger row,
 * or not at all, and takes the event's row lock after every other lock the
 * stage takes (the decision stages run at once; one lock order, no deadlock).
 */
export const DECISION_DONE = 'select app.decision_done()';
