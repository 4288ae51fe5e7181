/** Background work (cron and maintenance tasks): one shape, one runs table. */
export { repeatBatches, type BatchLimits } from './batches.ts';
export { defineMaintenanceTask, maintenanceConfig, DEFAULT_MAX_BATCHES, type BatchCounts, type MaintenanceContext, type MaintenanceTaskSpec, type RunRow } from './define.ts';
