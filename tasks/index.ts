/** Every task a ballast worker runs. */
import type { Stage } from '../lib/stage/index.ts';
import normalizeEvent from './normalize_event.ts';
import segmentInteraction from './segment_interaction.ts';
import summarizeInteraction from './summarize_interaction.ts';
import extractClaims from './extract_claims.ts';
import detectStriking from './detect_striking.ts';
import auditSeal from './audit_seal.ts';
import searchSync from './search_sync.ts';
import searchReconcile from './search_reconcile.ts';
import replayDeadLetters from './replay_dead_letters.ts';
import sweepDeadLetters from './sweep_dead_letters.ts';

export const stages: Stage[] = [
  normalizeEvent, segmentInteraction, summarizeInteraction, extractClaims, detectStriking, auditSeal,
  replayDeadLetters, sweepDeadLetters,
  searchSync, searchReconcile,
] as Stage[];
