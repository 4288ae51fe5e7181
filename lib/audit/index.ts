/**
 * The audit trail (seed 003, Phase 1): an append-only ledger fed by triggers
 * (`audit.enable(...)` in SQL), sealed into a hash chain, verified on demand;
 * gated destructive operations.
 */
export { sealLedger, sealOnce, type SealOptions, type SealResult } from './seal.ts';
export { verifyLedger, type VerifyOptions, type VerifyProblem, type VerifyResult } from './verify.ts';
export { stateReason, REASON_SQL, assertDestructiveAllowed, destructiveWrite, DestructiveDisabledError, DESTRUCTIVE_ENV, type DestructiveOptions } from './gate.ts';
