import t from 'tap';
import { z } from 'zod';
import { Writable } from 'node:stream';
import { defineStage, DownstreamError, InvalidInputError, startWorker } from '../../lib/stage/index.ts';
import { requeueDeadLetter, requeueDueDeadLetters, resolveDeadLetter, recoverFailedJobs } from '../../lib/failures/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { runNamed } from '../../lib/forensics/index.ts';
import type { Db } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const { db, url } = await testDatabase(t);

// Stages whose behaviour each test steers through this table.
const plan = new Map<number, (n: number) => void>();
const calls = new Map<number, number>();
const steerable = defineStage({
  task: 'steerable', version: '2.0.0', payload: z.object({ case_id: z.number().int() }),
  async run({ case_id }) {
    const n = (calls.get(case_id) ?? 0) + 1;
    calls.set(case_id, n);
    plan.get(case_id)?.(n);
  },
});
const lines: string[] = [];
const log = createLogger('info', new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
const worker = await startWorker({ connectionString: url, stages: [steerable], concurrency: 4, handleSignals: false, pollIntervalMs: 100, log, redactor });
t.teardown(async () => { await worker.stop(); await worker.done; });

async function enqueue(caseId: number, maxAttempts = 25, extra: Record<string, unknown> = {}) {
  await db.query(`select graphile_worker.add_job('steerable', $1::json, max_attempts => $2)`,
    [JSON.stringify({ case_id: caseId, trace_id: TRACE, correlation_id: `case:${caseId}`, ...extra }), maxAttempts]);
}
const deadLetter = (caseId: number) => waitFor(`a dead letter for case ${caseId}`, async () =>
  (await db.query(`select *, tableoid::regclass::text as part from ballast.pipeline_failures where context->>'correlation_id' = $1`, [`case:${caseId}`])).rows[0]);
const attempts = (caseId: number) => db.query(`select attempt, status, will_retry, error from ballast.job_attempts where correlation_id = $1 order by id`, [`case:${caseId}`]).then((r) => r.rows);
const envelopes = (caseId: number) => db.query(`select error_class, layer from ballast.error_envelopes where correlation_id = $1`, [`case:${caseId}`]).then((r) => r.rows);
/** Makes waiting retries due now instead of after graphile-worker's backoff. */
const hurry = () => db.query('update graphile_worker._private_jobs set run_at = now() where locked_at is null and attempts < max_attempts');

t.test('invalid input: permanent on the first attempt, dead letter parked (no automatic replay)', async (t) => {
  plan.set(1, () => { throw new InvalidInputError('interaction 1 has no transcript'); });
  await enqueue(1);
  const dl = await deadLetter(1);
  t.match(dl, { failing_function: 'steerable', error_code: 'INPUT_INVALID', attempt_count: 1, next_retry_at: null, resolved_at: null,
    interaction_id: 'case:1', payload_snapshot: { case_id: 1 } });
  t.match(dl.context, { task: 'steerable', trace_id: TRACE, replayable: true, error_id: /^err_/ });
  t.same((await envelopes(1)).map((e) => e.error_class), ['domain.input_invalid']);
  t.equal(calls.get(1), 1, 'no retry');
});

t.test('a downstream 404 is permanent and keeps its status; a 503 retries', async (t) => {
  plan.set(2, () => { throw new DownstreamError('crm', 404, 'no such contact'); });
  await enqueue(2);
  t.match(await deadLetter(2), { http_status: 404, error_code: 'DOWNSTREAM_CALL_FAILED' });
  plan.set(3, (n) => { if (n === 1) throw new DownstreamError('crm', 503, 'busy'); });
  await enqueue(3);
  await waitFor('the first failure', async () => (await attempts(3)).length === 1);
  await hurry();
  const rows = await waitFor('the retry to succeed', async () => { const r = await attempts(3); return r.length === 2 ? r : null; });
  t.same(rows.map((r) => [r.status, r.will_retry]), [['failed', true], ['succeeded', null]]);
  t.same((await envelopes(3)).map((e) => e.error_class), ['infra.downstream.unavailable'], 'one envelope per failed attempt');
  t.equal((await db.query(`select count(*)::int as n from ballast.pipeline_failures where context->>'correlation_id' = 'case:3'`)).rows[0].n, 0, 'no dead letter');
});

t.test('a transient fault that clears after two failures: retried, succeeds, one envelope per failed attempt', async (t) => {
  plan.set(4, (n) => { if (n <= 2) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }); });
  await enqueue(4);
  for (let i = 1; i <= 2; i++) {
    await waitFor(`failure ${i}`, async () => (await attempts(4)).length === i);
    await hurry();
  }
  await waitFor('success', async () => (await attempts(4)).some((a) => a.status === 'succeeded'));
  t.same((await attempts(4)).map((a) => a.status), ['failed', 'failed', 'succeeded']);
  t.same((await envelopes(4)).map((e) => e.error_class), ['infra.network', 'infra.network']);
  const { rows: [d] } = await db.query(`select occurrences from ballast.diagnostic_logs where function_name = 'steerable' and code = 'DOWNSTREAM_CALL_FAILED'`);
  t.ok(d.occurrences >= 2, 'the diagnostic counts the repeats');
});

