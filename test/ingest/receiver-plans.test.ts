/**
 * Migration 025 (issue 16): the inbox's statement trigger runs add_jobs with
 * generic plans made once per connection, and enable_seqscan off so those
 * plans use the job table's indexes whatever its size when they were made.
 * The jobs are the same as before; the plan of add_jobs' keyed-job UPDATE,
 * under the trigger's own settings, is an index scan even on a small queue,
 * where the default planner would seq-scan it (and keep that plan while the
 * queue grows, which is why 020 planned every call).
 */
import t from 'tap';
import pg from 'pg';
import type { Db } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const INSERT = `insert into ingest.webhook_events (source, webhook_id, raw_body, status, status_reason) values ($1, $2, $3, $4, $5) returning id`;
const BODY = JSON.stringify({ type: 'call.completed' });

/** The trigger function's settings, as `name=value`. */
async function triggerSettings(db: Db): Promise<string[]> {
  const { rows: [r] } = await db.query(`select proconfig from pg_proc where oid = 'ingest.enqueue_first_stages()'::regprocedure`);
  return r.proconfig;
}

/** The plan of add_jobs' keyed-job UPDATE (graphile-worker 0.17's text), generic, under `settings`. */
async function keyedUpdatePlan(url: string, settings: string[]): Promise<string> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (const s of settings) {
      const [name, value] = s.split('=', 2) as [string, string];
      await c.query(`select set_config($1, $2, false)`, [name, value]);
    }
    await c.query(`select set_config('plan_cache_mode', 'force_generic_plan', false)`);
    await c.query(`prepare keyed(graphile_worker.job_spec[]) as
      update graphile_worker._private_jobs as jobs set key = null, attempts = jobs.max_attempts, updated_at = now()
        from unnest($1) spec where spec.job_key is not null and jobs.key = spec.job_key and is_available is not true`);
    const { rows } = await c.query(`explain execute keyed(array[('normalize_event', '{}', null, null, 10, 'normalize_event:1', null, null)]::graphile_worker.job_spec[])`);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await c.end();
  }
}

t.test('the trigger\'s generic plan of the keyed-job UPDATE uses the key index, where the default would seq-scan', async (t) => {
  const { db, url } = await testDatabase(t);
  const settings = await triggerSettings(db);
  t.ok(settings.includes('plan_cache_mode=force_generic_plan') && settings.includes('enable_seqscan=off'), `settings ${settings.join(', ')}`);
  const ours = await keyedUpdatePlan(url, settings.filter((s) => !s.startsWith('search_path=')));
  t.match(ours, /Index Scan using \w+ on _private_jobs/, 'index scan under the trigger\'s settings');
  t.notMatch(ours, /Seq Scan on _private_jobs/);
  t.match(await keyedUpdatePlan(url, []), /Seq Scan on _private_jobs/, 'a seq scan with the defaults, on the small queue of a new database');
});

t.test('one connection inserting row after row, over a queue of thousands: each received row gets its one job', async (t) => {
  const { db } = await testDatabase(t);
  // A backlog, added by another session.
  await db.query(`select graphile_worker.add_jobs(array(select ('segment_interaction', '{}', null, null, 10, 'backlog:' || i, null, null)::graphile_worker.job_spec
    from generate_series(1, 3000) i))`);
  const c = await db.pool.connect();
  try {
    const ids: number[] = [];
    for (let i = 0; i < 12; i++) ids.push(Number((await c.query(INSERT, ['telephony', `plan_${i}`, BODY, 'received', null])).rows[0].id));
    t.same((await c.query(INSERT, ['telephony', 'plan_3', BODY, 'received', null])).rows, [], 'a duplicate delivery is skipped');
    await c.query(INSERT, ['telephony', 'plan_bad', '{', 'rejected', 'body is not valid JSON']);
    const { rows } = await c.query(`select j.key, j.max_attempts, j.payload->>'event_id' as event_id from graphile_worker._private_jobs j
      join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = 'normalize_event' order by j.id`);
    t.same(rows, ids.map((id) => ({ key: `normalize_event:${id}`, max_attempts: 10, event_id: String(id) })), 'one job per received row; none for the duplicate or the rejected row');
  } finally {
    c.release();
  }
});

t.test('025 upgrade: the trigger keeps its jobs and gets the settings', async (t) => {
  const up = await databaseBefore(t, '025_latency.sql');
  const { rows: [before] } = await up.db.query(INSERT, ['telephony', 'up_1', BODY, 'received', null]);
  t.ok((await triggerSettings(up.db)).includes('plan_cache_mode=force_custom_plan'), 'before 025: planned per call (020)');
  t.same(await up.apply(), ['025_latency.sql']);
  const settings = await triggerSettings(up.db);
  t.ok(settings.includes('plan_cache_mode=force_generic_plan') && settings.includes('enable_seqscan=off'), 'after 025: generic plans, no seq scans');
  t.ok(settings.includes('search_path=pg_catalog, pg_temp'), 'the pinned search_path stays');
  const { rows: [after] } = await up.db.query(INSERT, ['telephony', 'up_2', BODY, 'received', null]);
  const { rows } = await up.db.query(`select key from graphile_worker.jobs where task_identifier = 'normalize_event' order by id`);
  t.same(rows.map((r) => r.key), [`normalize_event:${before.id}`, `normalize_event:${after.id}`], 'the job from before is kept; the row after gets its job');
});
