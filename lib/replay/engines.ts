/**
 * The decision engines a snapshot can be replayed against: the same pure
 * functions the stages call, with their version and a hash of their code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CLAIMS_RULESET, CLAIMS_VERSION, detectStriking, extractClaims, STRIKING_RULESET, STRIKING_VERSION,
  summarize, SUMMARIZER_VERSION,
} from '../engines/index.ts';
import { sha256 } from './canonical.ts';

export const ENGINES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../engines');

/** What every decision stage of the reference pipeline decides on. */
export interface DecisionInput { spans: { seq: number; speaker: string; text: string }[] }

export interface DecisionEngine {
  /** The stage that calls it. */
  task: string;
  engine: string;
  version: string;
  ruleset: string | null;
  /** Source files (in lib/engines) whose bytes make up the code hash. */
  files: string[];
  decide(input: DecisionInput): unknown;
}

export const DECISION_ENGINES: Record<string, DecisionEngine> = {
  summarize_interaction: {
    task: 'summarize_interaction', engine: 'summarizer', version: SUMMARIZER_VERSION, ruleset: null,
    files: ['summarizer.ts', 'text.ts'], decide: (i) => summarize(i.spans),
  },
  extract_claims: {
    task: 'extract_claims', engine: 'claims', version: CLAIMS_VERSION, ruleset: CLAIMS_RULESET,
    files: ['claims.ts', 'text.ts'], decide: (i) => extractClaims(i.spans),
  },
  detect_striking: {
    task: 'detect_striking', engine: 'striking', version: STRIKING_VERSION, ruleset: STRIKING_RULESET,
    files: ['striking.ts'], decide: (i) => detectStriking(i.spans),
  },
};

export function engineFor(task: string, engines = DECISION_ENGINES): DecisionEngine {
  const e = engines[task];
  if (!e) throw new Error(`no decision engine for task ${task}; known: ${Object.keys(engines).join(', ')}`);
  return e;
}

const hashes = new Map<string, string>();

/** sha256 over the engine's source files, name and bytes, in a fixed order. */
export function engineCodeHash(e: DecisionEngine, dir = ENGINES_DIR): string {
  const key = `${dir}|${e.files.join(',')}`;
  let h = hashes.get(key);
  if (!h) {
    const parts = [...e.files].sort().map((f) => `${f}\n${fs.readFileSync(path.join(dir, f), 'utf8')}`);
    h = sha256(parts.join('\n\0\n'));
    hashes.set(key, h);
  }
  return h;
}
