/** extract_claims: rule-based claims; replaces the interaction's claims. */
import { z } from 'zod';
import { defineStage } from '../lib/stage/index.ts';
import { extractClaims, CLAIMS_ENGINE } from '../lib/engines/index.ts';
import { REASON_SQL } from '../lib/audit/index.ts';
import { decisionStatement } from '../lib/replay/index.ts';
import { DECISION_DONE, loadSpans } from './spans.ts';

export default defineStage({
  task: 'extract_claims',
  version: '1.0.0',
  engine: CLAIMS_ENGINE,
  decision: true,
  outputs: ['app.claims'],
  inputKey: 'interaction_id',
  payload: z.object({ interaction_id: z.number().int().positive() }),
  async run({ interaction_id }, { tx, write, redactor, stage }) {
    const spans = await loadSpans(tx, interaction_id);
    const claims = extractClaims(spans);
    // Everything else is queued: it goes with the ledger row and COMMIT, in one round trip.
    const decision = decisionStatement(redactor, stage, interaction_id, { spans }, claims);
    write(decision.text, decision.values);
    write(REASON_SQL, ['superseded by a re-run of extract_claims']);
    write('delete from app.claims where interaction_id = $1', [interaction_id]);
    write(REASON_SQL, ['']); // the reason covers the delete alone, not the rows created next
    if (claims.length > 0) {
      write(
        `insert into app.claims (interaction_id, seq, kind, text, span_seq)
         select $1, seq, kind, text, span_seq
           from json_to_recordset($2::json) as c(seq int, kind text, text text, span_seq int)`,
        [interaction_id, JSON.stringify(claims)]);
    }
    // Last, so the event row is locked after the outputs' own locks (same order in every stage).
    write(DECISION_DONE);
  },
});
