/**
 * The whole retention lifecycle on real partitions, run by the
 * archive_partitions task in a real worker on an injected clock: warm
 * partitions compressed, old ones exported, verified and purged (in that
 * order, each step a row), a DEFAULT partition and hot ones left alone, and
 * an archived range restored for forensics without a duplicate in the live table.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { DirectoryStore, readManifest, restoreArchive, RestoreRefusedError } from '../../lib/archive/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { archivePartitionsTask } from '../../tasks/archive_partitions.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';
import { archiveDir, day, eventsTable, NOW, partitionsOf, rowsOf } from './helpers.ts';

const { db, url } = await testDatabase(t);
const dir = await archiveDir(t);
process.env.BALLAST_ARCHIVE_DIR = dir;
const table = await eventsTable(db, 'lc', [1, 2, 3, 8, 9]);
const before = { 1: await rowsOf(db, table, 1) };
const warmBefore = await rowsOf(db, table, 8);
const partsBefore = await partitionsOf(db, table);

await startTestWorker(t, withRole(url, ROLES.worker), { stages: [archivePartitionsTask({ now: () => NOW.getTime() })] });

t.test('one run: compresses the warm partition, archives, verifies and purges the old ones, and leaves hot and DEFAULT alone', async (t) => {
  await db.query(`select graphile_worker.add_job('archive_partitions', $1::json)`, [JSON.stringify({ table })]);
  const run = await waitFor('the archive_partitions run', async () =>
    (await db.query(`select * from ballast.maintenance_runs where task = 'archive_partitions'`)).rows[0], { timeoutMs: 120_000 });
  t.match(run, { outcome: 'succeeded', error: null });
  t.same((await db.query(`select step, error from ballast.archive_runs where outcome = 'failed'`)).rows, [], 'no step failed');
  t.match(run.counts, { compressed: 1, exported: 3, verified: 3, purged: 3, failed: 0, held: 0 });

  t.same(await partitionsOf(db, table), partsBefore.slice(3), 'the three old partitions are gone; the warm and hot ones stay');
  t.ok((await db.query(`select to_regclass('lc.events_default') is not null as ok`)).rows[0].ok, 'the DEFAULT partition is never archived');
  t.equal((await db.query(`select count(*)::int n from lc.events where kind = 'ancient'`)).rows[0].n, 1, 'its row stays');

  const { rows: steps } = await db.query(`select partition_name p, step, outcome from ballast.archive_runs where table_name = $1 order by id`, [table]);
  for (const p of partsBefore.slice(0, 3)) {
    t.same(steps.filter((s) => s.p === p).map((s) => `${s.step}:${s.outcome}`), ['export:succeeded', 'verify:succeeded', 'purge:succeeded'],
      `${p}: export, verify, purge, in that order, each a row`);
  }
  const { rows: [c] } = await db.query(`select detail from ballast.archive_runs where step = 'compress' and table_name = $1`, [table]);
  t.match(c.detail, { method: /^(lz4|pglz)$/, bytes_before: Number, bytes_after: Number, ratio: Number }, 'the compression ratio is in the run row');
  const { rows: cols } = await db.query(`select a.attname, a.attcompression from pg_attribute a
    where a.attrelid = $1::regclass and a.attname in ('body', 'note') order by 1`, [partsBefore[3]]);
  t.same(cols, [{ attname: 'body', attcompression: c.detail.method === 'lz4' ? 'l' : 'p' }, { attname: 'note', attcompression: c.detail.method === 'lz4' ? 'l' : 'p' }],
    `the warm partition's columns are compressed with ${c.detail.method} (ratio ${c.detail.ratio})`);
  t.same(await rowsOf(db, table, 8), warmBefore, 'and it holds the same rows');
  const { rows: [ix] } = await db.query(`select count(*)::int attached,
      (select count(*)::int from pg_constraint where conrelid = $1::regclass and contype = 'c') as checks
    from pg_index x join pg_inherits i on i.inhrelid = x.indexrelid where x.indrelid = $1::regclass`, [partsBefore[3]]);
  t.same(ix, { attached: 1, checks: 0 }, 'its primary key index is attached to the parent\'s, and the swap left no constraint behind');

  const { rows: archives } = await db.query(`select status, row_count, key, manifest from ballast.archives where table_name = $1 order by range_from`, [table]);
  t.same(archives.map((a) => [a.status, a.row_count]), [['purged', 200], ['purged', 200], ['purged', 200]]);
  const store = new DirectoryStore(dir);
  const m = await readManifest(store, `${archives[0].key}.manifest.json`);
  t.same(m, archives[0].manifest, 'the manifest beside the file is the one recorded');
  t.match(m, { table, row_count: 200, range: { from: `${day(1)}T00:00:00.000Z`, to: `${day(2)}T00:00:00.000Z` },
    file: { sha256: /^[0-9a-f]{64}$/ }, content_hash: /^v2:200:/, schema_version: /^\d+_/ });
  t.ok((await fs.stat(path.join(dir, archives[0].key))).size > 0, 'the gzipped COPY file is in the store');
});

t.test('a second run finds nothing to do', async (t) => {
  await db.query(`select graphile_worker.add_job('archive_partitions', $1::json)`, [JSON.stringify({ table })]);
  const runs = await waitFor('two runs', async () => {
    const { rows } = await db.query(`select counts from ballast.maintenance_runs where task = 'archive_partitions' order by id`);
    return rows.length === 2 && rows;
  }, { timeoutMs: 120_000 });
  t.match(runs[1].counts, { taken: 0, exported: 0, purged: 0, compressed: 0 });
});

t.test('restore brings a purged range back into its own schema, never beside live rows, and never twice', async (t) => {
  const owner = new Db({ connectionString: withRole(url, ROLES.owner) });
  t.teardown(() => owner.close());
  const store = new DirectoryStore(dir);
  const { rows: [a] } = await db.query(`select key from ballast.archives where table_name = $1 order by range_from limit 1`, [table]);
  const liveBefore = (await db.query(`select count(*)::int n from ${table}`)).rows[0].n;

  const r = await restoreArchive(owner, store, `${a.key}.manifest.json`, { actor: 'cli:test' });
  t.same(r, { table: 'archive_restore.part_1x', rows: 200 });
  const { rows } = await db.query(`select to_jsonb(e)::text as j from archive_restore.part_1x e order by id`);
  t.same(rows.map((x) => x.j), before[1], 'the restored rows are the archived rows, value for value');
  t.equal((await db.query(`select count(*)::int n from ${table}`)).rows[0].n, liveBefore, 'the live table holds no restored row');

  await t.rejects(restoreArchive(owner, store, `${a.key}.manifest.json`, { actor: 'cli:test' }), RestoreRefusedError, 'a second restore is refused');
  await t.rejects(restoreArchive(owner, store, `${a.key}.manifest.json`, { into: 'lc', actor: 'cli:test' }),
    /refusing to restore into lc, the schema of the live table/, 'restoring beside the live table is refused');
  const { rows: [run] } = await db.query(`select outcome, rows, detail from ballast.archive_runs where step = 'restore'`);
  t.match(run, { outcome: 'succeeded', rows: 200, detail: { into: 'archive_restore.part_1x', by: 'cli:test' } });
  t.equal((await db.query(`select count(*)::int n from ${table}`)).rows[0].n, liveBefore, 'still no duplicate in the live table');
});
