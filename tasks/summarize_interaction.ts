/** summarize_interaction: extractive summary of the conversation (one row per interaction). */
import { z } from 'zod';
import { defineStage } from '../lib/stage/index.ts';
import { summarize, SUMMARIZER_ENGINE } from '../lib/engines/index.ts';
import { decisionStatement } from '../lib/replay/index.ts';
import { DECISION_DONE, loadSpans } from './spans.ts';

export default defineStage({
  task: 'summarize_interaction',
  version: '1.0.0',
  engine: SUMMARIZER_ENGINE,
  decision: true,
  outputs: ['app.summaries'],
  inputKey: 'interaction_id',
  payload: z.object({ interaction_id: z.number().int().positive() }),
  async run({ interaction_id }, { tx, write, redactor, stage }) {
    const spans = await loadSpans(tx, interaction_id);
    const result = summarize(spans);
    // Everything else is queued: it goes with the ledger row and COMMIT, in one round trip.
    write(
      `insert into app.summaries (interaction_id, summary, key_points) values ($1, $2, $3)
       on conflict (interaction_id) do update set
         summary = excluded.summary, key_points = excluded.key_points,
         trace_id = excluded.trace_id, correlation_id = excluded.correlation_id, span_id = excluded.span_id,
         produced_by = excluded.produced_by, producer_version = excluded.producer_version,
         model_version = excluded.model_version, prompt_version = excluded.prompt_version,
         produced_at = excluded.produced_at`,
      [interaction_id, result.summary, JSON.stringify(result.key_points)]);
    const decision = decisionStatement(redactor, stage, interaction_id, { spans }, result);
    write(decision.text, decision.values);
    write(DECISION_DONE);
  },
});
