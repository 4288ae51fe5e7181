/**
 * Nothing is purged unverified: a corrupted file, a row written after the
 * export (caught at verification and again by the purge gate), a store that
 * cannot be written; each leaves the partition in place, a failed step row,
 * and the archive_failed alert's condition holding; a failed archive is never
 * retried into a purge. A partition with live work is held, not archived.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { DirectoryStore, exportPartition, runRetention, type PartitionRange } from '../../lib/archive/index.ts';
import { conditionQuery } from '../../lib/alerts/conditions.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { archiveDir, DAY, day, eventsTable, fill, NOW, partitionsOf } from './helpers.ts';

const { db, url } = await testDatabase(t);
const worker = new Db({ connectionString: withRole(url, ROLES.worker) });
t.teardown(() => worker.close());
const dir = await archiveDir(t);
const store = new DirectoryStore(dir);
const stores = new Map([['local', store]]);
const pass = (opts: { table: string; now?: Date; stores?: Map<string, DirectoryStore> }) =>
  runRetention(worker, { now: opts.now ?? NOW, stores: opts.stores ?? stores, actor: 'test', table: opts.table });

/** The partition of `table` for day `d`, as the lifecycle sees it. */
async function partition(table: string, d: number): Promise<PartitionRange> {
  const { rows: [p] } = await db.query(`
    select r.partition::text as partition, ballast.partition_key($1::regclass) as key_column, r.lower_bound as range_from, r.upper_bound as range_to
      from ballast.partition_ranges($1::regclass) r where r.lower_bound = $2::timestamptz`, [table, `${day(d)} 00:00+00`]);
  return { table, ...p };
}

const steps = async (table: string) => (await db.query(
  `select partition_name p, step, outcome, error from ballast.archive_runs where table_name = $1 order by id`, [table])).rows;

/** The archive_failed alert's condition, as evaluate_alerts runs it. */
async function firing(): Promise<{ key: string; message: string }[]> {
  return (await db.query(conditionQuery('archive_failed').text)).rows;
}

t.test('a corrupted file fails verification: the partition stays, the failure is a row and an alert, and it is never retried into a purge', async (t) => {
  const table = await eventsTable(db, 'corrupt', [1]);
  const p = await partition(table, 1);
  const x = await exportPartition(worker, store, p, { now: NOW, actor: 'test' });
  const file = path.join(dir, x.manifest.file.key);
  const bytes = await fs.readFile(file);
  bytes[Math.floor(bytes.length / 2)]! ^= 0xff;
  await fs.writeFile(file, bytes);

  const c = await pass({ table });
  t.match(c, { verified: 0, purged: 0, failed: 1 });
  t.same(await partitionsOf(db, table), [p.partition], 'the partition is still there');
  t.equal((await db.query(`select count(*)::int n from ${table} where kind <> 'ancient'`)).rows[0].n, 200, 'with every row');
  const [v] = (await steps(table)).filter((s) => s.step === 'verify');
  t.match(v, { outcome: 'failed', error: /file_readable|file_sha256/ });
  t.equal((await db.query('select status from ballast.archives where id = $1', [x.archiveId])).rows[0].status, 'failed');
  t.match(await firing(), [{ key: p.partition, message: /verify of corrupt\.part_1x .* failed/ }], 'archive_failed fires for it');

  const again = await pass({ table, now: new Date(NOW.getTime() + 30 * DAY) });
  t.match(again, { blocked: 1, verified: 0, purged: 0, taken: 0 }, 'the next run leaves it blocked: no blind retry');
  t.same(await partitionsOf(db, table), [p.partition]);
  await t.rejects(worker.atomicWrite((tx) => tx.query('select ballast.purge_partition($1)', [x.archiveId])),
    /is failed, not verified: its partition is not purged/, 'the gate refuses it too');
});

t.test('a row written after the export fails verification against the live partition', async (t) => {
  const table = await eventsTable(db, 'late', [1]);
  // Not due for purge yet: verification compares the live partition itself (when the purge follows at once, its gate does, next test).
  await db.query(`update ballast.retention_policies set purge_after = '20 days' where table_name = $1`, [table]);
  const p = await partition(table, 1);
  await exportPartition(worker, store, p, { now: NOW, actor: 'test' });
  await fill(db, table, 1, 1);

  t.match(await pass({ table }), { verified: 0, purged: 0, failed: 1 });
  const [v] = (await steps(table)).filter((s) => s.step === 'verify');
  t.match(v, { outcome: 'failed', error: /live_partition: the live partition holds 201 rows/ });
  t.equal((await db.query(`select count(*)::int n from ${table} where kind <> 'ancient'`)).rows[0].n, 201, 'nothing purged, the late row kept');
});

