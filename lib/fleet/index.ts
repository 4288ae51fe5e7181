/** The worker fleet: each process's heartbeat row, the rescue of dead workers' jobs, and `ballast up`'s children and claims. */
export { WorkerHeartbeat, type HeartbeatOptions } from './heartbeat.ts';
export { DEFAULT_GRACE_SECONDS, rescueDeadWorkers, rescueOutcome, type RescueOptions, type RescueOutcome, type RescueResult, type RescuedWorker } from './rescue.ts';
export { exitWithParent, supervise, WORKER_NODE_ARGS, type ChildSpec, type SupervisedChild, type SuperviseOptions, type Supervisor } from './supervisor.ts';
export { checkPortFree, claimDataDir, processAlive, readProcessRecord, upPidFile, type DataDirClaim, type ProcessRecord } from './claims.ts';
