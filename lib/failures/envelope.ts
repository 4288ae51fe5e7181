/**
 * The unified error envelope (seed 002 1.1): what failed, where, for which
 * trace, with which input hash. Never the raw input, never a stack trace.
 */
import { randomBytes } from 'node:crypto';
import { ZodError } from 'zod';
import { InvalidInputError, zodMessage } from './errors.ts';
import type { Classification, Layer } from './classify.ts';
import type { Redactor } from './redact.ts';

export type Severity = 'debug' | 'info' | 'warning' | 'error' | 'critical';

export interface ErrorEnvelope {
  error_id: string;
  timestamp: string;
  layer: Layer;
  component: string;
  error_class: string;
  severity: Severity;
  message: string;
  correlation_id: string | null;
  decision_id: string | null;
  run_id: string | null;
  agent_id: string | null;
  tenant_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  input_hash: string | null;
  exception_type: string | null;
  exception_chain: string[];
  context: Record<string, unknown>;
}

export class LayerViolationError extends Error {
  override name = 'LayerViolationError';
}

export const newErrorId = (): string => `err_${randomBytes(6).toString('hex')}`;

/** Keyed hash (16 hex) of the input's JSON: enough to match, nothing to leak or brute-force. */
export function inputHash(input: unknown, redactor: Redactor): string | null {
  if (input === undefined) return null;
  return redactor.digest(JSON.stringify(input) ?? 'undefined', 16);
}

/** Semantic lockdown (seed 002): L4 emits domain.* and system.*; other layers infra.* and system.*. */
export function layerAllows(layer: Layer, errorClass: string): boolean {
  return layer === 'L4'
    ? errorClass.startsWith('domain.') || errorClass.startsWith('system.')
    : errorClass.startsWith('infra.') || errorClass.startsWith('system.');
}

/** `Name: message` for the error and each `cause`, redacted, at most 5 deep. */
export function exceptionChain(err: unknown, redactor: Redactor): string[] {
  const out: string[] = [];
  let e: unknown = err;
  while (e && out.length < 5) {
    const line = e instanceof ZodError ? `ZodError: ${zodMessage(e)}`
      : e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    out.push(redactor.text(line).slice(0, 500));
    e = e instanceof Error ? e.cause : undefined;
  }
  return out;
}

export function errorMessage(err: unknown, redactor: Redactor): string {
  const e = err instanceof ZodError ? new InvalidInputError(zodMessage(err)) : err;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return redactor.text(text.length > 500 ? `${text.slice(0, 497)}...` : text);
}

export interface EnvelopeInput {
  err: unknown;
  classification: Pick<Classification, 'errorClass' | 'layer'>;
  component: string;
  severity: Severity;
  input?: unknown;
  trace?: { trace_id: string | null; span_id: string | null; correlation_id: string | null } | undefined;
  ids?: Partial<Pick<ErrorEnvelope, 'decision_id' | 'run_id' | 'agent_id' | 'tenant_id'>>;
  context?: Record<string, unknown>;
}

/** Builds an envelope, redacted; refuses a class its layer may not emit. */
export function buildEnvelope(redactor: Redactor, i: EnvelopeInput): ErrorEnvelope {
  const { layer, errorClass } = i.classification;
  if (!layerAllows(layer, errorClass)) throw new LayerViolationError(`layer ${layer} may not emit ${errorClass}`);
  return {
    error_id: newErrorId(),
    timestamp: new Date().toISOString(),
    layer,
    component: i.component,
    error_class: errorClass,
    severity: i.severity,
    message: errorMessage(i.err, redactor),
    correlation_id: i.trace?.correlation_id ?? null,
    decision_id: i.ids?.decision_id ?? null,
    run_id: i.ids?.run_id ?? null,
    agent_id: i.ids?.agent_id ?? null,
    tenant_id: i.ids?.tenant_id ?? null,
    trace_id: i.trace?.trace_id ?? null,
    span_id: i.trace?.span_id ?? null,
    input_hash: inputHash(i.input, redactor),
    exception_type: i.err instanceof Error ? i.err.name : typeof i.err,
    exception_chain: exceptionChain(i.err, redactor),
    context: redactor.value(i.context ?? {}),
  };
}