t.test('out of attempts: a dead letter scheduled for replay; the replay resolves it', async (t) => {
  let healthy = false;
  plan.set(5, () => { if (!healthy) throw new Error('upstream flaky'); });
  await enqueue(5, 1);
  const dl = await deadLetter(5);
  t.match(dl, { error_code: 'UNEXPECTED', attempt_count: 1, resolved_at: null });
  t.ok(dl.next_retry_at, 'scheduled for an automatic replay');
  healthy = true;
  await db.query('update ballast.pipeline_failures set next_retry_at = now() where id = $1', [dl.id]);
  const result = await requeueDueDeadLetters(db);
  t.match(result, { claimed: 1, enqueued: 1 });
  const resolved = await waitFor('the replay to resolve it', async () =>
    (await db.query('select * from ballast.pipeline_failures where id = $1 and resolved_at is not null', [dl.id])).rows[0]);
  t.match(resolved, { attempt_count: 2, resolution_note: /^replay succeeded/ });
  const last = (await attempts(5)).pop();
  t.match(last, { status: 'succeeded' });
  const { rows: [replayed] } = await db.query(`select trace_id, span_id from ballast.job_attempts where replay_of = $1`, [dl.id]);
  t.equal(replayed.trace_id, TRACE, 'the replay keeps the original trace');
  t.not(replayed.span_id, dl.context.span_id, '... with a new span');
  t.match((await db.query(`select code from ballast.diagnostic_logs where code = 'PIPELINE_RETRY'`)).rows, [{ code: 'PIPELINE_RETRY' }]);
});

t.test('the replay bound holds: after N failed replays the row stays unresolved and says why', async (t) => {
  await db.query('update ballast.failure_settings set replay_max_attempts = 2');
  plan.set(6, () => { throw new Error('still broken'); });
  await enqueue(6, 1);
  const dl = await deadLetter(6);
  for (let i = 1; i <= 2; i++) {
    await db.query('update ballast.pipeline_failures set next_retry_at = now() where id = $1', [dl.id]);
    t.match(await requeueDueDeadLetters(db), { enqueued: 1 }, `replay ${i}`);
    await waitFor(`replay ${i} to fail`, async () => (await attempts(6)).length === i + 1 && (await db.query(
      `select 1 from ballast.queued_jobs where key = $1 and locked_at is null and attempts >= max_attempts`, [`replay:${dl.id}`])).rowCount === 1);
  }
  await db.query('update ballast.pipeline_failures set next_retry_at = now() where id = $1', [dl.id]);
  t.match(await requeueDueDeadLetters(db), { bound_reached: 1, enqueued: 0 });
  const { rows: [row] } = await db.query('select *, tableoid::regclass::text as part from ballast.pipeline_failures where id = $1', [dl.id]);
  t.match(row, { resolved_at: null, next_retry_at: null, attempt_count: 3, resolution_note: /replay bound reached: 2 replays failed/ });
  t.equal((await db.query(`select count(*)::int as n from ballast.pipeline_failures where context->>'correlation_id' = 'case:6'`)).rows[0].n, 1, 'failed replays update the same row');
  t.same([row.created_at.getTime(), row.part], [dl.created_at.getTime(), dl.part], '... in the same partition: created_at (the partition key) never moves');
  t.ok(row.failed_at > dl.failed_at, 'failed_at is the last failure');
  t.equal(await requeueDeadLetter(db, dl.id, 'ops:test'), 'enqueued', 'an operator can still replay by hand');
  t.ok(await resolveDeadLetter(db, dl.id, 'upstream retired', 'ops:test'));
  t.match((await db.query('select resolution_note from ballast.pipeline_failures where id = $1', [dl.id])).rows[0], { resolution_note: 'upstream retired (by ops:test)' });
  await db.query('update ballast.failure_settings set replay_max_attempts = 5');
});

