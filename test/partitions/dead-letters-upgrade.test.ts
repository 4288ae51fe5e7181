/**
 * 022_dead_letter_partitions.sql on a database holding dead letters written
 * before it: open and resolved ones, one with a failed replay behind it and
 * its next replay still queued. They keep their ids, rows, grants, triggers,
 * indexes and audit registration, get the earliest time known for them as
 * created_at, and land in the partition of its month. After the upgrade the
 * replay and resolution paths work on them (a real worker, the requeue task's
 * function, `ballast dlq`), a failed replay leaves the row where it is, and
 * the archive lifecycle takes a month of resolved dead letters and holds a
 * month with an open one. Every date is fixed: the clock is injected.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { z } from 'zod';
import { DirectoryStore, runRetention } from '../../lib/archive/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { requeueDueDeadLetters } from '../../lib/failures/index.ts';
import { defineStage, PermanentError } from '../../lib/stage/index.ts';
import { archiveDir } from '../archive/helpers.ts';
import { ROOT } from '../helpers/cluster.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { databaseBefore, tableShape } from '../helpers/upgrade.ts';
import { waitFor } from '../helpers/wait.ts';

const MIGRATION = '022_dead_letter_partitions.sql';
const TABLE = 'ballast.pipeline_failures';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const run = promisify(execFile);
const ballast = async (url: string, ...args: string[]) => (await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
  { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops' } })).stdout;

/** The stage the dead letters name: case 'b' now succeeds, case 'a' still fails for good. */
const stage = defineStage({
  task: 'dlq_upgrade', version: '1.0.0', payload: z.object({ case: z.string() }),
  async run({ case: c }) {
    if (c === 'a') throw new PermanentError('upstream still broken');
  },
});

const expect = {
  createdAtTrigger: 'CREATE TRIGGER pipeline_failures_created_at_fixed BEFORE UPDATE OF created_at ON ballast.pipeline_failures FOR EACH ROW '
    + 'WHEN ((new.created_at IS DISTINCT FROM old.created_at)) EXECUTE FUNCTION ballast.dead_letter_created_at_fixed()',
  createdAtComment: 'created_at=when the dead letter was first written; never changes (failed_at moves on each failed replay); the partition key',
};

/** What must survive the conversion. */
async function picture(db: Db) {
  const { rows: data } = await db.query(`select to_jsonb(f) - 'created_at' as row from ${TABLE} f order by id`);
  return { data, ...await tableShape(db, TABLE) };
}

