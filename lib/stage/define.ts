/**
 * `defineStage` turns a function into a graphile-worker task with a payload
 * schema, a trace context, a job-ledger row per attempt, and one transaction
 * for its outputs, the jobs they trigger and the ledger's success.
 */
import type { Job, JobHelpers, Task } from 'graphile-worker';
import type { z } from 'zod';
import type { Db, Tx } from '../db/index.ts';
import type { Config } from '../config/index.ts';
import type { Logger } from '../log/index.ts';
import { checkDeclaration, declaringFile, type Declares, type StageDeclaration } from './declaration.ts';
import { isSpanId, isTraceId, newSpanId, newTraceId, withTrace, type TraceContext } from '../trace/index.ts';
import { classify, errorMessage, InvalidInputError, recordFailureSafely, stageFailure, zodMessage, type Redactor } from '../failures/index.ts';
import { stopRetrying } from '../queue/index.ts';
import { attemptStatement, heartbeatAttempt, type AttemptRow, type LedgerBatcher } from './ledger.ts';
import { StageTx } from './tx.ts';

export interface StageContext {
  /**
   * The stage's ATOMIC_WRITE transaction, opened by its first query and
   * committed with the ledger's success row. Do network calls before the first
   * query so the transaction stays short.
   */
  tx: Tx;
  /**
   * Queues a write whose result the stage does not need. Queued writes run in
   * order, in the same transaction, with the next `tx.query` or with the final
   * commit, so a stage that reads once and writes costs two round trips, and
   * one that only writes costs one. An error surfaces as the stage's failure.
   * One statement per call: each distinct text is prepared once per
   * connection and then only bound. A text of several statements fails the
   * job permanently (`MULTI_STATEMENT`).
   */
  write(text: string, values?: unknown[]): void;
  /** The worker's pool, for work that manages its own transactions (maintenance tasks). */
  db: Db;
  /** The worker's configuration. */
  config: Config;
  job: Job;
  trace: TraceContext;
  log: Logger;
  /** The install's redactor, for anything the stage stores that may hold personal data (decision snapshots). */
  redactor: Redactor;
  /** Aborts when the worker shuts down and its grace period runs out. */
  signal: AbortSignal;
  /** What the stage declared (its engine, outputs, ...). */
  stage: StageDeclaration;
}

export interface StageSpec<S extends z.ZodType> extends Declares {
  /** graphile-worker task identifier. */
  task: string;
  /** Version of this stage's code, stamped on every row it writes (`producer_version`). */
  version: string;
  /** Version of the model or engine that decides, stamped as `model_version`. @defaultValue the engine's version */
  modelVersion?: string;
  /** Version of the prompt or rule set, stamped as `prompt_version`. @defaultValue the engine's rule set */
  promptVersion?: string;
  /** Schema of the job payload (trace fields excluded). Invalid payloads fail permanently. */
  payload: S;
  /** Named queue a worker can select with `--queues`. @defaultValue `pipeline` */
  queue?: string;
  /**
   * Start a new trace when the payload carries none (cron and maintenance
   * tasks). Pipeline stages leave this off, so a missing trace is a bug the
   * trace-id policy sees. @defaultValue `false`
   */
  rootTrace?: boolean;
  run(input: z.infer<S>, ctx: StageContext): Promise<unknown>;
}

export interface Stage<S extends z.ZodType = z.ZodType> extends Omit<StageSpec<S>, keyof Declares | keyof StageDeclaration>, StageDeclaration {
  /** Builds the graphile-worker task for a worker process. */
  toTask(runtime: StageRuntime): Task;
  /** The module that declared the stage (`tasks/x.ts`), for messages; null when unknown. */
  readonly definedIn: string | null;
}

/** What a worker process shares with all its stages. */
export interface StageRuntime {
  db: Db;
  config: Config;
  ledger: LedgerBatcher;
  log: Logger;
  /** Masks what failures leave behind (lib/failures). */
  redactor: Redactor;
  /** Unique per process. */
  workerId: string;
  heartbeatMs: number;
}

/** Trace fields every job payload may carry, set by the triggers that enqueue it. */
export interface TracePayload {
  trace_id?: string;
  parent_span_id?: string;
  correlation_id?: string;
  /** Set by dead-letter replay: the dead letter this job answers. */
  replay_of?: string;
}

function traceFrom(payload: unknown, spec: StageSpec<z.ZodType>): TraceContext {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Record<string, unknown>;
  return {
    trace_id: isTraceId(p.trace_id) ? p.trace_id : spec.rootTrace ? newTraceId() : null,
    span_id: newSpanId(),
    parent_span_id: isSpanId(p.parent_span_id) ? p.parent_span_id : null,
    correlation_id: typeof p.correlation_id === 'string' && p.correlation_id ? p.correlation_id : null,
    task: spec.task,
    task_version: spec.version,
    model_version: spec.modelVersion ?? null,
    prompt_version: spec.promptVersion ?? null,
  };
}

