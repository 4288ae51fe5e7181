/**
 * Offline replay (seed 002, Track 2.2): today's engine on a stored input,
 * compared with the stored decision. Pure: no database, no network.
 */
import { canonicalJson } from './canonical.ts';
import { engineCodeHash, engineFor, type DecisionEngine } from './engines.ts';
import type { DecisionSnapshot } from './snapshot.ts';

export interface ReplayResult {
  decision_id: number;
  task: string;
  identical: boolean;
  stored: unknown;
  replayed: unknown;
  engine: { stored: string; current: string };
  code_hash: { stored: string; current: string };
  /** The stored input had identifiers replaced; the baseline is the decision on that input. */
  input_redacted: boolean;
}

/**
 * Replays a stored decision with today's engine for its task; `engines` come
 * from the stages' declarations (`decisionEngines(stages)`).
 */
export function replayDecision(snap: DecisionSnapshot, engines: Record<string, DecisionEngine>): ReplayResult {
  const engine = engineFor(snap.task, engines);
  const replayed = JSON.parse(JSON.stringify(engine.decide(snap.input)));
  return {
    decision_id: snap.id,
    task: snap.task,
    identical: canonicalJson(replayed) === canonicalJson(snap.output),
    stored: snap.output,
    replayed,
    engine: { stored: snap.engine_version, current: engine.version },
    code_hash: { stored: snap.engine_code_hash, current: engineCodeHash(engine) },
    input_redacted: snap.input_redacted,
  };
}

export const SNAPSHOT_FORMAT = 'ballast.decision-snapshot/1';

/** The file `ballast replay export` writes. */
export function exportSnapshot(snap: DecisionSnapshot): string {
  return JSON.stringify({ format: SNAPSHOT_FORMAT, decision: snap }, null, 2) + '\n';
}

export function parseSnapshotFile(text: string): DecisionSnapshot {
  let doc: { format?: string; decision?: DecisionSnapshot } | null;
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    doc = null;
  }
  if (doc?.format !== SNAPSHOT_FORMAT || !doc.decision) {
    throw new Error(`not a decision snapshot file (expected format ${SNAPSHOT_FORMAT})`);
  }
  return doc.decision;
}

/** Stored and replayed output side by side; differing lines are marked. */
export function sideBySide(r: ReplayResult, width = 60): string {
  const left = JSON.stringify(r.stored, null, 2).split('\n');
  const right = JSON.stringify(r.replayed, null, 2).split('\n');
  const cut = (s: string) => (s.length > width ? `${s.slice(0, width - 1)}…` : s.padEnd(width));
  const lines = [`${cut('stored')}   replayed (today's code)`, `${'-'.repeat(width)}   ${'-'.repeat(width)}`];
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const a = left[i] ?? '';
    const b = right[i] ?? '';
    lines.push(`${cut(a)} ${a === b ? ' ' : '≠'} ${b}`);
  }
  return lines.join('\n');
}
