import t from 'tap';
import { z } from 'zod';
import { defineStage } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

t.test('queued writes commit with the ledger row, in order, and fail the job as one transaction', async (t) => {
  const { db, url } = await testDatabase(t);
  await db.query(`create table public.notes (n int primary key, body text not null, trace_id text not null default ballast.setting('trace_id'))`);
  const seen: unknown[] = [];
  const stage = defineStage({
    task: 'notes', version: '1.0.0', payload: z.object({ n: z.number().int(), dup: z.boolean().default(false) }),
    async run({ n, dup }, { tx, write }) {
      write('insert into public.notes (n, body) values ($1, $2)', [n, `first's note`]);
      // A query after queued writes sees them: they are flushed first, in order.
      seen.push((await tx.query('select body from public.notes where n = $1', [n])).rows[0]?.body);
      write(`update public.notes set body = body || $2 where n = $1`, [n, ' (edited)']);
      if (dup) write('insert into public.notes (n, body) values ($1, $2)', [n, 'again']);
    },
  });
  await startTestWorker(t, url, { stages: [stage] });
  await db.query(`select graphile_worker.add_job('notes', json_build_object('n', 1, 'trace_id', $1::text))`, [TRACE]);
  await db.query(`select graphile_worker.add_job('notes', json_build_object('n', 2, 'dup', true, 'trace_id', $1::text), max_attempts => 1)`, [TRACE]);
  const rows = await waitFor('both attempts', async () => {
    const { rows } = await db.query(`select status, error from ballast.job_attempts order by id`);
    return rows.length === 2 ? rows : null;
  });
  t.same((await db.query('select n, body, trace_id from public.notes')).rows, [{ n: 1, body: "first's note (edited)", trace_id: TRACE }],
    'job 2 left nothing behind: its failing queued write rolled back its other writes');
  t.same(seen, ["first's note", "first's note"]);
  t.same(rows.map((r) => r.status).sort(), ['failed', 'succeeded']);
  t.match(rows.find((r) => r.status === 'failed')!.error, /duplicate key/);
});

t.test('write-only stages commit in one transaction; a write of several statements fails the job permanently, saying what to do', async (t) => {
  const { db, url } = await testDatabase(t);
  await db.query(`create table public.notes (n int primary key, body text not null, trace_id text not null default ballast.setting('trace_id'))`);
  const single = defineStage({
    task: 'note_single', version: '1.0.0', payload: z.object({ n: z.number().int() }),
    async run({ n }, { write }) { write('insert into public.notes (n, body) values ($1, $2)', [n, 'single']); },
  });
  const multi = defineStage({
    task: 'note_multi', version: '1.0.0', payload: z.object({ n: z.number().int() }),
    async run({ n }, { write }) {
      write('insert into public.notes (n, body) values ($1, $2)', [n, 'first']);
      write(`insert into public.notes (n, body) values (${n + 1}, 'multi; one'); update public.notes set body = body || ' and two' where n = ${n + 1}`);
    },
  });
  await startTestWorker(t, url, { stages: [single, multi], concurrency: 1 });
  for (let n = 1; n <= 3; n++) await db.query(`select graphile_worker.add_job('note_single', json_build_object('n', $1::int, 'trace_id', $2::text))`, [n, TRACE]);
  await db.query(`select graphile_worker.add_job('note_multi', json_build_object('n', 9, 'trace_id', $1::text))`, [TRACE]);
  const failed = await waitFor('three successes and one failure', async () => {
    const { rows } = await db.query(`select task, status, error, will_retry from ballast.job_attempts order by id`);
    return rows.length === 4 ? rows.find((r) => r.status === 'failed') ?? null : null;
  });
  t.same((await db.query('select n, body, trace_id from public.notes order by n')).rows.map((r) => [r.n, r.body, r.trace_id]), [
    [1, 'single', TRACE], [2, 'single', TRACE], [3, 'single', TRACE]], 'the failed job wrote nothing, not even its first write');
  t.equal(failed.task, 'note_multi');
  t.match(failed.error, /call write\(\) once per statement/);
  t.equal(failed.will_retry, false, 'permanent: a retry cannot fix it');
});

