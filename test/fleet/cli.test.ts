/**
 * `ballast workers` and `ballast stuck`, run as the operator runs them: the
 * fleet with each worker's last beat, dead workers and rescued jobs, every
 * job named by its ballast worker (not graphile-worker's pool id), and
 * intervals printed readably.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';

const run = promisify(execFile);
const ballast = async (url: string, ...args: string[]) => (await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
  { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' } })).stdout;

t.test('`ballast workers` lists the fleet and `ballast stuck` shows dead workers and rescued jobs', async (t) => {
  const { db, url } = await testDatabase(t);
  const beat = (id: string, pool: string) => db.query(`select ballast.beat_worker($1, 'host-a', 11, $2, '{normalize_event}', 4, 5000)`, [id, [pool]]);
  await beat('host-a:11:aaaaaa', 'pool-aaaa');
  await beat('host-a:12:silent', 'pool-silent');
  await beat('host-a:13:rescued', 'pool-gone');
  await db.query(`update ballast.workers set last_beat_at = now() - interval '2 minutes 5 seconds' where worker_id = 'host-a:12:silent'`);
  await db.query(`update ballast.workers set last_beat_at = now() - interval '3 minutes', rescued_at = now(), rescue_reason = 'it stopped heartbeating'
                   where worker_id = 'host-a:13:rescued'`);
  const { rows: [job] } = await db.query(`select id::text from graphile_worker.add_job('normalize_event', '{}')`);
  await db.query(`update graphile_worker._private_jobs set attempts = 1, locked_by = 'pool-silent', locked_at = now() - interval '2 minutes' where id = $1`, [job.id]);
  await db.query(`insert into ballast.rescued_jobs (job_id, task, attempt, max_attempts, worker_id, pool_id, outcome, reason)
                  values (999, 'extract_claims', 2, 25, 'host-a:13:rescued', 'pool-gone', 'retry', 'it stopped heartbeating; job 999 freed')`);

  const workers = await ballast(url, 'workers');
  t.match(workers, /workers: 1 alive, 1 silent, 1 rescued/);
  for (const [id, state] of [['host-a:11:aaaaaa', 'alive'], ['host-a:12:silent', 'silent'], ['host-a:13:rescued', 'rescued']]) {
    t.match(workers, new RegExp(`${id}.*${state}`), `${id} is ${state}`);
  }
  t.match(workers, /00:0[2-9]:\d\d/, 'the silent worker\'s last beat, readable (at least 2 min 5 s ago; no wall-clock window)');
  t.notMatch(workers, /PostgresInterval|\[object/);
  const json = JSON.parse(await ballast(url, 'workers', '--json'));
  t.match(json.find((w: { worker_id: string }) => w.worker_id === 'host-a:12:silent'), { state: 'silent', jobs_locked: 1, pool_ids: ['pool-silent'] });

  const stuck = await ballast(url, 'stuck', '--stale', '60');
  t.match(stuck, /dead workers/);
  t.match(stuck, /host-a:12:silent.*silent/);
  t.match(stuck, /host-a:13:rescued.*rescued/);
  t.match(stuck, /locked_without_heartbeat.*host-a:12:silent.*silent/, 'the locked job names its ballast worker');
  t.notMatch(stuck, /pool-silent/, 'not graphile-worker\'s pool id');
  t.match(stuck, /jobs rescued from dead workers/);
  t.match(stuck, /999.*extract_claims.*retry/);
  t.match(stuck, /00:0[2-9]:\d\d/);
  t.notMatch(stuck, /PostgresInterval|\[object/);
});

t.test('`ballast stuck` also counts open dead letters, where an event that failed for good stops', async (t) => {
  const { db, url } = await testDatabase(t);
  t.notMatch(await ballast(url, 'stuck'), /dead letter/, 'none open: nothing said');
  const letter = (next: string | null) => db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, context, payload_snapshot, next_retry_at)
    values ('1', 'normalize_event', '{}', '{}', $1::timestamptz) returning id`, [next]);
  await letter(null);
  await letter('2999-01-01T00:00:00Z'); // scheduled for a replay
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, context, payload_snapshot, resolved_at)
    values ('2', 'normalize_event', '{}', '{}', now())`);
  t.notMatch(await ballast(url, 'stuck'), /inbox event/, 'no inbox event stopped on them: nothing said');
  // An event whose first stage gave up on it (031_inbox_failed): failed, naming its dead letter.
  const { rows: [ev] } = await db.query(`insert into ingest.webhook_events (source, payload) values ('telephony', '{}') returning correlation_id`);
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, context, payload_snapshot)
    values ('3', 'normalize_event', jsonb_build_object('correlation_id', $1::text), '{}')`, [ev.correlation_id]);
  const out = await ballast(url, 'stuck');
  t.match(out, /nothing stuck/, 'no worker is stuck');
  t.match(out, /3 open dead letter\(s\), 2 of them parked until someone acts: `ballast dlq list`.*; 1 inbox event\(s\) stopped on them \(status failed/,
    'the three open ones, not the resolved one, and the event that stopped on one');
});

t.test('`ballast stuck` also counts re-delivered bodies that differed from the first delivery, and names the query that lists them', async (t) => {
  const { db, url } = await testDatabase(t);
  t.notMatch(await ballast(url, 'stuck'), /re-delivered/, 'none: nothing said');
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload) values ('telephony', 'wh_a', '{}', '{}'), ('telephony', 'wh_b', '{}', '{}')`);
  const note = (id: string, body: string) => db.query(`select * from ingest.note_redelivery('telephony', $1, $2, null, '{}',
    '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7')`, [id, body]);
  await note('wh_a', '{"n":1}');
  await note('wh_a', '{"n":1}');
  await note('wh_a', '{"n":2}');
  await note('wh_b', '{"n":1}');
  await note('wh_b', '{}'); // the same body: no conflict
  const out = await ballast(url, 'stuck');
  t.match(out, /3 re-delivered body\(ies\) under 2 webhook id\(s\) differed from the first delivery in the last 3600s .*sql\/forensics\/redelivery_conflicts\.sql/);
  t.match(out, /nothing stuck/, 'they are not stuck work');
});

t.test('`ballast stuck` shows jobs that wait with no worker taking them, and says when no live worker runs their task', async (t) => {
  const { db, url } = await testDatabase(t);
  const job = (task: string, runAt: string) => db.query(`select id from graphile_worker.add_job($1, '{}', run_at => now() - $2::interval)`, [task, runAt]);
  await job('normalize_event', '10 minutes');
  await job('normalize_event', '2 minutes');
  await job('extract_claims', '5 minutes');
  await job('extract_claims', '-1 hour'); // a retry scheduled in an hour: not waiting yet
  await job('summarize_interaction', '5 seconds'); // younger than --stale
  const { rows: [locked] } = await job('detect_striking', '10 minutes');
  await db.query(`update graphile_worker._private_jobs set locked_by = 'pool-x', locked_at = now() where id = $1`, [locked.id]);

  const out = await ballast(url, 'stuck');
  t.match(out, /waiting: jobs ready for more than 60s that no worker has taken/);
  t.match(out, /normalize_event.*\b2\b.*00:10:\d\d.*\b0\b/, 'two normalize_event jobs, the oldest waiting 10 minutes, no live worker');
  t.match(out, /extract_claims.*\b1\b.*00:0[5-9]:\d\d/, 'the retry scheduled later is not counted');
  t.notMatch(out, /summarize_interaction|detect_striking/, 'a fresh job and a locked one are not waiting');
  t.match(out, /no live worker runs normalize_event, extract_claims: these jobs wait until one starts/);
  t.notMatch(out, /nothing stuck/);

  await db.query(`select ballast.beat_worker('host-a:11:aaaaaa', 'host-a', 11, '{pool-a}', '{normalize_event}', 4, 5000)`);
  const served = await ballast(url, 'stuck');
  t.match(served, /normalize_event.*\b2\b.*00:10:\d\d.*\b1\b/, 'a live worker runs normalize_event: the fleet is behind');
  t.match(served, /no live worker runs extract_claims: /);
  t.notMatch(served, /no live worker runs normalize_event/);
});
