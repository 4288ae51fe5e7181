/**
 * Stage-runtime overhead: the same jobs through bare graphile-worker and
 * through defineStage, same process, same run, same graphile-worker settings
 * (local queue and batched completion in both). Two shapes: no-op jobs, and
 * jobs that each write one output row. Prints rates and their ratio.
 *
 *   npm run bench:overhead            (BENCH_JOBS=20000 BENCH_ROUNDS=5 to change)
 */
import { run, type TaskList } from 'graphile-worker';
import pg from 'pg';
import { z } from 'zod';
import { createLogger, workerLogger } from '../../lib/log/index.ts';
import { defineStage, startWorker, workerPoolSize, workerPreset } from '../../lib/stage/index.ts';
import { redactor } from '../helpers/redactor.ts';
import { benchDatabase, Countdown, drained, median } from './harness.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const quiet = createLogger('silent');
// Every task body below ticks this, so the clock stops without polling the queue while it drains.
const bodies = new Countdown();

const { url, db, done } = await benchDatabase();
// Stamped like ballast's own output tables: defaults that read the
// transaction's settings with built-ins (see "Writing a stage" in the README).
const stamp = (name: string) => `nullif(current_setting('ballast.${name}', true), '')`;
await db.query(`create table public.bench_outputs (
  n int primary key,
  trace_id text not null default ${stamp('trace_id')},
  correlation_id text not null default ${stamp('correlation_id')},
  produced_by text not null default ${stamp('task')},
  producer_version text not null default ${stamp('task_version')})`);

async function enqueue(task: string): Promise<void> {
  await db.query(
    `select graphile_worker.add_jobs(array_agg((
       $1::text, json_build_object('n', n, 'trace_id', $2::text, 'correlation_id', 'bench:' || n),
       null, null, null, null, null, null)::graphile_worker.job_spec))
       from generate_series(1, $3::int) n`, [task, TRACE, JOBS]);
}

/**
 * Every round starts from the same state, outside the clock: no output rows,
 * the dead job rows of the previous round vacuumed away (graphile-worker
 * fetches jobs by scanning that table) and no checkpoint pending that would
 * land in whichever round happens to cross it.
 */
async function settle(): Promise<void> {
  await db.query('truncate public.bench_outputs');
  await db.query('vacuum graphile_worker._private_jobs');
  await db.query('checkpoint');
}

/**
 * Jobs per second from the moment the jobs are added until none is left. The
 * worker is started (and idle) before the clock starts, so its start-up is
 * not part of either rate.
 */
async function timed(task: string, start: () => Promise<() => Promise<void>>): Promise<number> {
  await settle();
  const stop = await start();
  bodies.reset(JOBS);
  const t0 = performance.now();
  await enqueue(task);
  const ms = await drained(db, t0, bodies.done);
  await stop();
  return (JOBS / ms) * 1000;
}

// Bare graphile-worker gets a pool as large as a ballast worker's (its own
// default is 10 connections), so both sides run with the same settings.
const timeBare = (task: string, tasks: TaskList) => timed(task, async () => {
  const pool = new pg.Pool({ connectionString: url, max: workerPoolSize(CONCURRENCY) });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const runner = await run({ pgPool: pool, taskList: tasks, concurrency: CONCURRENCY, noHandleSignals: true,
    parsedCronItems: [], logger: workerLogger(quiet), preset: workerPreset(CONCURRENCY) });
  return async () => { await runner.stop(); await pool.end(); };
});

const timeStage = (stage: ReturnType<typeof defineStage>) => timed(stage.task, async () => {
  const worker = await startWorker({ connectionString: url, stages: [stage], concurrency: CONCURRENCY, handleSignals: false, log: quiet, redactor });
  return async () => { await worker.stop(); await worker.done; };
});

const noopStage = defineStage({ task: 'stage_noop', version: '1.0.0', payload: z.object({ n: z.number() }), async run() { bodies.tick(); } });
const writeStage = defineStage({
  task: 'stage_write', version: '1.0.0', payload: z.object({ n: z.number() }),
  async run({ n }, { tx }) { await tx.query('insert into public.bench_outputs (n) values ($1)', [n]); bodies.tick(); },
});
const writeLaterStage = defineStage({
  task: 'stage_write_queued', version: '1.0.0', payload: z.object({ n: z.number() }),
  async run({ n }, { write }) { write('insert into public.bench_outputs (n) values ($1)', [n]); bodies.tick(); },
});
const bareNoop: TaskList = { bare_noop: async () => { bodies.tick(); } };
const bareWrite: TaskList = {
  bare_write: async (payload, helpers) => {
    const p = payload as { n: number; trace_id: string; correlation_id: string };
    await helpers.withPgClient((c) => c.query(
      `insert into public.bench_outputs (n, trace_id, correlation_id, produced_by, producer_version) values ($1, $2, $3, 'bare_write', '1.0.0')`,
      [p.n, p.trace_id, p.correlation_id]));
    bodies.tick();
  },
};

console.log(`jobs per round: ${JOBS}, rounds: ${ROUNDS}, concurrency: ${CONCURRENCY}`);
// The two target shapes, and for reference the same row written with
// `await tx.query()` (two round trips: the query, then the ledger row with COMMIT).
const shapes = [
  { name: 'no-op', target: true, bare: () => timeBare('bare_noop', bareNoop), stage: () => timeStage(noopStage) },
  { name: 'one output row (ctx.write)', target: true, bare: () => timeBare('bare_write', bareWrite), stage: () => timeStage(writeLaterStage) },
  { name: 'one output row (tx.query)', target: false, bare: () => timeBare('bare_write', bareWrite), stage: () => timeStage(writeStage) },
];
// Paired rounds, alternating which side runs first; the ratio is the median of
// the rounds' ratios, so slow drifts of a shared machine cancel out.
let worst = Infinity;
for (const shape of shapes) {
  const bare: number[] = [];
  const staged: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    let b: number, st: number;
    if (i % 2 === 0) { b = await shape.bare(); st = await shape.stage(); } else { st = await shape.stage(); b = await shape.bare(); }
    bare.push(b);
    staged.push(st);
    ratios.push(st / b);
  }
  const ratio = median(ratios);
  if (shape.target) worst = Math.min(worst, ratio);
  console.log(`${shape.target ? ' ' : '*'}${shape.name.padEnd(27)} bare graphile-worker ${median(bare).toFixed(0).padStart(6)} jobs/s | defineStage ${median(staged).toFixed(0).padStart(6)} jobs/s | ratio ${ratio.toFixed(2)} (rounds ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
}
console.log(`worst ratio of the target shapes ${worst.toFixed(2)} (target >= 0.70; * = for reference, not a target shape)`);
await done();
