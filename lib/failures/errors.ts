/**
 * Failures a stage can state by throwing. Outcomes are values: permanent
 * (retrying cannot help) or transient (retry with backoff); `classify` maps
 * everything else.
 */
import { ZodError } from 'zod';

export class PermanentError extends Error {
  override name = 'PermanentError';
  constructor(message: string, readonly code = 'PERMANENT', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The input can never be processed as it is. */
export class InvalidInputError extends PermanentError {
  override name = 'InvalidInputError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'INPUT_INVALID', options);
  }
}

export class TransientError extends Error {
  override name = 'TransientError';
  constructor(message: string, readonly code = 'TRANSIENT', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A call to another service failed with an HTTP status (429 and 5xx retry; other 4xx do not). */
export class DownstreamError extends Error {
  override name = 'DownstreamError';
  constructor(readonly service: string, readonly status: number, message: string, options?: { cause?: unknown }) {
    super(`${service} answered ${status}: ${message}`, options);
  }
}

/** A model's output could not be parsed; another try may produce a parseable one. */
export class ModelParseError extends Error {
  override name = 'ModelParseError';
}

/** Turns a zod error into one readable line: `payload.event_id: expected number`. */
export function zodMessage(err: ZodError, root = 'payload'): string {
  return err.issues
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

/**
 * An error's message, with what failed beneath it when the message alone
 * says nothing: fetch fails with just "fetch failed", and what failed
 * (connect ECONNREFUSED 127.0.0.1:6333, ...) is in its cause.
 */
export function messageWithCause(err: unknown): string {
  const message = err instanceof Error ? err.message || err.name : String(err);
  const cause = (err as { cause?: { message?: unknown; code?: unknown } } | null | undefined)?.cause;
  const why = cause?.message || cause?.code;
  return message === 'fetch failed' && typeof why === 'string' ? `${message}: ${why}` : message;
}
