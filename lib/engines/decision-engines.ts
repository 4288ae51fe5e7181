/**
 * The decision engines as a stage declares them (`engine:` in defineStage):
 * the pure function, its version and rule set, and the source files whose
 * bytes make up its code hash (for offline replay, lib/replay).
 */
import { summarize, SUMMARIZER_VERSION } from './summarizer.ts';
import { extractClaims, CLAIMS_RULESET, CLAIMS_VERSION } from './claims.ts';
import { detectStriking, STRIKING_RULESET, STRIKING_VERSION } from './striking.ts';

/** What every decision engine of the reference pipeline decides on. */
export interface DecisionInput { spans: { seq: number; speaker: string; text: string }[] }

export interface Engine {
  /** Stored with each decision snapshot (`replay.decisions.engine`). */
  name: string;
  /** Stamped on the stage's rows as `model_version`. */
  version: string;
  /** Stamped as `prompt_version`. */
  ruleset: string | null;
  /** Source files in lib/engines that make up the code hash. */
  files: string[];
  decide(input: DecisionInput): unknown;
}

export const SUMMARIZER_ENGINE: Engine = {
  name: 'summarizer', version: SUMMARIZER_VERSION, ruleset: null,
  files: ['summarizer.ts', 'text.ts'], decide: (i) => summarize(i.spans),
};

export const CLAIMS_ENGINE: Engine = {
  name: 'claims', version: CLAIMS_VERSION, ruleset: CLAIMS_RULESET,
  files: ['claims.ts', 'text.ts'], decide: (i) => extractClaims(i.spans),
};

export const STRIKING_ENGINE: Engine = {
  name: 'striking', version: STRIKING_VERSION, ruleset: STRIKING_RULESET,
  files: ['striking.ts'], decide: (i) => detectStriking(i.spans),
};
