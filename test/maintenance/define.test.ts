import t, { type Test } from 'tap';
import { z } from 'zod';
import { defineMaintenanceTask, maintenanceConfig } from '../../lib/maintenance/index.ts';
import { InvalidInputError } from '../../lib/failures/index.ts';
import { runNamed } from '../../lib/forensics/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const config = z.object({
  /** Items per batch. */
  batch_size: z.number().int().positive().default(10),
  /** Batches per run. */
  max_batches: z.number().int().positive().default(100),
});

t.test('config: defaults fill what the payload leaves out; trace and cron fields are not config', async (t) => {
  t.same(maintenanceConfig('x', config, {}), { batch_size: 10, max_batches: 100 });
  t.same(maintenanceConfig('x', config, undefined), { batch_size: 10, max_batches: 100 });
  t.same(maintenanceConfig('x', config, {
    batch_size: 3, trace_id: 'a'.repeat(32), correlation_id: 'cron:x', parent_span_id: 'b'.repeat(16), _cron: { ts: 'now' },
  }), { batch_size: 3, max_batches: 100 });
});

t.test('config: an invalid or unknown field is a permanent failure that names it', async (t) => {
  t.throws(() => maintenanceConfig('x', config, { batch_size: 0 }), { name: 'InvalidInputError', message: /x: invalid config: config\.batch_size/ });
  t.throws(() => maintenanceConfig('x', config, { batchSize: 5 }), /invalid config: .*batchSize/, 'the camelCase spelling is refused, not ignored');
  try {
    maintenanceConfig('x', config, { batch_size: 'ten' });
    t.fail('expected a throw');
  } catch (e) {
    t.ok(e instanceof InvalidInputError);
  }
});

// One database and one worker for the runs below; each task has its own table.
const { db, url } = await testDatabase(t);
await db.query(`create table public.items (id int primary key, kind text not null)`);
const sizes: number[] = [];

const takeItems = (kind: string) => async ({ batch_size }: { batch_size: number }) => {
  const { rowCount } = await db.query(
    `delete from public.items where id in (select id from public.items where kind = $1 order by id limit $2)`, [kind, batch_size]);
  return rowCount ?? 0;
};

const drain = defineMaintenanceTask({
  name: 'test_drain', config,
  async runOnce(cfg) {
    const n = await takeItems('drain')(cfg);
    sizes.push(n);
    return { taken: n, deleted: n };
  },
});
const failing = defineMaintenanceTask({
  name: 'test_failing', config,
  async runOnce(cfg, { batch }) {
    if (batch === 1) throw new InvalidInputError('item owned by +15555550199 is broken');
    const n = await takeItems('failing')(cfg);
    return { taken: n, deleted: n };
  },
});
const single = defineMaintenanceTask({
  name: 'test_single', config: z.object({ label: z.string().default('none') }),
  async runOnce() { return { taken: 7 }; },
});
await startTestWorker(t, url, { stages: [drain, failing, single] });

/** Enqueues one run of `task` and returns the one row it leaves. */
async function runTask(t: Test, task: string, payload: object): Promise<Record<string, any>> {
  const { rows: [{ last }] } = await db.query('select coalesce(max(id), 0) as last from ballast.maintenance_runs');
  await db.query('select graphile_worker.add_job($1, $2::json)', [task, JSON.stringify(payload)]);
  const rows = await waitFor(`a run row for ${task}`, async () => {
    const { rows } = await db.query('select * from ballast.maintenance_runs where id > $1 order by id', [last]);
    return rows.length ? rows : null;
  });
  t.same(rows.map((r) => r.task), [task], `one row for the run of ${task}`);
  return rows[0]!;
}

t.test('a run repeats runOnce until a batch comes back short, and stores one row with the summed counts', async (t) => {
  await db.query(`insert into public.items select g, 'drain' from generate_series(1, 25) g`);
  const run = await runTask(t, 'test_drain', {});
  t.same(sizes, [10, 10, 5], 'two full batches, then the short one ends the run');
  t.match(run, { task: 'test_drain', outcome: 'succeeded', error: null, trace_id: /^[0-9a-f]{32}$/ });
  t.same(run.counts, { batches: 3, taken: 25, deleted: 25 });
  t.ok(run.started_at <= run.finished_at);
});

t.test('max_batches from the payload bounds a run of full batches', async (t) => {
  sizes.length = 0;
  await db.query(`insert into public.items select g, 'drain' from generate_series(101, 150) g`);
  const run = await runTask(t, 'test_drain', { batch_size: 20, max_batches: 2 });
  t.same(sizes, [20, 20]);
  t.same(run.counts, { batches: 2, taken: 40, deleted: 40 });
});

t.test('without batch_size in its config a run is one batch', async (t) => {
  const run = await runTask(t, 'test_single', { label: 'once' });
  t.same(run.counts, { batches: 1, taken: 7 });
});

t.test('a failing run still leaves its row: outcome, redacted error, and the counts so far', async (t) => {
  await db.query(`insert into public.items select g, 'failing' from generate_series(201, 230) g`);
  const run = await runTask(t, 'test_failing', {});
  t.match(run, { outcome: 'failed', error: /is broken/ });
  t.notMatch(run.error, /5555550199/, 'the phone number is masked');
  t.same(run.counts, { batches: 1, taken: 10, deleted: 10 });
  const dl = await waitFor('the dead letter', async () => (await db.query(
    `select * from ballast.pipeline_failures where failing_function = 'test_failing'`)).rows[0]);
  t.ok(dl, 'the failure also took the stage failure path');
});

t.test('an invalid config fails the job permanently and leaves a failed run row', async (t) => {
  const run = await runTask(t, 'test_single', { batchSize: 5 });
  t.match(run, { outcome: 'failed', error: /test_single: invalid config: .*batchSize/ });
  t.same(run.counts, { batches: 0 });
  await waitFor('the job to be failed for good, not retried', async () => (await db.query(
    `select 1 from ballast.queued_jobs where task_identifier = 'test_single' and attempts > 0 and attempts = max_attempts`)).rows[0]);
  t.pass('no retry of an invalid config');
});

t.test('the maintenance_runs forensic query shows the last run of each task, and its failures', async (t) => {
  const rows = await runNamed(db, 'maintenance_runs');
  t.same(rows.map((r) => r.task), ['test_drain', 'test_failing', 'test_single']);
  t.match(rows.find((r) => r.task === 'test_single'), { outcome: 'failed', failed_last_day: 1 });
  t.match(rows.find((r) => r.task === 'test_drain'), { outcome: 'succeeded', failed_last_day: 0, counts: { batches: 2 } });
});
