/**
 * How the `ballast` command reports a failure: `ballast: <what went wrong>`
 * on stderr and an exit code, never a stack trace (BALLAST_DEBUG adds it).
 * The same for a command's errors and for those thrown while the command
 * line loads, such as a stage in tasks/ that declares a bad version.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, debugRequested, loadConfig } from '../config/index.ts';
import { describeTarget, explainConnectionFailure, explainMissingRole } from '../db/index.ts';
import { messageWithCause } from '../failures/errors.ts';
import { stackFrames } from '../stage/declaration.ts';

/** The exit code of a command that failed. */
export const EXIT_FAILURE = 1;
/**
 * The exit code of a configuration error (sysexits' EX_CONFIG): a BALLAST_*
 * variable, DATABASE_URL's login or a stage declaration in tasks/ is wrong,
 * and running the command again will not help until it is fixed.
 */
export const EXIT_CONFIG = 78;

const TASKS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../tasks');

/**
 * What to print for `e` and the exit code. `loading`: `e` was thrown while
 * the command line loaded its modules, so the message names the file in
 * tasks/ (and its line) where it was thrown, if any.
 */
export function explainFailure(e: unknown, opts: { loading?: boolean } = {}): { message: string; exitCode: number } {
  const err = explainConnectionFailure(explainMissingRole(e), databasePlace());
  const message = messageWithCause(err);
  const exitCode = err instanceof ConfigError ? EXIT_CONFIG : EXIT_FAILURE;
  if (!opts.loading) return { message, exitCode };
  const site = thrownInTasks(err);
  if (err instanceof ConfigError) return { message: site ? `${site}: ${message}` : message, exitCode };
  // A module that does not load is a bug, not an operator's mistake: whoever fixes it needs the stack.
  const name = err instanceof Error ? `${err.name}: ` : '';
  const oneLine = message.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
  return { message: `cannot load ${site ?? 'the command line'}: ${name}${oneLine} (BALLAST_DEBUG=1 prints the stack)`, exitCode };
}

/** Prints the failure `e` (explainFailure) and returns its exit code. */
export function reportFailure(e: unknown, opts: { loading?: boolean } = {}): number {
  const { message, exitCode } = explainFailure(e, opts);
  console.error(`ballast: ${message}`);
  if (debugRequested()) console.error(e instanceof Error ? e.stack : e);
  return exitCode;
}

/** Where a command connects: DATABASE_URL's server and database, or the embedded server. */
function databasePlace(): string {
  try {
    const config = loadConfig();
    return config.DATABASE_URL ? `at ${describeTarget(config.DATABASE_URL)} (DATABASE_URL)` : `of the embedded server in ${config.dataDir}`;
  } catch {
    return 'at DATABASE_URL';
  }
}

/** `tasks/<file>.ts:<line>` of the innermost stack frame in tasks/, or null. */
function thrownInTasks(e: unknown): string | null {
  const frame = stackFrames(e instanceof Error ? e.stack : undefined).find((f) => f.file.startsWith(TASKS_DIR + path.sep));
  return frame ? `${path.relative(path.dirname(TASKS_DIR), frame.file)}:${frame.line}` : null;
}