/** The dead letter once its n-th replay has failed (no replay enqueued since). */
const replayFailed = (id: string, n: number) => waitFor(`replay ${n} of ${id} to fail`, async () => (await db.query(
  `select * from ballast.pipeline_failures where id = $1 and (context->>'replays')::int = $2
      and (context->>'last_replay_failed_at')::timestamptz >= (context->>'last_replay_at')::timestamptz`, [id, n])).rows[0]);
const resolvedRow = (id: string) => waitFor(`${id} to be resolved`, async () =>
  (await db.query('select * from ballast.pipeline_failures where id = $1 and resolved_at is not null', [id])).rows[0]);
/** The clock, for one dead letter: a day passes for its schedule (a parked row has none). */
const aDayPasses = (id: string) => db.query(`update ballast.pipeline_failures set next_retry_at = next_retry_at - interval '1 day' where id = $1`, [id]);
const traceStatus = async (id: string) => (await runNamed(db, 'trace_failures', [TRACE, null])).find((r) => r.detail.id === id)?.status;

t.test('a requeued permanent failure whose replay fails permanently stays parked; an operator may requeue it again', async (t) => {
  let fixed = false;
  plan.set(10, () => { if (!fixed) throw new InvalidInputError('interaction 10 has no transcript'); });
  await enqueue(10);
  const dl = await deadLetter(10);
  t.match(dl, { error_code: 'INPUT_INVALID', next_retry_at: null });
  t.equal(await requeueDeadLetter(db, dl.id, 'ops:test'), 'enqueued', 'an operator requeues it');
  const parked = await replayFailed(dl.id, 1);
  t.match(parked, { error_code: 'INPUT_INVALID', attempt_count: 2, next_retry_at: null, resolved_at: null },
    'the replay failed for good: parked again, with the new error');
  t.ok(parked.failed_at > dl.failed_at, 'failed_at is the replay\'s failure');
  t.match((await db.query('select context from ballast.error_envelopes where error_id = $1', [parked.context.last_error_id])).rows,
    [{ context: { outcome: 'permanent' } }], 'its envelope records the outcome (what 028 parks older rows by)');
  t.equal(await traceStatus(dl.id), 'parked', 'the trace says parked, not "replay scheduled"');
  await aDayPasses(dl.id);
  await requeueDueDeadLetters(db);
  t.match((await db.query('select attempt_count, next_retry_at, context from ballast.pipeline_failures where id = $1', [dl.id])).rows[0],
    { attempt_count: 2, next_retry_at: null, context: { replays: 1 } }, 'the requeue task does not replay it again');
  fixed = true;
  t.equal(await requeueDeadLetter(db, dl.id, 'ops:test'), 'enqueued', 'an operator may requeue it again');
  t.match(await resolvedRow(dl.id), { attempt_count: 3, resolution_note: /^replay succeeded/ });
});

t.test('a requeued failure whose replay fails transiently keeps the schedule the requeue set; the next replay resolves it', async (t) => {
  plan.set(11, (n) => {
    if (n === 1) throw new InvalidInputError('interaction 11 has no transcript yet');
    if (n === 2) throw new DownstreamError('crm', 503, 'busy');
  });
  await enqueue(11);
  const dl = await deadLetter(11);
  t.match(dl, { error_code: 'INPUT_INVALID', next_retry_at: null });
  t.equal(await requeueDeadLetter(db, dl.id, 'ops:test'), 'enqueued');
  const failed = await replayFailed(dl.id, 1);
  t.match(failed, { error_code: 'DOWNSTREAM_CALL_FAILED', http_status: 503, next_retry_at: Date, resolved_at: null });
  t.match(failed.context, { outcome: 'transient', error_class: 'infra.downstream.unavailable' },
    'the context says what the last failure was, as error_code does (not the first failure\'s "permanent")');
  const { rows: [{ delay }] } = await db.query(`select extract(epoch from next_retry_at - (context->>'last_replay_at')::timestamptz)::float8 as delay
    from ballast.pipeline_failures where id = $1`, [dl.id]);
  t.ok(delay >= 22.5 && delay <= 37.5, `the next replay is replay_delay(1) after the requeue: 30 s ± 25 % (${delay} s)`);
  t.equal(await traceStatus(dl.id), 'replay scheduled');
  await aDayPasses(dl.id);
  t.match(await requeueDueDeadLetters(db), { enqueued: 1 }, 'the requeue task replays it');
  t.match(await resolvedRow(dl.id), { attempt_count: 3, resolution_note: /^replay succeeded/ });
});