export function defineStage<S extends z.ZodType>(declared: StageSpec<S>): Stage<S> {
  checkDeclaration(declared.task, declared);
  const spec: StageSpec<S> = {
    ...declared,
    modelVersion: declared.modelVersion ?? declared.engine?.version,
    promptVersion: declared.promptVersion ?? declared.engine?.ruleset ?? undefined,
  };
  const queue = spec.queue ?? 'pipeline';
  const stage: Stage<S> = {
    ...spec,
    queue,
    decision: spec.decision ?? false,
    engine: spec.engine ?? null,
    outputs: spec.outputs ?? [],
    inputKey: spec.inputKey ?? null,
    definedIn: declaringFile(),
    toTask(rt: StageRuntime): Task {
      return async (payload: unknown, helpers: JobHelpers) => {
        const { job } = helpers;
        const trace = traceFrom(payload, spec);
        const row: AttemptRow = {
          job_id: String(job.id),
          task: spec.task,
          task_version: spec.version,
          queue: job.job_queue_id != null ? ((await helpers.getQueueName()) ?? null) : null,
          attempt: job.attempts,
          max_attempts: job.max_attempts,
          trace_id: trace.trace_id,
          span_id: trace.span_id,
          parent_span_id: trace.parent_span_id,
          correlation_id: trace.correlation_id,
          worker_id: rt.workerId,
          status: 'running',
          job_created_at: job.created_at,
          started_at: new Date(),
          finished_at: null,
          error: null,
          will_retry: null,
          replay_of: typeof (payload as TracePayload | null)?.replay_of === 'string' ? (payload as TracePayload).replay_of! : null,
        };
        return withTrace(trace, async () => {
          const tx = new StageTx(rt.db, `worker:${rt.workerId}`);
          let beat: Promise<void> = Promise.resolve();
          let beats = 0;
          const timer = setInterval(() => {
            beats += 1;
            beat = heartbeatAttempt(rt.db, row).catch((e) => rt.log.warn({ err: e }, 'heartbeat failed'));
          }, rt.heartbeatMs);
          const stopBeating = async () => { clearInterval(timer); await beat; };
          try {
            const parsed = spec.payload.safeParse(payload);
            if (!parsed.success) throw new InvalidInputError(zodMessage(parsed.error));
            await spec.run(parsed.data, { tx, write: (text, values) => tx.write(text, values), db: rt.db, config: rt.config, job, trace, log: rt.log, redactor: rt.redactor, signal: helpers.abortSignal, stage });
            await stopBeating();
            row.status = 'succeeded';
            row.finished_at = new Date();
            if (tx.used) {
              await tx.commit(attemptStatement(row, beats > 0));
            } else if (row.trace_id) {
              // Nothing to commit with: the row joins the next ledger batch
              // and the job completes without waiting for it (see LedgerBatcher).
              void rt.ledger.record(row).catch((e) => rt.log.error({ err: e }, 'could not record attempt'));
            } else {
              // Traceless: the trace policy may refuse this success, so wait for its verdict.
              await rt.ledger.record(row);
            }
            if (!row.trace_id) await logPolicyViolation(rt, row);
            rt.log.debug('stage succeeded');
          } catch (err) {
            await tx.rollback().catch(() => undefined);
            await stopBeating();
            const c = classify(err);
            const willRetry = c.outcome === 'transient' && job.attempts < job.max_attempts;
            if (c.outcome === 'permanent' && job.attempts < job.max_attempts) {
              await stopRetrying(rt.db, String(job.id)).catch((e) => rt.log.error({ err: e }, 'could not mark job permanent'));
            }
            const failure = stageFailure(rt.redactor, err, c, {
              task: spec.task, version: spec.version, jobId: String(job.id), attempt: job.attempts,
              maxAttempts: job.max_attempts, queue: row.queue, workerId: rt.workerId, payload, trace,
            }, willRetry);
            const errorId = failure.envelope!.error_id;
            row.status = 'failed';
            row.finished_at = new Date();
            row.error = `${errorMessage(err, rt.redactor)} [${errorId}]`;
            row.will_retry = willRetry;
            // Both best-effort and bounded: a failure path must not hang on its own paperwork.
            await withDeadline(Promise.all([
              rt.ledger.record(row).catch((e) => rt.log.error({ err: e, error_id: errorId }, 'could not record failed attempt')),
              recordFailureSafely(rt, failure),
            ]), 10_000, () => rt.log.error({ error_id: errorId }, 'recording the failure took over 10 s; moving on'));
            rt.log[willRetry ? 'warn' : 'error'](
              { error_id: errorId, error_class: c.errorClass, code: c.code, job_id: String(job.id), attempt: job.attempts,
                max_attempts: job.max_attempts, outcome: c.outcome, error: failure.envelope!.message },
              willRetry ? 'stage failed; will retry' : 'stage failed; dead letter written');
            // graphile-worker keeps the message as the job's last_error: it gets the masked one.
            throw err instanceof Error && err.name !== 'ZodError' ? maskedError(err, rt.redactor) : new InvalidInputError(errorMessage(err, rt.redactor));
          }
        });
      };
    },
  };
  return stage;
}

/**
 * Seed 004's log line for a traceless success in log-only mode: the ledger's
 * trigger recorded the violation (ballast.attempt_succeeded); the worker says
 * so in its log, at error level, as the seed's orchestrator did.
 */
async function logPolicyViolation(rt: StageRuntime, row: AttemptRow): Promise<void> {
  const { rows: [v] } = await rt.db.query(
    `select message, detail->>'cutoff' as cutoff from ballast.policy_violations where attempt_span_id = $1 order by id desc limit 1`,
    [row.span_id]).catch(() => ({ rows: [] as { message: string; cutoff: string }[] }));
  if (!v) return;
  rt.log.error({ job_id: row.job_id, task: row.task, correlation_id: row.correlation_id, created_at: row.job_created_at,
    trace_enforcement_start: v.cutoff, severity: 'critical' }, 'POLICY_VIOLATION: Job succeeded without trace_id');
}

/** A copy of `err` with its message masked, under the same name. */
function maskedError(err: Error, redactor: Redactor): Error {
  const copy = new Error(redactor.text(err.message));
  copy.name = err.name;
  return copy;
}

async function withDeadline(p: Promise<unknown>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => { timer = setTimeout(() => { onTimeout(); resolve(); }, ms); });
  await Promise.race([p.then(() => undefined), late]);
  clearTimeout(timer);
}
