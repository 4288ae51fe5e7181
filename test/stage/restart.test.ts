/**
 * A PostgreSQL restart under load: a receiver process and two worker
 * processes keep running, the receiver answers 503 with Retry-After while the
 * database is away, and afterwards every event reaches a terminal state and
 * SIGTERM still stops each worker with exit code 0.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import t from 'tap';
import { Db } from '../../lib/db/index.ts';
import { TEST_DATA_DIR } from '../helpers/cluster.ts';
import { newTally, ownServer, sendEvents, settled, startFleet, verdict } from '../helpers/fleet.ts';
import { waitFor } from '../helpers/wait.ts';

const EVENTS = 80;

t.test('the fleet survives a database restart under load', async (t) => {
  // A server of this test's own: restarting the suite's shared one would fail every other test.
  const dir = `${TEST_DATA_DIR}-restart-${randomBytes(3).toString('hex')}`;
  const server = await ownServer(path.join(dir, 'db'));
  t.teardown(() => server.remove().then(() => import('node:fs/promises')).then((fs) => fs.rm(dir, { recursive: true, force: true })));
  const fleet = await startFleet(server.url, { workers: 2, concurrency: 4, dataDir: path.join(dir, 'data'), logDir: path.join(dir, 'logs') });
  t.teardown(() => fleet.shutdown(5000));
  const pids = [fleet.receiver, ...fleet.workers].map((p) => p.child.pid);

  const healthz = async () => {
    const r = await fetch(`${fleet.receiverUrl}/healthz`);
    return { status: r.status, retryAfter: r.headers.get('retry-after') };
  };
  let whileDown: { status: number; retryAfter: string | null } | null = null;
  const tally = newTally();
  let outage: Promise<void> = Promise.resolve();
  let upAgain = 0;
  // Half before and during the outage, half after it, so both workers have work once it is over.
  const sending = sendEvents(fleet.receiverUrl, fleet.secret, EVENTS / 2, {
    tally,
    onAccepted: (n) => {
      if (n !== 30) return;
      outage = (async () => {
        await server.down();
        try {
          // A worker that dies instead fails the assertions below, with its output.
          await waitFor('the receiver to answer 503, and both workers to see the database gone', async () => {
            whileDown = await healthz();
            return whileDown.status === 503 &&
              fleet.workers.every((w) => w.child.exitCode !== null || /database still unavailable|stopped its pool on its own|Error with notify listener/.test(w.output()));
          }, { timeoutMs: 60_000, intervalMs: 100 });
        } finally {
          await server.up();
          upAgain = Date.now();
        }
      })();
    },
  });
  await sending;
  await outage;
  await sendEvents(fleet.receiverUrl, fleet.secret, EVENTS / 2, { tally, firstIndex: EVENTS / 2 });
  t.same(whileDown, { status: 503, retryAfter: '5' }, 'while the database was away, the receiver answered 503 with Retry-After');
  await waitFor('the receiver to answer again', async () => (await healthz()).status === 200);
  t.equal(tally.accepted.size, EVENTS, `every event was accepted in the end (answers: ${JSON.stringify(tally.statuses)})`);

  const db = new Db({ connectionString: server.url, max: 2 });
  t.teardown(() => db.close());
  // Stops early when a worker died: the checks below then say what is wrong.
  await waitFor('every event to reach a terminal state', async () =>
    fleet.workers.some((w) => w.child.exitCode !== null) || settled(db, EVENTS), { timeoutMs: 120_000, intervalMs: 250 });
  const v = await verdict(db, tally.accepted);
  for (const c of v.checks) t.ok(c.ok, `${c.name} (${c.detail})`);

  const exited = [fleet.receiver, ...fleet.workers].filter((p) => p.child.exitCode !== null);
  t.same(exited.map((p) => `${p.name} exited with ${p.child.exitCode}: ${p.output().slice(-1500)}`), [], 'no process exited');
  t.same([fleet.receiver, ...fleet.workers].map((p) => p.child.pid), pids, 'the same processes');
  const { rows } = await db.query<{ pid: string }>(
    `select distinct split_part(worker_id, ':', 2) as pid from ballast.job_attempts where status = 'succeeded' and started_at > $1`, [new Date(upAgain)]);
  t.same(rows.map((r) => Number(r.pid)).sort(), fleet.workers.map((w) => w.child.pid).sort(), 'both workers ran jobs after the restart');

  for (const w of fleet.workers) w.child.kill('SIGTERM');
  const exits = await Promise.all(fleet.workers.map((w) => w.exited));
  t.same(exits.map((e) => e.code), [0, 0], 'SIGTERM stops each worker with exit code 0');
  const { rows: [locked] } = await db.query<{ n: number }>('select count(*)::int as n from ballast.queued_jobs where locked_at is not null');
  t.equal(locked!.n, 0, 'and leaves no job locked');
});
