import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { runNamed } from '../../lib/forensics/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

function spawnWorker(url: string, args: { holdMs: number; heartbeatMs?: number; concurrency?: number }) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test/helpers/slow-worker.ts'), url,
    String(args.holdMs), String(args.heartbeatMs ?? 5000), String(args.concurrency ?? 1)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited, output: () => out };
}

const enqueue = (db: import('../../lib/db/index.ts').Db, n: number) =>
  db.query(`select graphile_worker.add_job('slow', json_build_object('n', $1::int, 'trace_id', $2::text))`, [n, TRACE]);

async function setup(t: { teardown(fn: () => unknown): void }) {
  const { db, url } = await testDatabase(t);
  await db.query('create table public.slow_outputs (n int primary key, runs int not null default 1, trace_id text default ballast.setting(\'trace_id\'))');
  return { db, url };
}

t.test('SIGTERM during a job: the job finishes, queued jobs go back, nothing is lost or run twice', async (t) => {
  const { db, url } = await setup(t);
  for (const n of [1, 2, 3]) await enqueue(db, n);
  const w = spawnWorker(url, { holdMs: 800, concurrency: 1 });
  t.teardown(() => { w.child.kill('SIGKILL'); });
  await waitFor('the first job to start', async () => w.output().includes('started'));
  w.child.kill('SIGTERM');
  const { code } = await w.exited;
  t.equal(code, 0, 'exits cleanly after the in-flight job');
  t.match(w.output(), /stopped/);

  const { rows: done } = await db.query('select n, runs, trace_id from public.slow_outputs');
  t.equal(done.length, 1, 'the in-flight job completed');
  t.same(done[0], { n: done[0].n, runs: 1, trace_id: TRACE });
  const { rows: ledger } = await db.query(`select status from ballast.job_attempts`);
  t.same(ledger, [{ status: 'succeeded' }]);
  const { rows: left } = await db.query('select locked_at, attempts from graphile_worker._private_jobs order by id');
  t.equal(left.length, 2, 'the two jobs that had not started are still queued');
  t.ok(left.every((j) => j.locked_at === null), 'and unlocked for the next worker');

  const w2 = spawnWorker(url, { holdMs: 10, concurrency: 2 });
  t.teardown(() => { w2.child.kill('SIGKILL'); });
  await waitFor('the rest to run', async () => (await db.query('select count(*)::int as n from public.slow_outputs')).rows[0].n === 3);
  w2.child.kill('SIGTERM');
  t.equal((await w2.exited).code, 0);
  const { rows: all } = await db.query('select n, runs from public.slow_outputs order by n');
  t.same(all, [{ n: 1, runs: 1 }, { n: 2, runs: 1 }, { n: 3, runs: 1 }], 'every job ran exactly once');
});

t.test('a long attempt heartbeats; when its worker dies, stuck_attempts names it', async (t) => {
  const { db, url } = await setup(t);
  await enqueue(db, 7);
  const w = spawnWorker(url, { holdMs: 60_000, heartbeatMs: 100 });
  t.teardown(() => { w.child.kill('SIGKILL'); });
  const first = await waitFor('a running ledger row', async () =>
    (await db.query(`select * from ballast.job_attempts where status = 'running'`)).rows[0]);
  t.match(first, { task: 'slow', attempt: 1, trace_id: TRACE, finished_at: null });
  await waitFor('the heartbeat to move', async () =>
    (await db.query(`select heartbeat_at > $1 as moved from ballast.job_attempts where id = $2`, [first.heartbeat_at, first.id])).rows[0].moved);
  t.same(await runNamed(db, 'stuck_attempts', [5]), [], 'a live heartbeat is not stuck');

  w.child.kill('SIGKILL');
  await w.exited;
  const stuck = await waitFor('stuck_attempts to name it', async () => {
    const rows = await runNamed(db, 'stuck_attempts', [0.5]);
    return rows.find((r) => r.finding === 'stale_heartbeat') ? rows : null;
  });
  t.match(stuck.find((r) => r.finding === 'stale_heartbeat'), { task: 'slow', trace_id: TRACE, worker_id: first.worker_id });
});