t.test(`${MIGRATION}: dead letters keep their ids and rows, and every path still works on them`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  const worker = new Db({ connectionString: withRole(up.url, ROLES.worker) });
  t.teardown(() => worker.close());

  // Dead letters as the older ballast wrote them: A open and due for replay,
  // D and C resolved (October and November 2019), B open with a failed replay
  // behind it and its next replay queued.
  const letter = async (c: string, failedAt: string, opts: { retryAt?: string; resolvedAt?: string; replays?: number } = {}) => (await db.query(`
    insert into ${TABLE} (interaction_id, failing_function, error_code, error_message, payload_snapshot, context, failed_at, next_retry_at, resolved_at, resolution_note)
    values ($1, 'dlq_upgrade', 'UNEXPECTED', 'boom', $2, $3, $4, $5, $6, $7) returning id`,
  [`case:${c}`, { case: c }, { task: 'dlq_upgrade', replayable: true, trace_id: TRACE, correlation_id: `up:${c}`, job_id: `10${c.charCodeAt(0)}`,
    ...(opts.replays ? { replays: opts.replays } : {}) },
  failedAt, opts.retryAt ?? null, opts.resolvedAt ?? null, opts.resolvedAt ? 'fixed by hand (by ops)' : null])).rows[0].id as string;
  const A = await letter('a', '2019-10-05T10:00:00Z', { retryAt: '2019-10-05T10:05:00Z' });
  const D = await letter('d', '2019-10-12T10:00:00Z', { resolvedAt: '2019-10-13T09:00:00Z' });
  const C = await letter('c', '2019-11-03T10:00:00Z', { resolvedAt: '2019-11-04T09:00:00Z', replays: 1 });
  const B = await letter('b', '2019-10-20T10:00:00Z');
  await db.lockedMutation(async (tx) => {
    await tx.lockRows(`select id from ${TABLE} where id = $1 for update`, [B]);
    await tx.query('select ballast.replay_dead_letter($1, true)', [B]);
  }, { actor: 'ops:test' });
  await db.query(`select ballast.record_failure($1, null, $2)`, [
    { error_id: 'err_0000000000b1', layer: 'L3', component: 'dlq_upgrade', error_class: 'infra.replay', severity: 'error', message: 'replay failed' },
    { replay_of: B, error_code: 'UNEXPECTED', error_message: 'replay failed' }]);
  const { rows: [bBefore] } = await db.query(`select failed_at, (select min(occurred_at) from audit.ledger
      where entity_type = $1 and entity_id = $2::text and operation = 'create') as inserted_at from ${TABLE} where id = $2::uuid`, [TABLE, B]);
  t.ok(bBefore.failed_at > bBefore.inserted_at, 'B\'s failed replay moved its failed_at past the time it was written');
  const before = await picture(db);

  t.same(await up.apply(), [MIGRATION]);

  // What the migration changes on purpose: the new column and its comment, the trigger that keeps it, the primary key's columns.
  const after = await picture(db);
  t.same(after.data, before.data, 'every row kept, with its id');
  t.same(after.privs, before.privs, 'the grants kept');
  t.same(after.indexes, before.indexes, 'the indexes kept');
  t.same(after.triggers, [...before.triggers, expect.createdAtTrigger].sort(), 'the triggers kept (audit with its redaction), one added');
  t.same(after.columnComments, [...before.columnComments, expect.createdAtComment].sort(), 'the comments kept');
  t.equal(after.audit, before.audit, 'the audit registration kept');
  const { rows: [kind] } = await db.query(`select c.relkind, pg_get_userbyid(c.relowner) as owner, ballast.partition_key(c.oid) as key,
      (select pg_get_constraintdef(x.oid) from pg_constraint x where x.conrelid = c.oid and x.contype = 'p') as pk
    from pg_class c where c.oid = $1::regclass`, [TABLE]);
  t.same(kind, { relkind: 'p', owner: 'ballast_partition_keeper', key: 'created_at', pk: 'PRIMARY KEY (id, created_at)' });
  t.same((await db.query(`select partition_column, granularity from ballast.partitioned_tables where table_name = $1`, [TABLE])).rows,
    [{ partition_column: 'created_at', granularity: 'month' }], 'registered: maintain_partitions keeps months ahead');
  t.match((await db.query(`select * from ballast.retention_policies where table_name = $1`, [TABLE])).rows,
    [{ verify: 'file', enabled: true }], 'with a retention policy');
  await db.query('select * from ballast.unrecorded_failed_jobs limit 1');
  t.pass('the view on it was recreated');

  const where = async (id: string) => (await db.query(`select to_json(created_at)#>>'{}' as created_at, tableoid::regclass::text as part from ${TABLE} where id = $1`, [id])).rows[0];
  // (Rows written "in 2019" whose audit rows say today: the earlier of the two is failed_at.)
  t.same(await where(A), { created_at: '2019-10-05T10:00:00+00:00', part: `${TABLE}_p201910` }, 'A: created_at from failed_at, in October');
  t.same(await where(D), { created_at: '2019-10-12T10:00:00+00:00', part: `${TABLE}_p201910` });
  t.same(await where(C), { created_at: '2019-11-03T10:00:00+00:00', part: `${TABLE}_p201911` }, 'C: in November');
  const b = await where(B);
  t.equal(new Date(b.created_at).getTime(), bBefore.inserted_at.getTime(), 'B: created_at is when the ledger saw it written, earlier than its moved failed_at');
  t.not(b.part, `${TABLE}_default`, 'B has the partition of its month');
  const { rows: backfill } = await db.query(`select entity_id, before_data->'created_at' as b, after_data->>'created_at' as a, after_data->>'context' as ctx
    from audit.ledger where entity_type = $1 and operation = 'update' and before_data->'created_at' = 'null'::jsonb order by entity_id`, [TABLE]);
  t.same(backfill.map((r) => r.entity_id), [A, B, C, D].sort(), 'the backfill is in the audit ledger, one row per dead letter, named by its id');
  t.ok(backfill.every((r) => r.a && /^hmac-sha256:/.test(r.ctx)), 'with context still redacted');

  // Paths after the upgrade: B's queued replay runs and succeeds; A's replay fails for good.
  const audited = async (id: string) => (await db.query(`select count(*)::int n from audit.ledger where entity_type = $1 and entity_id = $2`, [TABLE, id])).rows[0].n;
  const aAudited = await audited(A);
  await startTestWorker(t, withRole(up.url, ROLES.worker), { stages: [stage] });
  const resolved = await waitFor('B resolved by its replay', async () => (await db.query(
    `select resolution_note, to_json(created_at)#>>'{}' as created_at, tableoid::regclass::text as part from ${TABLE} where id = $1 and resolved_at is not null`, [B])).rows[0],
  { timeoutMs: 60_000 });
  t.match(resolved, { resolution_note: /^replay succeeded/ });
  t.same([resolved.created_at, resolved.part], [b.created_at, b.part], 'resolved in place: created_at and partition unchanged');

  t.match(await requeueDueDeadLetters(worker), { claimed: 1, enqueued: 1 }, 'A is due: the requeue task replays it');
  const failed = await waitFor('A\'s replay to fail', async () => (await db.query(
    `select failed_at, to_json(created_at)#>>'{}' as created_at, tableoid::regclass::text as part, context from ${TABLE} where id = $1 and context ? 'last_replay_failed_at'`, [A])).rows[0],
  { timeoutMs: 60_000 });
  t.ok(failed.failed_at > new Date('2019-10-05T10:00:00Z'), 'a failed replay moves failed_at');
  t.same([failed.created_at, failed.part, failed.context.replays], ['2019-10-05T10:00:00+00:00', `${TABLE}_p201910`, 1], '... and leaves created_at, and the row, where they were');
  t.ok(await audited(A) >= aAudited + 2, 'the replay and its failure are audited under its id');
  await t.rejects(db.query(`update ${TABLE} set created_at = created_at + interval '40 days' where id = $1`, [A]),
    /dead letter .*: created_at never changes/, 'nobody moves a dead letter by its created_at, not even a superuser');

  const listed = JSON.parse(await ballast(up.url, 'dlq', 'list', '--all', '--json'));
  t.same(listed.map((r: { id: string }) => r.id).sort(), [A, B, C, D].sort(), '`ballast dlq list` shows them all');
  t.match(JSON.parse((await ballast(up.url, 'dlq', 'show', C)).split('\n\n')[0]!), { id: C, created_at: '2019-11-03T10:00:00.000Z', resolved_at: '2019-11-04T09:00:00.000Z' },
    '`ballast dlq show` finds one by id');

  // Retention on an injected clock: both months are past archive_after and purge_after (90 days).
  const dir = await archiveDir(t);
  const stores = new Map([['local', new DirectoryStore(dir)]]);
  const pass = (now: string) => runRetention(worker, { now: new Date(now), stores, actor: 'test', table: TABLE });
  const steps = async (part: string) => (await db.query(`select step, outcome, detail->>'reason' as reason from ballast.archive_runs
    where partition_name = $1 order by id`, [part])).rows.map((s) => `${s.step}:${s.outcome}${s.reason ? `:${s.reason}` : ''}`);
  await pass('2020-03-15T00:00:00Z');
  t.same(await steps(`${TABLE}_p201911`), ['export:succeeded', 'verify:succeeded', 'purge:succeeded'], 'November, all resolved: archived, verified, purged');
  t.same(await steps(`${TABLE}_p201910`), ['hold:held:1 open dead letters'], 'October, with A open: held');
  t.match((await db.query(`select status, row_count, manifest->>'table' as t from ballast.archives where partition_name = $1`, [`${TABLE}_p201911`])).rows,
    [{ status: 'purged', row_count: 1, t: TABLE }]);
  t.equal((await db.query(`select count(*)::int n from ${TABLE} where id = $1`, [C])).rows[0].n, 0, 'C left with its partition');
  t.equal((await db.query(`select count(*)::int n from ${TABLE} where id in ($1, $2)`, [A, D])).rows[0].n, 2, 'A and D stay');

  t.match(await ballast(up.url, 'dlq', 'resolve', A, '--note', 'upstream retired'), /resolved/, '`ballast dlq resolve` resolves A');
  await pass('2020-03-16T00:00:00Z');
  t.same(await steps(`${TABLE}_p201910`), ['hold:held:1 open dead letters', 'export:succeeded', 'verify:succeeded', 'purge:succeeded'],
    'once A is resolved, October is archived, verified and purged');
  t.match((await db.query(`select status, row_count from ballast.archives where partition_name = $1`, [`${TABLE}_p201910`])).rows, [{ status: 'purged', row_count: 2 }]);
});