t.test('a row written after verification is caught by the purge gate itself', async (t) => {
  const table = await eventsTable(db, 'gate', [1]);
  await db.query(`update ballast.retention_policies set purge_after = '20 days' where table_name = $1`, [table]);
  t.match(await pass({ table }), { exported: 1, verified: 1, purged: 0 }, 'archived and verified, not yet old enough to purge');
  await fill(db, table, 1, 1);

  t.match(await pass({ table, now: new Date(NOW.getTime() + 30 * DAY) }), { purged: 0, failed: 1 });
  const [pg] = (await steps(table)).filter((s) => s.step === 'purge');
  t.match(pg, { outcome: 'failed', error: /the partition changed since it was exported \(201 rows/ });
  t.equal((await db.query(`select count(*)::int n from ${table} where kind <> 'ancient'`)).rows[0].n, 201, 'nothing purged');
  t.match(await pass({ table, now: new Date(NOW.getTime() + 31 * DAY) }), { blocked: 1, purged: 0 }, 'and it stays blocked');
});

t.test('a store that cannot be written fails the export: no archive, nothing purged, an alert', async (t) => {
  const table = await eventsTable(db, 'nostore', [1]);
  const blocker = path.join(dir, 'a-file');
  await fs.writeFile(blocker, 'not a directory');
  const broken = new Map([['local', new DirectoryStore(path.join(blocker, 'archive'))]]);

  t.match(await pass({ table, stores: broken }), { exported: 0, purged: 0, failed: 1 });
  const [x] = (await steps(table)).filter((s) => s.step === 'export');
  t.match(x, { outcome: 'failed', error: /ENOTDIR/ });
  t.equal((await db.query('select count(*)::int n from ballast.archives where table_name = $1', [table])).rows[0].n, 0, 'no archive recorded');
  t.equal((await partitionsOf(db, table)).length, 1, 'the partition stays');
  t.ok((await firing()).some((f) => f.key === 'nostore.part_1x'), 'archive_failed fires for it');

  t.match(await pass({ table }), { exported: 1, verified: 1, purged: 1 }, 'with a working store the next run archives it, verified first');
  t.notOk((await firing()).some((f) => f.key === 'nostore.part_1x'), 'and the alert condition clears');
});

t.test('a partition still holding live work is held, not archived, and says why', async (t) => {
  await db.query(`select ballast.create_partition('search.outbox', '${day(1)} 12:00+00')`);
  await db.query(`update ballast.retention_policies set hot_window = '1 day', warm_window = '0', archive_after = '2 days', purge_after = '2 days'
                   where table_name = 'search.outbox'`);
  await db.query(`insert into search.outbox (point_id, entity, op, version, enqueued_at, status)
                  select gen_random_uuid(), 'summary', 'upsert', 1, '${day(1)} 10:00+00'::timestamptz + i * interval '1 minute',
                         case when i = 1 then 'pending' else 'done' end
                    from generate_series(1, 50) i`);
  const outbox = await partition('search.outbox', 1);

  // The empty partitions 013 made ahead of its own day are older still, and are archived; this one is held.
  t.match(await pass({ table: 'search.outbox' }), { held: 1 });
  t.same((await db.query(`select count(*)::int n from ballast.archives where partition_name = $1`, [outbox.partition])).rows[0].n, 0, 'not exported');
  const [h] = (await steps('search.outbox')).filter((s) => s.step === 'hold');
  t.match(h, { p: outbox.partition, outcome: 'held' });
  t.match((await db.query(`select detail from ballast.archive_runs where step = 'hold'`)).rows[0].detail,
    { reason: '1 outbox rows not synced (pending or dead)' });

  await db.query(`update search.outbox set status = 'done' where enqueued_at >= '${day(1)} 00:00+00' and enqueued_at < '${day(2)} 00:00+00'`);
  t.match(await pass({ table: 'search.outbox' }), { exported: 1, verified: 1, purged: 1 }, 'once synced it is archived and purged');
  t.notOk((await partitionsOf(db, 'search.outbox')).includes(outbox.partition));
});
