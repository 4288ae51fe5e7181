/**
 * Every shipped alert rule fires on a real condition in the test database
 * and clears when the condition clears. The evaluation's clock is passed in:
 * "later" is a Date, never a sleep.
 */
import { Writable } from 'node:stream';
import t from 'tap';
import { z } from 'zod';
import { evaluateAlerts, hasCondition, loadRules, resolveAlert, acknowledgeAlert, setRule } from '../../lib/alerts/index.ts';
import type { Db } from '../../lib/db/index.ts';
import { resolveDeadLetter } from '../../lib/failures/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { defineStage, startWorker } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const later = (s: number, from = new Date()) => new Date(from.getTime() + s * 1000);
const alertsOf = async (db: Db, rule: string) =>
  (await db.query(`select * from ballast.alerts where rule = $1 order by id`, [rule])).rows;
const evaluate = (db: Db, rule: string, now = new Date()) => evaluateAlerts(db, { rules: [rule], now });

t.test('trace_id_policy_violation: a traceless success in log-only mode logs POLICY_VIOLATION, raises one critical alert per task, and clears', async (t) => {
  const { db, url } = await testDatabase(t);
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l)); cb(); } });
  const noop = defineStage({ task: 'noop', version: '1.0.0', payload: z.object({}), async run() {} });
  const worker = await startWorker({ connectionString: url, stages: [noop], concurrency: 2, handleSignals: false, pollIntervalMs: 100, redactor,
    log: createLogger('info', sink, redactor) });
  t.teardown(async () => { await worker.stop(); await worker.done; });
  await db.query(`select graphile_worker.add_job('noop', '{}')`);
  await db.query(`select graphile_worker.add_job('noop', json_build_object('trace_id', $1::text))`, [TRACE]);
  await waitFor('two finished attempts', async () => (await db.query(`select 1 from ballast.job_attempts where status = 'succeeded'`)).rowCount === 2);
  const logged = await waitFor('the POLICY_VIOLATION log line', async () => lines.find((l) => l.msg === 'POLICY_VIOLATION: Job succeeded without trace_id'));
  t.match(logged, { level: 50, task: 'noop', severity: 'critical', job_id: /^\d+$/, trace_enforcement_start: /\d{4}-/ }, 'the seed\'s error line, once');
  t.equal(lines.filter((l) => l.msg === 'POLICY_VIOLATION: Job succeeded without trace_id').length, 1, 'not for the traced job');

  const r = await evaluate(db, 'trace_id_policy_violation');
  t.match(r, { opened: 1, failed: 0 });
  const [a] = await alertsOf(db, 'trace_id_policy_violation');
  t.match(a, { severity: 'critical', status: 'open', dedupe_key: 'trace_id_policy_violation:noop', occurrences: 1,
    subject: { component: 'noop' }, message: /1 job\(s\) of noop succeeded without trace_id/,
    evidence: { table: 'ballast.policy_violations', ids: [Number] } });
  await evaluate(db, 'trace_id_policy_violation', later(60));
  t.match(await alertsOf(db, 'trace_id_policy_violation'), [{ id: a.id, occurrences: 2, status: 'open' }], 'a recurrence bumps the one alert');

  t.match(await evaluate(db, 'trace_id_policy_violation', later(3700)), { resolved: 1 }, 'no violation in the last hour: cleared');
  t.match(await alertsOf(db, 'trace_id_policy_violation'), [{ status: 'resolved', resolved_by: 'alerts:auto', resolved_at: Date }]);
  const { rows: [audit] } = await db.query(`select count(*)::int n from audit.ledger where entity_type = 'ballast.alerts'`);
  t.ok(audit.n >= 3, 'every change to the alert is in the audit ledger');
});

