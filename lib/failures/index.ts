export { PermanentError, InvalidInputError, TransientError, DownstreamError, ModelParseError, zodMessage } from './errors.ts';
export { classify, isPermanent, RULES, type Classification, type DiagnosticCode, type Layer, type Outcome } from './classify.ts';
export { buildEnvelope, errorMessage, exceptionChain, inputHash, layerAllows, newErrorId, LayerViolationError, type ErrorEnvelope, type Severity } from './envelope.ts';
export { Redactor, redactor, DEFAULT_REDACT_KEYS } from './redact.ts';
export { recordFailure, recordFailureSafely, type DeadLetter, type Diagnostic, type FailureRecord } from './record.ts';
export { stageFailure, businessKey } from './stage-failure.ts';
export { replayDueDeadLetters, replayDeadLetter, resolveDeadLetter, type ReplayConfig, type ReplayResult } from './replay.ts';
export { sweepFailedJobs, type SweepConfig, type SweepResult } from './sweep.ts';
