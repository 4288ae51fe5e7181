/**
 * Decision snapshots (seed 002, Track 2.1): a decision stage records, in its
 * own transaction, what its engine saw (redacted), what it decided, the
 * engine's version and code hash. The row's id is the decision id.
 */
import type { Statement, Tx } from '../db/index.ts';
import type { Redactor } from '../failures/index.ts';
import type { StageDeclaration } from '../stage/index.ts';
import { canonicalJson, hashJson } from './canonical.ts';
import { engineCodeHash, type DecisionInput } from './engines.ts';

/** A stored decision, as exported to a file and replayed. */
export interface DecisionSnapshot {
  id: number;
  task: string;
  task_version: string;
  engine: string;
  engine_version: string;
  engine_code_hash: string;
  ruleset: string | null;
  interaction_id: number;
  input: DecisionInput;
  input_hash: string;
  input_redacted: boolean;
  output: unknown;
  output_hash: string;
  live_output_hash: string;
  trace_id: string | null;
  correlation_id: string | null;
  span_id: string | null;
  decided_at: string;
}

/**
 * The statement that stores the decision `output` that `stage`'s declared
 * engine made on `input`, with the input masked by the install's redactor
 * (the same masks as in logs and dead letters). When redaction changed the
 * input, the stored baseline is the engine's decision on the redacted input
 * (what a replay can reproduce), and `live_output_hash` keeps the hash of
 * what was actually written. Then `input_hash` and `live_output_hash` hash
 * what was never stored, so they are keyed like the masks
 * (`hmac-sha256:...`): nobody without the key can test a guess at the
 * original. A stage queues it with `write` (it commits with the outputs and
 * costs no round trip of its own); the statement returns the decision id.
 */
export function decisionStatement(redactor: Redactor, stage: Pick<StageDeclaration, 'task' | 'engine'>, interactionId: number,
  input: DecisionInput, output: unknown): Statement & { values: unknown[] } {
  const engine = stage.engine;
  if (!engine) throw new Error(`stage ${stage.task} records a decision but declares no engine`);
  const { value: stored, changed } = redactor.redact(input);
  const baseline = changed ? engine.decide(stored) : output;
  const hash = (v: unknown) => (changed ? `hmac-sha256:${redactor.digest(canonicalJson(v))}` : hashJson(v));
  return {
    text: `insert into replay.decisions
       (task, task_version, engine, engine_version, engine_code_hash, ruleset, interaction_id,
        input, input_hash, input_redacted, output, output_hash, live_output_hash)
     values ($1, coalesce(ballast.setting('task_version'), 'unknown'), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     returning id`,
    values: [stage.task, engine.name, engine.version, engineCodeHash(engine), engine.ruleset, interactionId,
      JSON.stringify(stored), hash(input), changed, JSON.stringify(baseline), hashJson(baseline), hash(output)],
  };
}

/** Stores a decision now (decisionStatement) and returns its id. */
export async function recordDecision(tx: Tx, redactor: Redactor, stage: Pick<StageDeclaration, 'task' | 'engine'>, interactionId: number,
  input: DecisionInput, output: unknown): Promise<number> {
  const s = decisionStatement(redactor, stage, interactionId, input, output);
  const { rows: [row] } = await tx.query(s.text, s.values);
  return row.id;
}