t.test('an automatic replay that fails permanently parks the dead letter', async (t) => {
  plan.set(12, (n) => {
    if (n === 1) throw new Error('upstream flaky');
    throw new InvalidInputError('interaction 12 was deleted upstream');
  });
  await enqueue(12, 1);
  const dl = await deadLetter(12);
  t.ok(dl.next_retry_at, 'out of attempts: scheduled');
  t.match(dl.context, { outcome: 'transient', error_class: 'system.unexpected' });
  await aDayPasses(dl.id);
  t.match(await requeueDueDeadLetters(db), { enqueued: 1 });
  const parked = await replayFailed(dl.id, 1);
  t.match(parked, { error_code: 'INPUT_INVALID', attempt_count: 2, next_retry_at: null, resolved_at: null });
  t.match(parked.context, { outcome: 'permanent', error_class: 'domain.input_invalid', error_id: dl.context.error_id },
    'the last failure\'s outcome and class; error_id stays the first failure\'s');
  await aDayPasses(dl.id);
  await requeueDueDeadLetters(db);
  t.match((await db.query('select attempt_count, context from ballast.pipeline_failures where id = $1', [dl.id])).rows[0],
    { attempt_count: 2, context: { replays: 1 } }, 'not replayed again');
});

t.test('failed-job recovery writes the dead letter a crash never wrote, once', async (t) => {
  // A job graphile-worker holds as failed for good, as if the worker died before writing the dead letter.
  await db.query(`select graphile_worker.add_job('orphaned_task', $1::json, max_attempts => 3, run_at => now() + interval '1 hour')`,
    [JSON.stringify({ interaction_id: 77, trace_id: TRACE, correlation_id: 'case:77' })]);
  await db.query(`update graphile_worker._private_jobs set attempts = 3, last_error = 'Error: worker crashed mid-flight'
                  where task_id = (select id from graphile_worker._private_tasks where identifier = 'orphaned_task')`);
  const first = await recoverFailedJobs({ db, log, redactor }, { removeAfterSeconds: 3600 });
  t.match(first, { recovered: 1 });
  const { rows } = await db.query(`select * from ballast.pipeline_failures where context->>'correlation_id' = 'case:77'`);
  t.equal(rows.length, 1);
  t.match(rows[0], { failing_function: 'orphaned_task', interaction_id: '77', attempt_count: 3, error_message: /worker crashed/,
    error_code: 'UNEXPECTED', context: { recovered: true, outcome: 'transient', error_class: 'system.dead_letter_recovered' } });
  t.ok(rows[0].next_retry_at, 'an unrecognised error is transient: the dead letter is scheduled for a requeue');
  t.same((await envelopes(77)).map((e) => e.error_class), ['system.dead_letter_recovered']);
  t.match(await recoverFailedJobs({ db, log, redactor }, { removeAfterSeconds: 0 }), { recovered: 0 }, 'a second run finds nothing new');
  t.equal((await db.query(`select count(*)::int as n from ballast.unrecorded_failed_jobs`)).rows[0].n, 0);
  t.equal((await db.query(`select count(*)::int as n from ballast.queued_jobs where task_identifier = 'orphaned_task'`)).rows[0].n, 0,
    'the failed job is removed once its dead letter exists');
});