t.test('dead_letters_present: held for its "for" duration, then one alert per failing function; clears when resolved', async (t) => {
  const { db } = await testDatabase(t);
  const { rows: [dl] } = await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, error_code, context)
    values ('i1', 'extract_claims', 'UNEXPECTED', '{"correlation_id": "corr-1"}') returning id`);
  await db.query(`insert into search.outbox (point_id, entity, op, version, status) values (gen_random_uuid(), 'summary', 'upsert', 1, 'dead')`);
  const t0 = new Date();
  t.match(await evaluate(db, 'dead_letters_present', t0), { opened: 0, pending: 2 }, 'a blip pages nobody');
  t.same(await alertsOf(db, 'dead_letters_present'), []);
  t.match(await evaluate(db, 'dead_letters_present', later(301, t0)), { opened: 2 }, 'held for 300 s: alerts open');
  const open = await alertsOf(db, 'dead_letters_present');
  t.match(open.map((a) => a.dedupe_key).sort(), ['dead_letters_present:extract_claims', 'dead_letters_present:search_sync']);
  t.match(open.find((a) => a.subject.component === 'extract_claims'), { correlation_id: 'corr-1', evidence: { table: 'ballast.pipeline_failures', ids: [dl.id] } });

  await resolveDeadLetter(db, dl.id, 'fixed by hand', 'cli:test');
  await db.query(`update search.outbox set status = 'done', processed_at = now()`);
  t.match(await evaluate(db, 'dead_letters_present', later(360, t0)), { resolved: 2 });
  t.same((await alertsOf(db, 'dead_letters_present')).map((a) => a.status), ['resolved', 'resolved']);
  t.same((await db.query(`select * from ballast.alert_conditions`)).rows, [], 'cleared conditions are forgotten');
});

t.test('outbox_freshness: under 95% indexed within 30 s fires; enough fresh entries clear it', async (t) => {
  const { db } = await testDatabase(t);
  await db.query(`update ballast.alert_rules set for_seconds = 0 where name = 'outbox_freshness'`);
  const add = (n: number, lagSeconds: number) => db.query(
    `insert into search.outbox (point_id, entity, op, version, status, enqueued_at, processed_at)
     select gen_random_uuid(), 'summary', 'upsert', 1, 'done', now() - interval '10 minutes', now() - interval '10 minutes' + make_interval(secs => $2)
       from generate_series(1, $1)`, [n, lagSeconds]);
  await add(5, 5);
  await add(5, 120);
  t.match(await evaluate(db, 'outbox_freshness'), { opened: 1 });
  t.match(await alertsOf(db, 'outbox_freshness'), [{ status: 'open', message: /50\.0% of 10 search outbox entries/, evidence: { table: 'search.outbox' } }]);
  await add(190, 1);
  t.match(await evaluate(db, 'outbox_freshness'), { resolved: 1 }, '195 of 200 within 30 s');
});

t.test('search_drift: a reconciliation that left drift fires, a clean one clears it; none in 26 h fires too', async (t) => {
  const { db } = await testDatabase(t);
  await db.query(`insert into search.reconcile_runs (collection, status, missing, unrepaired, finished_at, triggered_by) values ('c', 'partial', 4, 3, now(), 'cron')`);
  t.match(await evaluate(db, 'search_drift'), { opened: 1 });
  t.match(await alertsOf(db, 'search_drift'), [{ dedupe_key: 'search_drift:drift', message: /ended partial: 4 missing.*3 unrepaired/ }]);
  await db.query(`insert into search.reconcile_runs (collection, status, finished_at, triggered_by) values ('c', 'clean', now(), 'cron')`);
  t.match(await evaluate(db, 'search_drift'), { opened: 0, resolved: 1 });
  t.match(await evaluate(db, 'search_drift', later(27 * 3600)), { opened: 1 }, '27 h later, no run since');
  t.match((await alertsOf(db, 'search_drift')).at(-1), { dedupe_key: 'search_drift:not_run', status: 'open' });
  await db.query(`insert into search.reconcile_runs (started_at, collection, status, finished_at, triggered_by)
                  values (now() + interval '27 hours', 'c', 'clean', now() + interval '27 hours', 'cron')`);
  t.match(await evaluate(db, 'search_drift', later(27 * 3600 + 60)), { resolved: 1 });
});

t.test('stuck_attempts: a stale running attempt and a long-locked job fire one alert each; rescued and finished, they clear', async (t) => {
  const { db } = await testDatabase(t);
  await db.query(`insert into ballast.job_attempts (job_id, task, attempt, max_attempts, trace_id, span_id, worker_id, status, job_created_at, started_at, heartbeat_at)
                  values (41, 'extract_claims', 1, 5, $1, '00000000000000c1', 'gone:1:aaaaaa', 'running', now(), now() - interval '20 minutes', now() - interval '10 minutes')`, [TRACE]);
  const { rows: [job] } = await db.query(`select id::text from graphile_worker.add_job('normalize_event', json_build_object('trace_id', $1::text))`, [TRACE]);
  await db.query(`update graphile_worker._private_jobs set attempts = 1, locked_by = 'pool-x', locked_at = now() - interval '10 minutes' where id = $1`, [job.id]);
  t.match(await evaluate(db, 'stuck_attempts'), { opened: 2 });
  const open = await alertsOf(db, 'stuck_attempts');
  t.match(open.map((a) => a.dedupe_key).sort(), [`stuck_attempts:job:${job.id}`, 'stuck_attempts:job:41'].sort());
  t.match(open.find((a) => a.dedupe_key === 'stuck_attempts:job:41'), { trace_id: TRACE, message: /stale_heartbeat.*gone:1:aaaaaa/, subject: { component: 'extract_claims' } });
  await db.query(`update ballast.job_attempts set status = 'abandoned', finished_at = now() where span_id = '00000000000000c1'`);
  await db.query(`update graphile_worker._private_jobs set locked_by = null, locked_at = null where id = $1`, [job.id]);
  t.match(await evaluate(db, 'stuck_attempts'), { resolved: 2 });
});

t.test('error_spike: a burst of error envelopes from one component over its baseline fires, and clears once it passes', async (t) => {
  const { db } = await testDatabase(t);
  const envelopes = (n: number, ago: string) => db.query(
    `insert into ballast.error_envelopes (error_id, "timestamp", layer, component, error_class, severity, message, trace_id)
     select 'err_' || substr(md5(random()::text), 1, 12), now() - $2::interval, 'L3', 'search_sync', 'infra.qdrant_unavailable', 'error', 'boom', $3
       from generate_series(1, $1)`, [n, ago, TRACE]);
  await envelopes(2, '3 hours'); // the baseline: 2 a day
  await envelopes(9, '1 minute');
  t.match(await evaluate(db, 'error_spike'), { opened: 0 }, '9 is under the floor of 10');
  await envelopes(3, '30 seconds');
  t.match(await evaluate(db, 'error_spike'), { opened: 1 });
  t.match(await alertsOf(db, 'error_spike'), [{ subject: { component: 'search_sync' }, message: /12 error envelopes from search_sync/, trace_id: TRACE }]);
  t.match(await evaluate(db, 'error_spike', later(600)), { resolved: 1 }, 'ten minutes on, the window holds none');
});

t.test('every shipped rule has its condition and is enabled; a rule whose condition has not shipped cannot be enabled', async (t) => {
  const { db } = await testDatabase(t);
  const rules = await loadRules(db);
  for (const r of rules) {
    t.ok(hasCondition(r.name), `${r.name} ships its condition`);
    t.ok(r.enabled, `${r.name} is enabled`);
  }
  t.match(await evaluateAlerts(db), { rules: rules.length, failed: 0, opened: 0 }, 'on a fresh install every shipped rule runs and none fires');
  // A rule added as a row ahead of its query (sql/alerts/<name>.sql) stays disabled until the query ships.
  await db.query(`insert into ballast.alert_rules (name, severity, threshold, enabled, description)
                  values ('arrives_later', 'warning', 1, false, 'a rule whose condition has not shipped')`);
  t.notOk(hasCondition('arrives_later'));
  await t.rejects(setRule(db, { rule: 'arrives_later', field: 'enabled', value: true }, 'cli:test'), /has no condition yet/);
});

t.test('acknowledged alerts keep being bumped; a resolved one is never reopened, a recurrence opens a new one; a rule without auto-resolve stays open', async (t) => {
  const { db } = await testDatabase(t);
  await db.query(`update ballast.alert_rules set for_seconds = 0 where name = 'dead_letters_present'`);
  const { rows: [dl] } = await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function) values ('i', 'f') returning id`);
  await evaluate(db, 'dead_letters_present');
  const [a] = await alertsOf(db, 'dead_letters_present');
  t.ok(await acknowledgeAlert(db, a.id, 'looking', 'cli:ops'));
  await evaluate(db, 'dead_letters_present');
  t.match(await alertsOf(db, 'dead_letters_present'), [{ id: a.id, status: 'acknowledged', occurrences: 2, acknowledged_by: 'cli:ops', note: 'looking' }]);
  t.ok(await resolveAlert(db, a.id, 'replayed it', 'cli:ops'));
  t.notOk(await resolveAlert(db, a.id, 'again', 'cli:ops'), 'already resolved');
  await evaluate(db, 'dead_letters_present');
  const rows = await alertsOf(db, 'dead_letters_present');
  t.match(rows, [{ id: a.id, status: 'resolved', resolved_by: 'cli:ops' }, { status: 'open', occurrences: 1 }], 'the condition still holds: a new alert');

  await setRule(db, { rule: 'dead_letters_present', field: 'auto_resolve', value: false }, 'cli:ops');
  await resolveDeadLetter(db, dl.id, 'done', 'cli:ops');
  t.match(await evaluate(db, 'dead_letters_present'), { resolved: 0 });
  t.match((await alertsOf(db, 'dead_letters_present')).at(-1), { status: 'open' }, 'stays open until an operator resolves it');
  const { rows: [change] } = await db.query(`select actor, before_data->>'auto_resolve' b, after_data->>'auto_resolve' a from audit.ledger
    where entity_type = 'ballast.alert_rules' order by id desc limit 1`);
  t.same(change, { actor: 'cli:ops', b: 'true', a: 'false' }, 'the rule change is audited');
});

