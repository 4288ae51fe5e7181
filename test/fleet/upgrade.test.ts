/**
 * The upgrade test of the worker-heartbeat migration: ledger rows and queued
 * jobs written by a ballast without heartbeats are kept; afterwards an
 * attempt left running by a worker that died before the upgrade is
 * abandoned, and a job whose attempt had succeeded no longer counts as an
 * unrecorded failure.
 */
import t from 'tap';
import { rescueDeadWorkers } from '../../lib/fleet/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';
import { waitFor } from '../helpers/wait.ts';

const MIGRATION = '008_worker_heartbeats.sql';
const TRACE = '0af7651916cd43dd8448eb211c80319c';

t.test(`${MIGRATION}: old ledger rows and jobs are kept, and the rescue cleans up what an old crash left`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  const attempt = (span: string, jobId: string, status: string, heartbeat: string) => db.query(
    `insert into ballast.job_attempts (job_id, task, attempt, max_attempts, trace_id, span_id, worker_id, status, job_created_at, started_at, heartbeat_at, finished_at)
     values ($1, 'probe', 1, 1, $2, $3, 'old-host:42:abcdef', $4::text, now(), now() - interval '2 hours', now() - $5::interval,
             case when $4::text = 'running' then null else now() end)`, [jobId, TRACE, span, status, heartbeat]);
  const { rows: [done] } = await db.query(`select id::text from graphile_worker.add_job('probe', '{}', max_attempts => 1)`);
  const { rows: [crashed] } = await db.query(`select id::text from graphile_worker.add_job('probe', '{}', max_attempts => 1)`);
  await db.query(`update graphile_worker._private_jobs set attempts = 1`);
  await attempt('00000000000000a1', done.id, 'succeeded', '1 hour');
  await attempt('00000000000000a2', crashed.id, 'running', '1 hour');
  const before = (await db.query(`select span_id, status from ballast.job_attempts order by span_id`)).rows;
  t.same((await db.query(`select id::text from ballast.unrecorded_failed_jobs order by id`)).rows.map((r) => r.id), [done.id, crashed.id],
    'before: the job whose attempt succeeded counts as an unrecorded failure (a false dead letter to be)');

  t.same(await up.apply(), [MIGRATION]);
  t.same((await db.query(`select span_id, status from ballast.job_attempts order by span_id`)).rows, before, 'every ledger row is kept');
  t.same((await db.query(`select id::text from ballast.unrecorded_failed_jobs order by id`)).rows.map((r) => r.id), [crashed.id],
    'after: only the job that did not do its work');

  // A new worker heartbeats; once it has for the grace period, the old running attempt is abandoned.
  const beat = () => db.query(`select ballast.beat_worker('new-host:7:123456', 'new-host', 7, '{}', '{probe}', 1, 100)`);
  await beat();
  const r = await waitFor('the rescue to abandon the old attempt', async () => {
    await beat();
    const res = await rescueDeadWorkers(db, { graceSeconds: 0.5 });
    return res.abandoned > 0 ? res : null;
  });
  t.match(r, { workers: 0, abandoned: 1 });
  t.match((await db.query(`select status, error from ballast.job_attempts where span_id = '00000000000000a2'`)).rows[0],
    { status: 'abandoned', error: /worker old-host:42:abcdef has no heartbeat row/ });
});