t.test('failed-job recovery classifies the last error with classify(): invalid input is parked, a network error is requeued', async (t) => {
  const orphan = async (caseId: number, lastError: string) => {
    await db.query(`select graphile_worker.add_job('orphaned_task', $1::json, max_attempts => 3, run_at => now() + interval '1 hour', job_key => $2)`,
      [JSON.stringify({ interaction_id: caseId, trace_id: TRACE, correlation_id: `case:${caseId}` }), `orphan:${caseId}`]);
    await db.query(`update graphile_worker._private_jobs set attempts = 3, last_error = $2 where key = $1`, [`orphan:${caseId}`, lastError]);
  };
  await orphan(78, 'InvalidInputError: payload.n: expected number');
  await orphan(79, 'Connection terminated unexpectedly');
  t.match(await recoverFailedJobs({ db, log, redactor }, { removeAfterSeconds: 3600 }), { recovered: 2 });
  const row = async (caseId: number) => (await db.query(
    `select error_code, next_retry_at, context from ballast.pipeline_failures where context->>'correlation_id' = $1`, [`case:${caseId}`])).rows[0];
  t.match(await row(78), { error_code: 'INPUT_INVALID', next_retry_at: null, context: { outcome: 'permanent' } });
  t.match(await row(79), { error_code: 'DOWNSTREAM_CALL_FAILED', next_retry_at: Date, context: { outcome: 'transient' } });
});

t.test('every failure log line leads to its rows: error_id, trace_id, correlation_id', async (t) => {
  const failures = lines.map((l) => JSON.parse(l)).filter((l) => /stage failed/.test(l.msg));
  t.ok(failures.length >= 5);
  for (const l of failures) t.match(l, { error_id: /^err_[0-9a-f]{12}$/, trace_id: TRACE, correlation_id: /^case:/ });
  const ids = failures.map((l) => l.error_id);
  const { rows } = await db.query('select count(*)::int as n from ballast.error_envelopes where error_id = any($1)', [ids]);
  t.equal(rows[0].n, ids.length, 'each logged error id is an envelope row');
});

t.test('silent_drops is zero: every failed inbox event ended somewhere', async (t) => {
  t.same(await runNamed(db as Db, 'silent_drops', [0]), []);
  await db.query(`insert into ingest.webhook_events (source, payload) values ('telephony', '{"type": "call.completed"}')`);
  const drops = await runNamed(db, 'silent_drops', [0]);
  t.equal(drops.length, 1, 'an event nobody processed shows up (no worker runs normalize_event here)');
});

t.test('the trace timeline shows the envelopes and dead letters of a trace', async (t) => {
  const { traceTimeline } = await import('../../lib/forensics/index.ts');
  const rows = await traceTimeline(db, TRACE);
  t.ok(rows.some((r) => r.kind === 'error' && /^err_/.test(String(r.detail.error_id))), 'envelopes');
  t.ok(rows.some((r) => r.kind === 'dead letter' && r.status === 'resolved'), 'a resolved dead letter');
  t.ok(rows.some((r) => r.kind === 'dead letter' && r.status === 'parked'), 'a parked dead letter');
});

t.test('a job superseded through its job_key while it ran is not swept as a failure', async (t) => {
  await db.query(`select graphile_worker.add_job('debounced', '{"trace_id": "${TRACE}"}', job_key => 'debounced', max_attempts => 25)`);
  const { rows: [job] } = await db.query(`select id from ballast.queued_jobs where key = 'debounced'`);
  // As if a worker had it locked on attempt 1 when add_job ran again, then it failed (will retry).
  await db.query(`update graphile_worker._private_jobs set attempts = 1, locked_at = now(), locked_by = 'w' where id = $1`, [job.id]);
  await db.query(`select graphile_worker.add_job('debounced', '{"trace_id": "${TRACE}"}', job_key => 'debounced', max_attempts => 25)`);
  await db.query(`update graphile_worker._private_jobs set locked_at = null, locked_by = null, last_error = 'boom' where id = $1`, [job.id]);
  await db.query(`insert into ballast.job_attempts (job_id, task, attempt, max_attempts, span_id, worker_id, status, job_created_at, started_at, will_retry)
                  values ($1, 'debounced', 1, 25, 'dddddddddddddddd', 'w', 'failed', now(), now(), true)`, [job.id]);
  const { rows: [j] } = await db.query('select attempts, max_attempts, key from ballast.queued_jobs where id = $1', [job.id]);
  t.same(j, { attempts: 25, max_attempts: 25, key: null }, 'graphile-worker retired the superseded job');
  t.equal((await db.query('select count(*)::int as n from ballast.unrecorded_failed_jobs where id = $1', [job.id])).rows[0].n, 0);
});
