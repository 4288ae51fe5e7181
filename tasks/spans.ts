/** Reads an interaction's conversation spans, in order, for the decision stages. */
import type { Tx } from '../lib/db/index.ts';
import { InvalidInputError } from '../lib/stage/index.ts';

export async function loadSpans(tx: Tx, interactionId: number): Promise<{ seq: number; speaker: string; text: string }[]> {
  const { rows } = await tx.query(
    'select seq, speaker, text from app.conversation_spans where interaction_id = $1 order by seq', [interactionId]);
  if (rows.length === 0) throw new InvalidInputError(`interaction ${interactionId} has no conversation spans`);
  return rows;
}
