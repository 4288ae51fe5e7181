/** detect_striking: keyword-rule flags for a human to review; replaces the interaction's flags. */
import { z } from 'zod';
import { defineStage } from '../lib/stage/index.ts';
import { detectStriking, STRIKING_ENGINE } from '../lib/engines/index.ts';
import { REASON_SQL } from '../lib/audit/index.ts';
import { decisionStatement } from '../lib/replay/index.ts';
import { DECISION_DONE, loadSpans } from './spans.ts';

export default defineStage({
  task: 'detect_striking',
  version: '1.0.0',
  engine: STRIKING_ENGINE,
  decision: true,
  outputs: ['app.striking_flags'],
  inputKey: 'interaction_id',
  payload: z.object({ interaction_id: z.number().int().positive() }),
  async run({ interaction_id }, { tx, write, redactor, stage }) {
    const spans = await loadSpans(tx, interaction_id);
    const flags = detectStriking(spans);
    // Everything else is queued: it goes with the ledger row and COMMIT, in one round trip.
    const decision = decisionStatement(redactor, stage, interaction_id, { spans }, flags);
    write(decision.text, decision.values);
    write(REASON_SQL, ['superseded by a re-run of detect_striking']);
    write('delete from app.striking_flags where interaction_id = $1', [interaction_id]);
    write(REASON_SQL, ['']); // the reason covers the delete alone, not the rows created next
    if (flags.length > 0) {
      write(
        `insert into app.striking_flags (interaction_id, seq, flag, severity, evidence, span_seq)
         select $1, seq, flag, severity, evidence, span_seq
           from json_to_recordset($2::json) as f(seq int, flag text, severity text, evidence text, span_seq int)`,
        [interaction_id, JSON.stringify(flags)]);
    }
    // Last, so the event row is locked after the outputs' own locks (same order in every stage).
    write(DECISION_DONE);
  },
});
