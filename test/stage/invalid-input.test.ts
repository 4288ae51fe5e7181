import t from 'tap';
import { z } from 'zod';
import { defineStage } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER, startTestWorker } from '../helpers/pipeline.ts';
import { stages } from '../../tasks/index.ts';
import { waitFor } from '../helpers/wait.ts';

const failedFor = (db: import('../../lib/db/index.ts').Db, task: string) => waitFor(`${task} to fail`, async () => {
  const { rows } = await db.query(`select * from ballast.job_attempts where task = $1 and status = 'failed'`, [task]);
  return rows.length ? rows : null;
});

t.test('an invalid job payload fails permanently on its first attempt with the zod message', async (t) => {
  const { db, url } = await testDatabase(t);
  const calls: unknown[] = [];
  const strictStage = defineStage({
    task: 'needs_a_number',
    version: '1.0.0',
    payload: z.object({ n: z.number().int() }),
    async run(input) { calls.push(input); },
  });
  await startTestWorker(t, url, { stages: [strictStage] });
  await db.query(`select graphile_worker.add_job('needs_a_number', '{"n": "seven", "trace_id": "0af7651916cd43dd8448eb211c80319c"}')`);
  const [attempt] = await failedFor(db, 'needs_a_number');
  t.match(attempt, { attempt: 1, max_attempts: 25, will_retry: false, error: /InvalidInputError: payload\.n: .*expected number/i });
  const job = await waitFor('graphile-worker to record the failure', async () =>
    (await db.query(`select attempts, max_attempts, last_error from ballast.queued_jobs where last_error is not null`)).rows[0]);
  t.equal(job.attempts, 1);
  t.equal(job.max_attempts, 1, 'capped so it is never fetched again');
  t.match(job.last_error, /payload\.n/);
  t.same(calls, [], 'the stage never ran');
});

t.test('an inbox event whose body does not match the telephony schema fails permanently', async (t) => {
  const { db, url } = await testDatabase(t);
  await addAgent(db);
  await startTestWorker(t, url, { stages });
  await db.query(`insert into ingest.webhook_events (source, payload) values ('telephony', $1)`,
    [JSON.stringify({ type: 'call.completed', data: { call_id: 'c1', direction: 'inbound', from: 'not-a-number', to: AGENT_NUMBER } })]);
  const [attempt] = await failedFor(db, 'normalize_event');
  t.equal(attempt.attempt, 1);
  t.equal(attempt.will_retry, false);
  t.match(attempt.error, /body\.data\.from: expected an E\.164 number/);
  t.match(attempt.error, /body\.data\.started_at/);
  const { rows } = await db.query('select count(*)::int as n from app.interactions');
  t.equal(rows[0].n, 0, 'nothing was written');
});

t.test('a transient error is retried and the ledger keeps every attempt', async (t) => {
  const { db, url } = await testDatabase(t);
  let calls = 0;
  const flaky = defineStage({
    task: 'flaky',
    version: '1.0.0',
    payload: z.object({}),
    async run() { calls += 1; if (calls === 1) throw new Error('connection reset'); },
  });
  await startTestWorker(t, url, { stages: [flaky] });
  // run_at in the past for the retry: graphile-worker backs off exp(1) s after the first failure.
  await db.query(`select graphile_worker.add_job('flaky', '{"trace_id": "0af7651916cd43dd8448eb211c80319c"}')`);
  await waitFor('first failure', async () => (await db.query(`select 1 from ballast.job_attempts where status = 'failed'`)).rowCount);
  await db.query(`update graphile_worker._private_jobs set run_at = now()`);
  const rows = await waitFor('the retry to succeed', async () => {
    const { rows } = await db.query(`select attempt, status, will_retry from ballast.job_attempts order by attempt`);
    return rows.length === 2 ? rows : null;
  });
  t.same(rows, [{ attempt: 1, status: 'failed', will_retry: true }, { attempt: 2, status: 'succeeded', will_retry: null }]);
});
