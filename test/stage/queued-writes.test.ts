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
