/**
 * Counters exact under concurrency (issue 15 part 2): the counter moves in
 * the transaction that records the interaction, by one UPDATE of the
 * period's row, so concurrent writers serialise on that row and none loses
 * an update.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import pg from 'pg';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { AGENT, addUsageAgent, call, inbox, linesPerPeriod, sms, usageRows } from './helpers.ts';

const EVENTS = 120;

function spawnWorker(t: { teardown(fn: () => unknown): void }, url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/usage-worker.ts'), url, '4'],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  });
  return { ready: () => waitFor('the worker to start', async () => out.includes('ready'), { timeoutMs: 60_000 }) };
}

t.test('two worker processes recording one agent\'s events at once: counters equal the lines, nothing lost or counted twice', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  const a = spawnWorker(t, url);
  const b = spawnWorker(t, url);
  await Promise.all([a.ready(), b.ready()]);
  // One period, one row: every event of both workers updates the same counters.
  const payloads = Array.from({ length: EVENTS }, (_, i) => i % 3 === 2
    ? sms(`2026-09-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00Z`)
    : call(`2026-09-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`, 30 + i));
  const ids = await inbox(db, ...payloads);
  // A duplicate job for every tenth event, as a replay racing the first run would enqueue.
  await db.query(`select graphile_worker.add_job('normalize_event', json_build_object('event_id', id, 'trace_id', trace_id, 'correlation_id', correlation_id))
                    from ingest.webhook_events where id = any ($1) and id % 10 = 0`, [ids]);
  await waitFor(`${EVENTS} events recorded`, async () =>
    (await db.query(`select count(*)::int n from ingest.webhook_events where status = 'processing'`)).rows[0].n === EVENTS
    && (await db.query(`select count(*)::int n from ballast.queued_jobs where task_identifier = 'normalize_event'`)).rows[0].n === 0,
  { timeoutMs: 120_000, intervalMs: 100 });

  const { rows: workers } = await db.query(`select worker_id, count(*)::int n from ballast.job_attempts where task = 'normalize_event' and status = 'succeeded' group by 1`);
  t.equal(workers.length, 2, `both processes recorded events (${workers.map((w) => w.n).join(' + ')})`);
  const calls = payloads.filter((p) => p.type === 'call.completed') as ReturnType<typeof call>[];
  const minutes = calls.reduce((m, c) => m + Math.ceil(c.data.duration_seconds / 60), 0);
  t.same(await usageRows(db), [{ period_start: '2026-09-01', tier: 'standard', calls: calls.length, call_minutes: minutes, sms: EVENTS - calls.length, limit_state: 'ok' }],
    'the counters are exact');
  t.same(await linesPerPeriod(db), [{ period_start: '2026-09-01', calls: calls.length, call_minutes: minutes, sms: EVENTS - calls.length, lines: calls.length * 2 + EVENTS - calls.length }],
    'and equal the lines');
});

t.test('two transactions billing the same agent interleave on the period row: the second waits and adds to the first\'s committed counters', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  const [e0, e1, e2] = await inbox(db, sms('2026-09-01T00:00:00Z'), sms('2026-09-01T00:00:00Z'), sms('2026-09-02T00:00:00Z'));
  const stamps = `select set_config('ballast.trace_id', '4bf92f3577b34da6a3ce929d0e0e4736', true), set_config('ballast.correlation_id', 'c', true),
                         set_config('ballast.span_id', '00f067aa0ba902b7', true), set_config('ballast.task', 'normalize_event', true),
                         set_config('ballast.task_version', 'test', true)`;
  const record = (c: pg.Client, ev: number) => c.query(
    `insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at, body)
     select id, 'org_usage', $2, 'sms', 'inbound', 'm' || id, '+15555550199', '+15555550160', (payload->'data'->>'sent_at')::timestamptz, 'hi'
       from ingest.webhook_events where id = $1`, [ev, AGENT]);
  const one = new pg.Client({ connectionString: url });
  const two = new pg.Client({ connectionString: url });
  await one.connect();
  await two.connect();
  t.teardown(async () => { await one.end(); await two.end(); });
  // An earlier event made the period's row (the first writers of a period
  // serialise on that insert instead) and the first queued segmentation job.
  await one.query('begin');
  await one.query(stamps);
  await one.query(`select app.usage_gate($1, '2026-09-01T00:00:00Z', $2)`, [AGENT, e0]);
  await record(one, e0!);
  await one.query('select app.bill_interaction($1)', [e0]);
  await one.query('commit');
  await one.query('begin');
  await one.query(stamps);
  await two.query('begin');
  await two.query(stamps);
  // Both pass the gate before either bills.
  await one.query(`select app.usage_gate($1, '2026-09-01T00:00:00Z', $2)`, [AGENT, e1]);
  await two.query(`select app.usage_gate($1, '2026-09-02T00:00:00Z', $2)`, [AGENT, e2]);
  await record(one, e1!);
  await record(two, e2!);
  await one.query('select app.bill_interaction($1)', [e1]);
  // The second bills while the first holds the row: it waits for the first's commit.
  const second = two.query('select app.bill_interaction($1)', [e2]);
  await waitFor('the second transaction to wait for the first', async () =>
    (await db.query(`select count(*)::int n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like 'select app.bill_interaction%'`)).rows[0].n === 1);
  await one.query('commit');
  await second;
  await two.query('commit');
  t.same(await usageRows(db), [{ period_start: '2026-09-01', tier: 'standard', calls: 0, call_minutes: 0, sms: 3, limit_state: 'ok' }], 'both counted, on top of the earlier one');
});
