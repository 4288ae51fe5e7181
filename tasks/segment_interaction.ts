/**
 * segment_interaction: transcript (or SMS body) to conversation spans.
 * Replaces the interaction's spans; inserting them fans out to every
 * decision stage (trigger app.enqueue_decisions, which reads ballast.stages).
 */
import { z } from 'zod';
import { defineStage, InvalidInputError } from '../lib/stage/index.ts';
import { segment, SEGMENTER_VERSION, type Turn } from '../lib/engines/index.ts';

export default defineStage({
  task: 'segment_interaction',
  version: '1.0.0',
  modelVersion: SEGMENTER_VERSION,
  outputs: ['app.conversation_spans'],
  inputKey: 'interaction_id',
  payload: z.object({ interaction_id: z.number().int().positive() }),
  async run({ interaction_id }, { tx, write }) {
    // Serializes two segmentations of one interaction (their delete-then-insert).
    const { rows: [it] } = await tx.query(
      `select i.kind, i.transcript, i.body
         from (select pg_advisory_xact_lock(hashtextextended('segment_interaction:' || $1::bigint, 0))) l, app.interactions i
        where i.id = $1`, [interaction_id]);
    if (!it) throw new InvalidInputError(`interaction ${interaction_id} does not exist`);
    const turns: Turn[] = it.kind === 'call' ? (it.transcript ?? []) : [{ speaker: 'sender', text: it.body ?? '' }];
    let spans = segment(turns);
    if (spans.length === 0) {
      spans = [{ seq: 1, speaker: 'system', start_ms: null, end_ms: null, turn_count: 0, text: '(empty conversation)' }];
    }
    // Queued: they go with the ledger row and COMMIT, in one round trip.
    write('delete from app.conversation_spans where interaction_id = $1', [interaction_id]);
    write(
      `insert into app.conversation_spans (interaction_id, seq, speaker, start_ms, end_ms, turn_count, text)
       select $1, seq, speaker, start_ms, end_ms, turn_count, text
         from json_to_recordset($2::json)
           as s(seq int, speaker text, start_ms int, end_ms int, turn_count int, text text)`,
      [interaction_id, JSON.stringify(spans)]);
  },
});
