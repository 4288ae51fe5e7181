/**
 * The decision engines a snapshot can be replayed against: the engines the
 * decision stages declare (defineStage `engine:`), with a hash of their code.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecisionInput, Engine } from '../engines/index.ts';
import type { StageDeclaration } from '../stage/index.ts';
import { sha256 } from './canonical.ts';

export type { DecisionInput };

export const ENGINES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../engines');

/** An engine and the decision stage that calls it. */
export interface DecisionEngine extends Engine {
  task: string;
}

/** Decision stage -> its engine, from the stages' declarations. */
export function decisionEngines(stages: readonly StageDeclaration[]): Record<string, DecisionEngine> {
  const out: Record<string, DecisionEngine> = {};
  for (const s of stages) if (s.decision && s.engine) out[s.task] = { ...s.engine, task: s.task };
  return out;
}

/** The engine of decision stage `task`; refuses a task that is not one, naming those that are. */
export function engineFor(task: string, engines: Record<string, DecisionEngine>): DecisionEngine {
  // hasOwn: `constructor` and its kin are not decision stages.
  if (!Object.hasOwn(engines, task)) {
    throw new Error(`${task} is not a decision stage; the decision stages are ${Object.keys(engines).sort().join(', ')}`);
  }
  return engines[task]!;
}

const hashes = new Map<string, string>();

/** sha256 over the engine's source files, name and bytes, in a fixed order. */
export function engineCodeHash(e: Engine, dir = ENGINES_DIR): string {
  const key = `${dir}|${e.files.join(',')}`;
  let h = hashes.get(key);
  if (!h) {
    const parts = [...e.files].sort().map((f) => `${f}\n${fs.readFileSync(path.join(dir, f), 'utf8')}`);
    h = sha256(parts.join('\n\0\n'));
    hashes.set(key, h);
  }
  return h;
}
