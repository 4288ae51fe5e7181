/** ballast's one door into graphile-worker's private tables (see internals.ts). */
export {
  GRAPHILE_WORKER_VERSION, PRIVATE_COLUMNS, removeDeadLetteredJobs, stopRetrying,
  jobsLockedBy, forceUnlockWorkers, removeJobs, type LockedJob,
} from './internals.ts';