t.test('a write-only stage (one implicit transaction) writes the same rows as one that reads first (BEGIN ... COMMIT): outputs, stamps, audit rows and its ledger row, committed together', async (t) => {
  const { db, url } = await testDatabase(t);
  const stamp = (name: string) => `nullif(current_setting('ballast.${name}', true), '')`;
  await db.query(`create table public.stamped (
    n int primary key, body text not null,
    trace_id text not null default ${stamp('trace_id')}, correlation_id text default ${stamp('correlation_id')},
    produced_by text not null default ${stamp('task')}, producer_version text not null default ${stamp('task_version')})`);
  await db.query(`select audit.enable('public.stamped')`);
  const stage = defineStage({
    task: 'stamp', version: '2.1.0', payload: z.object({ n: z.number().int(), read: z.boolean() }),
    async run({ n, read }, { tx, write }) {
      // Reading first opens the transaction with BEGIN; without it, the writes and the ledger row go whole.
      if (read) await tx.query('select 1');
      write('insert into public.stamped (n, body) values ($1, $2)', [n, 'the same body']);
    },
  });
  await startTestWorker(t, url, { stages: [stage], concurrency: 1 });
  for (const [n, read] of [[1, false], [2, true]] as const) {
    await db.query(`select graphile_worker.add_job('stamp', json_build_object('n', $1::int, 'read', $2::boolean, 'trace_id', $3::text, 'correlation_id', 'c-same'))`, [n, read, TRACE]);
  }
  await waitFor('both attempts', async () => ((await db.query(`select count(*)::int as n from ballast.job_attempts where status = 'succeeded'`)).rows[0].n === 2) || null);

  const rows = async (sql: string) => (await db.query(sql)).rows;
  const [outputs, attempts, audit] = await Promise.all([
    rows(`select n, xmin::text as xid, to_jsonb(s) - 'n' as row from public.stamped s order by n`),
    rows(`select (select n from public.stamped where xmin = a.xmin) as n, xmin::text as xid,
                 to_jsonb(a) - array['id', 'job_id', 'span_id', 'job_created_at', 'started_at', 'heartbeat_at', 'finished_at'] as row,
                 finished_at = heartbeat_at as finished_at_is_heartbeat
            from ballast.job_attempts a order by n`),
    rows(`select entity_id::int as n, txid::text as txid,
                 to_jsonb(l) - array['id', 'txid', 'occurred_at', 'entity_id', 'span_id', 'job'] || jsonb_build_object('after_data', after_data - 'n') as row
            from audit.ledger l where entity_type = 'public.stamped' order by 1`),
  ]);
  t.same(outputs.map((r) => r.n), [1, 2]);
  t.same(outputs[0].row, outputs[1].row, 'the output rows and their stamps are the same');
  t.same(outputs[0].row, { body: 'the same body', trace_id: TRACE, correlation_id: 'c-same', produced_by: 'stamp', producer_version: '2.1.0' });
  t.same(attempts.map((r) => r.n), [1, 2], 'each ledger row committed with its job\'s output (same transaction)');
  t.same(attempts[0].row, attempts[1].row, 'the job_attempts rows are the same');
  t.match(attempts[0].row, { status: 'succeeded', task: 'stamp', task_version: '2.1.0', trace_id: TRACE, correlation_id: 'c-same' });
  t.same(attempts.map((r) => r.finished_at_is_heartbeat), [true, true]);
  t.same(audit.map((r) => r.n), [1, 2]);
  t.same(audit[0].row, audit[1].row, 'the audit rows are the same');
  t.match(audit[0].row, { operation: 'create', actor: /^worker:/, trace_id: TRACE, correlation_id: 'c-same' });
  t.same(audit.map((r) => r.txid), outputs.map((r) => r.xid), 'each audit row names its output\'s transaction');
});