t.test('a rule whose condition fails is reported; the other rules still run', async (t) => {
  const { db } = await testDatabase(t);
  await db.query(`update ballast.alert_rules set threshold = 'NaN' where name = 'stuck_attempts'`);
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function) values ('i', 'f')`);
  await db.query(`update ballast.alert_rules set for_seconds = 0 where name = 'dead_letters_present'`);
  const r = await evaluateAlerts(db, { rules: ['stuck_attempts', 'dead_letters_present'] });
  t.match(r, { opened: 1 });
  t.equal(r.outcomes.find((o) => o.rule === 'dead_letters_present')!.error, null);
});

t.test('the evaluate_alerts task runs on its injected clock: pending at first, open once the "for" duration has passed on that clock', async (t) => {
  const { db, url } = await testDatabase(t);
  let clock = new Date();
  const { evaluateAlertsTask } = await import('../../tasks/evaluate_alerts.ts');
  const { startTestWorker } = await import('../helpers/pipeline.ts');
  await startTestWorker(t, url, { stages: [evaluateAlertsTask(() => clock)] });
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function) values ('i', 'f')`);
  const runTask = async (n: number) => {
    await db.query(`select graphile_worker.add_job('evaluate_alerts', '{"rules": ["dead_letters_present"]}')`);
    return waitFor(`run ${n}`, async () => (await db.query(`select outcome, counts from ballast.maintenance_runs where task = 'evaluate_alerts' order by id`)).rows[n - 1]);
  };
  t.match(await runTask(1), { outcome: 'succeeded', counts: { pending: 1, opened: 0 } });
  const first = clock;
  clock = later(301, clock);
  t.match(await runTask(2), { outcome: 'succeeded', counts: { pending: 0, opened: 1 } });
  t.match(await alertsOf(db, 'dead_letters_present'), [{ status: 'open', first_seen_at: first, last_seen_at: clock }],
    'first seen when the condition first held, on the task\'s clock');
});
