/**
 * The tamper-evident window stays bounded: the audit_seal task, run by a real
 * worker acting as ballast_worker, seals until it has caught up, however fast
 * the pipeline writes (the old task sealed one batch of 10,000 rows a run, a
 * run a minute); a time budget bounds a run; `audit verify` reports what is
 * not sealed yet. Rates are per run (one run is the cron's minute), and the
 * budget is measured on an injected clock: no assertion depends on timing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import t, { type Test } from 'tap';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { auditSealTask } from '../../tasks/audit_seal.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const { db, url } = await testDatabase(t);

// The task's clock: each reading advances it by `step` ms (0: the budget never runs out).
let step = 0;
let clock = 0;
await startTestWorker(t, withRole(url, ROLES.worker), { stages: [auditSealTask({ now: () => (clock += step) })] });

// The migrations' own ledger rows (their GRANTs) are sealed first: each test counts from an empty window.
await sealLedger(db);

let agents = 0;
/** Inserts `n` agents in one transaction: `n` audit ledger rows. */
async function write(n: number): Promise<void> {
  const from = agents + 1;
  agents += n;
  await db.query(`insert into app.agents (agent_id, user_id, phone_number)
    select 'a' || i, 'u', '+1555' || lpad(i::text, 7, '0') from generate_series($1::int, $2::int) i`, [from, agents]);
}

/**
 * Waits until every transaction older than the last ledger row has finished:
 * the sealer takes only rows below the oldest transaction still running
 * (an autovacuum ANALYZE, a worker's poll), so a row can wait behind one.
 */
async function settled(): Promise<void> {
  await waitFor('older transactions to finish', async () => (await db.query(
    `select pg_snapshot_xmin(pg_current_snapshot()) > coalesce(max(txid), '0'::xid8) as ok from audit.ledger`)).rows[0].ok);
}

const unsealed = async (): Promise<number> => (await db.query('select unsealed::int from audit.unsealed_window')).rows[0].unsealed;

/** Enqueues one run of audit_seal and returns the row it leaves in ballast.maintenance_runs. */
async function runSeal(t: Test, payload: object = {}): Promise<Record<string, any>> {
  const { rows: [{ last }] } = await db.query('select coalesce(max(id), 0) as last from ballast.maintenance_runs');
  await db.query(`select graphile_worker.add_job('audit_seal', $1::json)`, [JSON.stringify(payload)]);
  const run = await waitFor('the audit_seal run', async () =>
    (await db.query(`select * from ballast.maintenance_runs where id > $1 and task = 'audit_seal'`, [last])).rows[0], { timeoutMs: 120_000 });
  t.match(run, { outcome: 'succeeded', error: null });
  return run;
}

/** Audited rows per run (one cron minute): above the old limit of one 10,000-row batch per run. */
const PER_RUN = 12_000;

t.test('one batch a run (the old task) falls behind at this rate', async (t) => {
  for (let i = 0; i < PER_RUN / 2000; i++) await write(2000);
  await settled();
  const run = await runSeal(t, { max_batches: 1 });
  t.same(run.counts, { batches: 1, taken: 10_000, sealed: 10_000 });
  t.equal(await unsealed(), PER_RUN - 10_000, 'the rest waits for the next run, and grows by as much every run');
});

t.test(`at ${PER_RUN} audited rows a run, written while the task seals, every run catches up with what was written before it`, async (t) => {
  for (let minute = 1; minute <= 3; minute++) {
    for (let i = 0; i < PER_RUN / 2000; i++) await write(2000);
    await settled();
    const before = await unsealed();
    const { rows: [{ last }] } = await db.query('select max(id) as last from audit.ledger');
    // The pipeline keeps writing while the run seals (up to 12 more transactions of 500 rows).
    let running = true;
    const writing = (async () => { for (let i = 0; i < 12 && running; i++) await write(500); })();
    const run = await runSeal(t);
    running = false;
    await writing;
    t.ok(before >= PER_RUN, `minute ${minute}: ${before} rows waited for the run`);
    t.ok(run.counts.sealed >= before, `minute ${minute}: the run sealed ${run.counts.sealed} rows in ${run.counts.batches} batches, at least the ${before} that waited`);
    t.ok(run.counts.batches >= 2, 'more than one batch');
    const { rows: [left] } = await db.query(`select count(*)::int n from audit.ledger l
      where l.id <= $1 and not exists (select 1 from audit.chain c where c.ledger_id = l.id)`, [last]);
    t.equal(left.n, 0, `minute ${minute}: nothing written before the run is left unsealed`);
    t.ok(await unsealed() <= 12 * 500, 'the window holds only what was written during the run');
  }
  await settled();
  await runSeal(t);
  t.equal(await unsealed(), 0, 'once the writes stop, the next run closes the window');
  const v = await verifyLedger(db);
  t.ok(v.ok, 'the chain verifies');
  const { rows: [all] } = await db.query('select count(*)::int n from audit.ledger');
  t.equal(v.checked, all.n, 'every row written is in the chain');
});

