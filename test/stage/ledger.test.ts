import t from 'tap';
import { z } from 'zod';
import { defineStage, PermanentError } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
// Text that String.prototype.replace would treat as replacement patterns, and quotes.
const NASTY = `it's "$&" and $' and $$ and \`$\`\` and \\ backslash`;

t.test('ledger rows keep error text verbatim, on every write path', async (t) => {
  const { db, url } = await testDatabase(t);
  const failing = defineStage({
    task: 'fails_nastily', version: '1.0.0', payload: z.object({}),
    async run() { throw new PermanentError(NASTY); },
  });
  // Runs until the test has seen its heartbeats: the running row is upserted at the end.
  let release!: () => void;
  const released = new Promise<void>((r) => { release = r; });
  const slow = defineStage({
    task: 'succeeds_slowly', version: '1.0.0', payload: z.object({ note: z.string() }),
    async run({ note }, { write }) {
      await released;
      write('select $1::text', [note]);
    },
  });
  const quick = defineStage({ task: 'succeeds_quickly', version: '1.0.0', payload: z.object({ n: z.number() }), async run() {} });
  await startTestWorker(t, url, { stages: [failing, slow, quick], heartbeatMs: 50 });
  await db.query(`select graphile_worker.add_job('fails_nastily', json_build_object('trace_id', $1::text, 'correlation_id', $2::text))`, [TRACE, NASTY]);
  await db.query(`select graphile_worker.add_job('succeeds_slowly', json_build_object('note', $2::text, 'trace_id', $1::text, 'correlation_id', $2::text))`, [TRACE, NASTY]);
  await db.query(`select graphile_worker.add_jobs(array_agg(('succeeds_quickly', json_build_object('n', n, 'trace_id', $1::text, 'correlation_id', $2::text || n),
                    null, null, null, null, null, null)::graphile_worker.job_spec)) from generate_series(1, 200) n`, [TRACE, NASTY]);

  const failed = await waitFor('the failed attempt', async () =>
    (await db.query(`select * from ballast.job_attempts where task = 'fails_nastily'`)).rows[0]);
  t.match(failed.error, `PermanentError: ${NASTY} [err_`, 'the error text, byte for byte');
  t.equal(failed.correlation_id, NASTY);

  const slowAttempt = `select *, heartbeat_at::text as beat from ballast.job_attempts where task = 'succeeds_slowly'`;
  const running = await waitFor('the slow attempt to heartbeat', async () =>
    (await db.query(`${slowAttempt} and status = 'running'`)).rows[0]);
  t.equal(running.correlation_id, NASTY, 'heartbeat insert path');
  await waitFor('a later heartbeat to refresh the running row', async () =>
    (await db.query(`${slowAttempt} and status = 'running' and heartbeat_at > $1`, [running.beat])).rows[0]);
  release();
  const slowRow = await waitFor('the slow attempt to succeed', async () =>
    (await db.query(`${slowAttempt} and status = 'succeeded'`)).rows[0]);
  t.equal(slowRow.span_id, running.span_id, 'the success updated the running row');
  t.equal(slowRow.correlation_id, NASTY, 'heartbeat upsert path');
  t.equal((await db.query(`select count(*)::int as n from ballast.job_attempts where task = 'succeeds_slowly'`)).rows[0].n, 1);

  const quickRows = await waitFor('200 quick attempts', async () => {
    const { rows } = await db.query(`select correlation_id from ballast.job_attempts where task = 'succeeds_quickly' and status = 'succeeded'`);
    return rows.length === 200 ? rows : null;
  });
  t.ok(quickRows.every((r: { correlation_id: string }) => r.correlation_id.startsWith(NASTY)), 'batched path');
  const { rows: [dupes] } = await db.query(`select count(*)::int as n from (select job_id from ballast.job_attempts group by job_id, attempt having count(*) > 1) d`);
  t.equal(dupes.n, 0, 'one row per attempt');
});

t.test('the ledger refuses malformed trace and span ids (domain checks)', async (t) => {
  const { db } = await testDatabase(t);
  const insert = (trace: string | null, span: string) => db.query(
    `insert into ballast.job_attempts (job_id, task, attempt, max_attempts, trace_id, span_id, worker_id, status, job_created_at, started_at)
     values (1, 't', 1, 1, $1, $2, 'w', 'running', now(), now())`, [trace, span]);
  for (const [trace, span] of [['0AF7651916CD43DD8448EB211C80319C', 'b7ad6b7169203331'], ['0af7651916cd43dd8448eb211c80319', 'b7ad6b7169203331'],
    ['0af7651916cd43dd8448eb211c80319c', 'b7ad6b716920333'], [null, 'not-a-span-id-xx']] as const) {
    const err = await insert(trace, span).catch((e) => e);
    t.equal(err?.code, '23514', `refused: ${trace} / ${span}`);
  }
  await insert('0af7651916cd43dd8448eb211c80319c', 'b7ad6b7169203331');
  await insert(null, 'b7ad6b7169203332');
  t.equal((await db.query('select count(*)::int as n from ballast.job_attempts')).rows[0].n, 2, 'well-formed ids (and no trace) are accepted');
});
