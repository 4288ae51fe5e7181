/**
 * The pino logger. Every line written inside a trace context carries
 * trace_id, span_id, parent_span_id and correlation_id.
 */
import { pino, type Logger } from 'pino';
import type { Config } from '../config/index.ts';
import { currentTrace } from '../trace/index.ts';
import { redactor } from '../failures/index.ts';

/** Keys whose values never reach a log line. */
export const REDACT_PATHS = [
  'secret', '*.secret', 'password', '*.password', 'token', '*.token',
  'authorization', '*.authorization', 'headers.authorization', 'headers["webhook-signature"]',
  'connectionString', '*.connectionString', 'databaseUrl', '*.databaseUrl',
];

function traceFields(): Record<string, unknown> {
  const t = currentTrace();
  if (!t) return {};
  return {
    trace_id: t.trace_id,
    span_id: t.span_id,
    parent_span_id: t.parent_span_id,
    correlation_id: t.correlation_id,
    ...(t.task ? { task: t.task } : {}),
  };
}

export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      mixin: traceFields,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // Values too: phone numbers, e-mail addresses and tokens anywhere in a line.
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
    const lvl = level === 'warning' ? 'warn' : level === 'error' ? 'error' : level === 'info' ? 'info' : 'debug';
    logger[lvl](fields, message);
  });
}
