/**
 * Decision snapshots and offline replay (seed 002, Track 2), and backfill by
 * producer version (seed 000, item 3).
 */
export { recordDecision, type DecisionSnapshot } from './snapshot.ts';
export { replayDecision, exportSnapshot, parseSnapshotFile, sideBySide, SNAPSHOT_FORMAT, type ReplayOptions, type ReplayResult } from './replay.ts';
export { loadDecision, countDecisions, iterateDecisions, type DecisionFilter } from './store.ts';
export { DECISION_ENGINES, engineCodeHash, engineFor, ENGINES_DIR, type DecisionEngine, type DecisionInput } from './engines.ts';
export { canonicalJson, hashJson } from './canonical.ts';
export { findBackfill, enqueueBackfill, countByVersion, compareVersions, BACKFILL_TARGETS, type BackfillCandidate } from './backfill.ts';
