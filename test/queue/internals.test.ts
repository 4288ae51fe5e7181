import { createRequire } from 'node:module';
import t from 'tap';
import { z } from 'zod';
import { forceUnlockWorkers, GRAPHILE_WORKER_VERSION, jobsLockedBy, PRIVATE_COLUMNS, removeDeadLetteredJobs, removeJobs, stopRetrying } from '../../lib/queue/index.ts';
import { defineStage } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const installed = (createRequire(import.meta.url)('graphile-worker/package.json') as { version: string }).version;

t.test('the installed graphile-worker is the version the private-table statements were checked against', async (t) => {
  t.equal(installed, GRAPHILE_WORKER_VERSION,
    `graphile-worker is ${installed}, but ballast's reads of its private tables were checked against ${GRAPHILE_WORKER_VERSION}. ` +
    'Re-check, against the new version\'s sql/ migrations: the statements in lib/queue/internals.ts (stopRetrying, removeDeadLetteredJobs, jobsLockedBy), ' +
    'the view ballast.queued_jobs and the view ballast.unrecorded_failed_jobs built on it (sql/migrations), ' +
    'and that a job whose attempts reached max_attempts is still never fetched again; then update GRAPHILE_WORKER_VERSION and PRIVATE_COLUMNS.');
});

t.test('every private column ballast uses exists in the migrated database', async (t) => {
  const { db } = await testDatabase(t);
  for (const [table, columns] of Object.entries(PRIVATE_COLUMNS)) {
    const { rows } = await db.query<{ column_name: string }>(
      `select column_name from information_schema.columns where table_schema = 'graphile_worker' and table_name = $1`, [table]);
    const present = new Set(rows.map((r) => r.column_name));
    t.same(columns.filter((c) => !present.has(c)), [],
      `graphile_worker.${table} lacks columns lib/queue/internals.ts or ballast.queued_jobs use (graphile-worker ${installed})`);
  }
});

t.test('stopRetrying makes the current attempt a job\'s last, as the public jobs view shows', async (t) => {
  const { db } = await testDatabase(t);
  const { rows: [job] } = await db.query(`select id from graphile_worker.add_job('internals_probe', '{}', max_attempts => 5)`);
  await db.query('update graphile_worker._private_jobs set attempts = 2 where id = $1', [job.id]);
  await stopRetrying(db, String(job.id));
  const { rows: [after] } = await db.query('select attempts, max_attempts from graphile_worker.jobs where id = $1', [job.id]);
  t.same(after, { attempts: 2, max_attempts: 2 });
});

t.test('removeDeadLetteredJobs deletes only failed-for-good jobs that have a dead letter', async (t) => {
  const { db } = await testDatabase(t);
  const add = async (maxAttempts: number) => (await db.query(
    `select id from graphile_worker.add_job('internals_probe', '{}', max_attempts => $1)`, [maxAttempts])).rows[0].id as string;
  const lettered = await add(1);
  const unlettered = await add(1);
  const retrying = await add(5);
  await db.query(`update graphile_worker._private_jobs set attempts = 1, last_error = 'boom', updated_at = now() - interval '1 hour'`);
  await db.query(
    `insert into ballast.pipeline_failures (interaction_id, failing_function, context)
     select 'probe', 'internals_probe', jsonb_build_object('job_id', id::text)
       from graphile_worker.jobs where id = $1 or id = $2`, [lettered, retrying]);
  const removed = await db.atomicWrite((tx) => removeDeadLetteredJobs(tx, 60));
  t.equal(removed, 1);
  const { rows } = await db.query('select id::text from graphile_worker.jobs order by id');
  t.same(rows.map((r) => r.id), [String(unlettered), String(retrying)].sort((a, b) => Number(a) - Number(b)));
});

t.test('jobsLockedBy sees a job a real pool locked, and tells when add_job superseded it; freeing and removing use graphile-worker\'s functions', async (t) => {
  const { db, url } = await testDatabase(t);
  let release = false;
  const hold = defineStage({
    task: 'internals_hold', version: '1.0.0', payload: z.object({}),
    async run() { await waitFor('the release', async () => release, { timeoutMs: 60_000 }); },
  });
  await db.query(`select graphile_worker.add_job('internals_hold', '{"trace_id": "0af7651916cd43dd8448eb211c80319c"}', job_key => 'hold:1')`);
  const worker = await startTestWorker(t, url, { stages: [hold], concurrency: 1 });
  const { rows: [w] } = await db.query(`select pool_ids from ballast.workers where worker_id = $1`, [worker.workerId]);
  const [before] = await waitFor('the lock', async () => {
    const jobs = await db.atomicWrite((tx) => jobsLockedBy(tx, w.pool_ids));
    return jobs.length ? jobs : null;
  });
  t.match(before, { task: 'internals_hold', attempts: 1, max_attempts: 25, locked_by: w.pool_ids[0], trace_id: '0af7651916cd43dd8448eb211c80319c', superseded: false },
    'locking a job does not look like superseding it');
  await db.query(`select graphile_worker.add_job('internals_hold', '{}', job_key => 'hold:1')`);
  const [after] = await db.atomicWrite((tx) => jobsLockedBy(tx, w.pool_ids));
  t.match(after, { id: before!.id, attempts: 25, superseded: true }, 'add_job with its key supersedes the running job');

  // What a rescue does with a superseded job of a dead pool: free it, then remove it.
  await db.atomicWrite(async (tx) => {
    t.same(await removeJobs(tx, [before!.id]), [], 'a locked job is not removed');
    await forceUnlockWorkers(tx, w.pool_ids);
    t.same(await removeJobs(tx, [before!.id]), [before!.id]);
  });
  release = true;
  await waitFor('the newer job to run', async () => (await db.query(`select count(*)::int n from ballast.queued_jobs`)).rows[0].n === 0);
});