t.test('the time budget ends a run of full batches; the next run goes on from there', async (t) => {
  await write(5000);
  await settled();
  step = 20_000; // every reading of the clock, 20 s pass
  const run = await runSeal(t, { batch_size: 1000 }); // the default budget: 45 s
  step = 0;
  t.same(run.counts, { batches: 3, taken: 3000, sealed: 3000 }, 'no batch starts after 45 s: 0, 20 and 40 s in, but not 60');
  t.equal(await unsealed(), 2000);
  const next = await runSeal(t, { batch_size: 1000 });
  t.same(next.counts, { batches: 3, taken: 2000, sealed: 2000 }, 'two full batches, then the short one');
  t.equal(await unsealed(), 0);
});

t.test('sealLedger (`ballast audit seal`) runs the same loop, with the same bounds, as the owner', async (t) => {
  const owner = new Db({ connectionString: withRole(url, ROLES.owner), max: 1 });
  t.teardown(() => owner.close());
  await write(2500);
  await settled();
  let now = 0;
  const bounded = await sealLedger(owner, { batchSize: 1000, budgetMs: 45_000, now: () => (now += 30_000) });
  t.equal(bounded.sealed, 2000, 'the budget ends it after two batches');
  const rest = await sealLedger(owner, { batchSize: 1000 });
  t.equal(rest.sealed, 500, 'until a short batch');
  t.equal((await sealLedger(owner, { batchSize: 1000 })).sealed, 0);
});

// The window's report on a database of its own: verify walks the whole chain, so keep it short.
const small = await testDatabase(t);
await sealLedger(small.db);
const addAgents = (...ids: string[]) => small.db.query(`insert into app.agents (agent_id, user_id, phone_number)
  select id, 'u', '+1555' || lpad(n::text, 7, '0') from unnest($1::text[]) with ordinality as x(id, n)`, [ids]);

t.test('verify reports the unsealed window: how many rows, and how old the oldest is', async (t) => {
  const sealedAll = await verifyLedger(small.db);
  t.match(sealedAll, { ok: true, unsealed: 0, oldestUnsealedAt: null, unsealedAgeSeconds: null });
  await addAgents('w1');
  await small.db.query(`update app.agents set nickname = 'n' where agent_id = 'w1'`);
  await small.db.query(`update app.agents set nickname = 'm' where agent_id = 'w1'`);
  const { rows: [first] } = await small.db.query(`select occurred_at as at from audit.ledger where entity_id = 'w1' and operation = 'create'`);
  const v = await verifyLedger(small.db, { now: new Date(first.at.getTime() + 90_000) });
  t.ok(v.ok, 'the sealed rows verify');
  t.equal(v.unsealed, 3);
  t.same(v.oldestUnsealedAt, first.at, 'the oldest unsealed row');
  t.ok(Math.abs(v.unsealedAgeSeconds! - 90) < 0.001, `its age, measured to the given time (${v.unsealedAgeSeconds} s)`);
});

/** Runs the CLI as a real process on the small database; resolves with its exit code and output. */
async function ballast(args: string[]): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: small.url, LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { out += c; });
  const [code] = await once(child, 'exit');
  return { code, out };
}

t.test('`ballast audit verify` prints the window, and `ballast audit seal` closes it, as the owner', async (t) => {
  const verify = await ballast(['audit', 'verify']);
  t.equal(verify.code, 0, verify.out);
  t.match(verify.out, /audit ledger OK: \d+ sealed row\(s\)/);
  t.match(verify.out, /unsealed window: 3 row\(s\), the oldest written \S+ \(\d+ s ago\)/);
  const seal = await ballast(['audit', 'seal']);
  t.equal(seal.code, 0, seal.out);
  t.match(seal.out, /sealed 3 row\(s\); chain head [0-9a-f]{64}/);
  const { rows: [s] } = await small.db.query('select sealed_by, row_count from audit.seals order by id desc limit 1');
  t.same(s, { sealed_by: 'ballast audit seal', row_count: 3 });
  t.match((await ballast(['audit', 'verify'])).out, /unsealed window: none/);
});
