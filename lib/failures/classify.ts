/**
 * The classification table: what a failure is, and what happens next.
 * One explicit list, first match wins (like Oban's errors.ex).
 */
import { ZodError } from 'zod';
import { DownstreamError, InvalidInputError, ModelParseError, PermanentError, TransientError } from './errors.ts';

export type Outcome = 'permanent' | 'transient';
export type Layer = 'L2' | 'L3' | 'L4' | 'L5' | 'L6';
export type DiagnosticCode =
  | 'AUTH_FAILED' | 'INPUT_INVALID' | 'DOWNSTREAM_CALL_FAILED' | 'MODEL_PARSE_ERROR'
  | 'DB_WRITE_FAILED' | 'PIPELINE_RETRY' | 'POLICY_VIOLATION' | 'UNEXPECTED';

export interface Classification {
  outcome: Outcome;
  /** Diagnostic code (seed 000 item 2 taxonomy). */
  code: DiagnosticCode;
  /** `infra.*`, `domain.*` or `system.*` (seed 002). */
  errorClass: string;
  /** The layer that emits the envelope; must be allowed to emit `errorClass`. */
  layer: Layer;
  httpStatus: number | null;
}

const pgCode = (e: unknown): string | undefined =>
  typeof (e as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((e as { code: string }).code)
    ? (e as { code: string }).code : undefined;
const sysCode = (e: unknown): string | undefined => (e as { code?: string })?.code;

const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

type Rule = { when: (e: unknown) => boolean; then: (e: unknown) => Omit<Classification, 'httpStatus'> & { httpStatus?: number | null } };

export const RULES: Rule[] = [
  { when: (e) => e instanceof ZodError || e instanceof InvalidInputError,
    then: () => ({ outcome: 'permanent', code: 'INPUT_INVALID', errorClass: 'domain.input_invalid', layer: 'L4' }) },
  { when: (e) => e instanceof Error && e.message.startsWith('POLICY_VIOLATION'),
    then: () => ({ outcome: 'permanent', code: 'POLICY_VIOLATION', errorClass: 'system.policy_violation', layer: 'L5' }) },
  { when: (e) => e instanceof DownstreamError && (e.status === 429 || e.status >= 500),
    then: (e) => ({ outcome: 'transient', code: 'DOWNSTREAM_CALL_FAILED', errorClass: (e as DownstreamError).status === 429 ? 'infra.downstream.rate_limited' : 'infra.downstream.unavailable', layer: 'L3', httpStatus: (e as DownstreamError).status }) },
  { when: (e) => e instanceof DownstreamError,
    then: (e) => ({ outcome: 'permanent', code: 'DOWNSTREAM_CALL_FAILED', errorClass: 'infra.downstream.rejected', layer: 'L3', httpStatus: (e as DownstreamError).status }) },
  { when: (e) => e instanceof ModelParseError,
    then: () => ({ outcome: 'transient', code: 'MODEL_PARSE_ERROR', errorClass: 'domain.model_output_invalid', layer: 'L4' }) },
  // serialization_failure, deadlock_detected, unique race, lock timeout, query canceled (statement timeout)
  { when: (e) => ['40001', '40P01', '23505', '55P03', '57014'].includes(pgCode(e) ?? ''),
    then: (e) => ({ outcome: 'transient', code: 'DB_WRITE_FAILED', errorClass: pgCode(e) === '57014' ? 'infra.db.timeout' : 'infra.db.conflict', layer: 'L6' }) },
  // connection exceptions, admin shutdown, too many connections, out of resources
  { when: (e) => /^(08|53|57P0)/.test(pgCode(e) ?? ''),
    then: () => ({ outcome: 'transient', code: 'DB_WRITE_FAILED', errorClass: 'infra.db.unavailable', layer: 'L6' }) },
  // permission refused (a gate, a role without the grant), or SQL that does not fit the schema:
  // the same statement fails the same way next time
  { when: (e) => /^42/.test(pgCode(e) ?? ''),
    then: (e) => ({ outcome: 'permanent', code: 'DB_WRITE_FAILED', errorClass: pgCode(e) === '42501' ? 'system.permission_denied' : 'system.schema_mismatch', layer: 'L6' }) },
  // other integrity errors: the same write fails the same way next time
  { when: (e) => /^(22|23)/.test(pgCode(e) ?? ''),
    then: () => ({ outcome: 'permanent', code: 'DB_WRITE_FAILED', errorClass: 'system.data_integrity', layer: 'L6' }) },
  { when: (e) => NETWORK.has(sysCode(e) ?? '') || /connection (reset|terminated)|socket hang up/i.test((e as Error)?.message ?? ''),
    then: () => ({ outcome: 'transient', code: 'DOWNSTREAM_CALL_FAILED', errorClass: 'infra.network', layer: 'L5' }) },
  { when: (e) => e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError' || /timed? ?out/i.test(e.message)),
    then: () => ({ outcome: 'transient', code: 'DOWNSTREAM_CALL_FAILED', errorClass: 'infra.timeout', layer: 'L5' }) },
  { when: (e) => e instanceof TransientError,
    then: () => ({ outcome: 'transient', code: 'UNEXPECTED', errorClass: 'infra.transient', layer: 'L5' }) },
  { when: (e) => e instanceof PermanentError,
    then: () => ({ outcome: 'permanent', code: 'UNEXPECTED', errorClass: 'domain.rejected', layer: 'L4' }) },
];

/** Anything unrecognised retries with backoff and becomes a dead letter when attempts run out. */
const FALLBACK: Classification = { outcome: 'transient', code: 'UNEXPECTED', errorClass: 'system.unexpected', layer: 'L5', httpStatus: null };

export function classify(err: unknown): Classification {
  const rule = RULES.find((r) => r.when(err));
  if (!rule) return FALLBACK;
  return { httpStatus: null, ...rule.then(err) };
}

export const isPermanent = (err: unknown): boolean => classify(err).outcome === 'permanent';
