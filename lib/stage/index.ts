export { defineStage, type Stage, type StageContext, type StageRuntime, type StageSpec, type TracePayload } from './define.ts';
export { startWorker, buildTaskList, workerPoolSize, workerPreset, newWorkerId, type WorkerHandle, type WorkerOptions } from './worker.ts';
export { LedgerBatcher, type AttemptRow } from './ledger.ts';
export { registerStages, registerStagesAt, registryDrift, decisionTasks } from './registry.ts';
export { checkDeclaration, checkStageNames, checkVersion, StageDeclarationError, type Declares, type StageDeclaration } from './declaration.ts';
export { readCrontab, CRONTAB_FILE } from './crontab.ts';
export { PermanentError, InvalidInputError, TransientError, DownstreamError, ModelParseError, isPermanent, zodMessage } from '../failures/index.ts';
