/**
 * Outcomes a stage can state by throwing: permanent (retrying cannot help)
 * or transient (retry with graphile-worker's backoff). Anything else is
 * classified by `isPermanent`.
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

/** Turns a zod error into one readable line: `payload.event_id: expected number`. */
export function zodMessage(err: ZodError, root = 'payload'): string {
  return err.issues
    .map((i) => `${[root, ...i.path.map(String)].join('.')}: ${i.message}`)
    .join('; ');
}

export function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentError || err instanceof ZodError) return true;
  if (err instanceof TransientError) return false;
  return err instanceof Error && err.message.startsWith('POLICY_VIOLATION');
}

/** One line for the ledger: never the stack, never the input. */
export function errorSummary(err: unknown): string {
  const e = err instanceof ZodError ? new InvalidInputError(zodMessage(err)) : err;
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.length > 500 ? `${text.slice(0, 497)}...` : text;
}
