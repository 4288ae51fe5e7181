/** Backfill by producer version (seed 000, item 3): re-run a stage where an older version produced its outputs. */
export { backfillTargets, findBackfill, enqueueBackfill, countByVersion, compareVersions, type BackfillTarget, type BackfillCandidate } from './backfill.ts';
