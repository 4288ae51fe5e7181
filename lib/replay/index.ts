/** Decision snapshots and offline replay (seed 002, Track 2). */
export { decisionStatement, recordDecision, type DecisionSnapshot } from './snapshot.ts';
export { replayDecision, exportSnapshot, parseSnapshotFile, sideBySide, SNAPSHOT_FORMAT, type ReplayResult } from './replay.ts';
export { loadDecision, countDecisions, iterateDecisions, type DecisionFilter } from './store.ts';
export { decisionEngines, engineCodeHash, engineFor, ENGINES_DIR, type DecisionEngine, type DecisionInput } from './engines.ts';
export { canonicalJson, hashJson } from './canonical.ts';
