/**
 * The pino logger. Every line written inside a trace context carries
 * trace_id, span_id, parent_span_id and correlation_id, and every line goes
 * through the install's redactor (lib/failures), so a value masked in a log
 * line has the same mask as in the failure tables.
 */
import { pino, type Logger } from 'pino';
import type { Config } from '../config/index.ts';
import { currentTrace, type TraceContext } from '../trace/index.ts';
import { Redactor } from '../failures/index.ts';

/** A trace context's log fields: the current one's (AsyncLocalStorage) unless one is given. */
export function traceFields(t: TraceContext | undefined = currentTrace()): Record<string, unknown> {
  if (!t) return {};
  return {
    trace_id: t.trace_id,
    span_id: t.span_id,
    parent_span_id: t.parent_span_id,
    correlation_id: t.correlation_id,
    ...(t.task ? { task: t.task } : {}),
  };
}

/**
 * A logger that masks with `redactor` (key names at any depth, and phone
 * numbers, e-mail addresses and tokens anywhere in a line).
 * @param redactor the install's (`redactorFromConfig`). @defaultValue one with
 *   a per-process key and only the built-in key names: it never leaks, but its
 *   masks match nothing stored
 */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream, redactor: Redactor = Redactor.ephemeral()): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      mixin: () => traceFields(),
      formatters: { log: (obj) => redactor.value(obj) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactor.text(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}

/**
 * The process-wide logger, at `info` until the process's entry point (the
 * CLI, a test helper) applies the configured level with `configureLogging`.
 */
export const log: Logger = createLogger();

/** Sets the process-wide logger's level from configuration (LOG_LEVEL, quiet under the test runner). */
export function configureLogging(config: Pick<Config, 'LOG_LEVEL'>): void {
  log.level = config.LOG_LEVEL;
}
export type { Logger };

/** graphile-worker's logger, writing through pino (its debug chatter at debug level). */
import { Logger as WorkerLogger } from 'graphile-worker';
export function workerLogger(logger: Logger = log): WorkerLogger {
  return new WorkerLogger((scope) => (level, message, meta) => {
    const fields: Record<string, unknown> = { component: 'graphile-worker' };
    if (scope.taskIdentifier) fields.task = scope.taskIdentifier;
    if (scope.jobId) fields.job_id = scope.jobId;
    if (meta && (meta as { failure?: boolean }).failure) {
      // The stage runtime logs failures itself with the error envelope; keep this one short.
      logger.debug(fields, message.split('\n')[0]);
      return;
    }
    if (meta && (meta as { success?: boolean }).success) {
      // "Completed task ... with success", once per job: the job ledger (ballast.job_attempts) is its record.
      logger.debug(fields, message);
      return;
    }
    const lvl = level === 'warning' ? 'warn' : level === 'error' ? 'error' : level === 'info' ? 'info' : 'debug';
    logger[lvl](fields, message);
  });
}
