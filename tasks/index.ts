/**
 * Every task a ballast worker runs. The stages' declarations here are the one
 * list that the stage registry (ballast.stages), backfill, offline replay and
 * the CLI help derive from.
 */
import { checkStageNames, type Stage } from '../lib/stage/index.ts';
import normalizeEvent from './normalize_event.ts';
import segmentInteraction from './segment_interaction.ts';
import summarizeInteraction from './summarize_interaction.ts';
import extractClaims from './extract_claims.ts';
import detectStriking from './detect_striking.ts';
import auditSeal from './audit_seal.ts';
import searchSync from './search_sync.ts';
import searchReconcile from './search_reconcile.ts';
import requeueDeadLetters from './requeue_dead_letters.ts';
import recoverFailedJobs from './recover_failed_jobs.ts';
import rescueDeadWorkers from './rescue_dead_workers.ts';
import evaluateAlerts from './evaluate_alerts.ts';
import deliverAlerts from './deliver_alerts.ts';
import maintainPartitions from './maintain_partitions.ts';
import reconcileUsage from './reconcile_usage.ts';
import archivePartitions from './archive_partitions.ts';

export const stages: Stage[] = [
  normalizeEvent, segmentInteraction, summarizeInteraction, extractClaims, detectStriking, auditSeal,
  requeueDeadLetters, recoverFailedJobs, rescueDeadWorkers, evaluateAlerts, deliverAlerts,
  searchSync, searchReconcile, maintainPartitions, reconcileUsage, archivePartitions,
] as Stage[];
// Checked as the list loads, so a copied stage that keeps its original name stops every command, not just the worker.
checkStageNames(stages);
