/**
 * The two verification depths (lib/archive/verify.ts). `file` reads the file
 * back, rehashes it and counts and shape-checks its rows without parsing a
 * value; `rows` also reloads the rows into their real types and rehashes
 * them. Files here are rewritten *with* a matching sha256 in their manifest,
 * so that each check beyond the sha256 is what catches them, and the one
 * thing only `rows` catches (a value changed, the shape kept) is shown.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { CopyTextRows } from '../../lib/archive/copy-text.ts';
import { DirectoryStore, exportPartition, runRetention, verifyArchive, type Manifest, type PartitionRange } from '../../lib/archive/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { archiveDir, day, eventsTable, NOW } from './helpers.ts';

async function count(text: string, columns: number, chunk: number): Promise<CopyTextRows> {
  const rows = new CopyTextRows(columns);
  const bytes = Buffer.from(text);
  const parts = [];
  for (let i = 0; i < bytes.length; i += chunk) parts.push(bytes.subarray(i, i + chunk));
  await pipeline(Readable.from(parts), rows);
  return rows;
}

t.test('CopyTextRows counts rows and checks their field count, across any chunking', async (t) => {
  const good = 'a\tb\tc\n\\N\t\\t\t\\n\n1\t2\t3\n';
  for (const chunk of [1, 2, 5, 1000]) {
    const r = await count(good, 3, chunk);
    t.match(r, { rows: 3, misshapen: 0, truncated: false }, `chunks of ${chunk}`);
  }
  const bad = await count('a\tb\tc\na\tb\n1\t2\t3\t4\n', 3, 4);
  t.match(bad, { rows: 3, misshapen: 2, firstMisshapen: { row: 2, fields: 2 }, truncated: false });
  t.match(await count('a\tb\tc\na\tb', 3, 3), { rows: 1, truncated: true }, 'a file cut inside a row');
  t.match(await count('', 3, 3), { rows: 0, misshapen: 0, truncated: false }, 'an empty partition');
});

const { db, url } = await testDatabase(t);
const worker = new Db({ connectionString: withRole(url, ROLES.worker) });
t.teardown(() => worker.close());
const dir = await archiveDir(t);
const store = new DirectoryStore(dir);

async function partition(table: string, d: number): Promise<PartitionRange> {
  const { rows: [p] } = await db.query(`
    select r.partition::text as partition, ballast.partition_key($1::regclass) as key_column, r.lower_bound as range_from, r.upper_bound as range_to
      from ballast.partition_ranges($1::regclass) r where r.lower_bound = $2::timestamptz`, [table, `${day(d)} 00:00+00`]);
  return { table, ...p };
}

/** Rewrites an archive's file through `edit` and returns its manifest with the new file's sha256 and size, as a forger would. */
async function rewrite(m: Manifest, edit: (text: string) => string): Promise<Manifest> {
  const file = path.join(dir, m.file.key);
  const bytes = gzipSync(Buffer.from(edit(gunzipSync(await fs.readFile(file)).toString('utf8'))));
  await fs.writeFile(file, bytes);
  return { ...m, file: { ...m.file, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') } };
}

const failed = (v: { checks: { check: string; ok: boolean }[] }) => v.checks.filter((c) => !c.ok).map((c) => c.check);

t.test('a healthy archive passes at both depths, compared with the live partition', async (t) => {
  const table = await eventsTable(db, 'depth_ok', [1]);
  const x = await exportPartition(worker, store, await partition(table, 1), { now: NOW, actor: 'test' });
  for (const depth of ['file', 'rows'] as const) {
    const v = await verifyArchive(worker, store, x.manifest, null, { depth });
    t.match(v, { ok: true, rows: 200, liveCompared: true, depth }, depth);
    t.same(failed(v), []);
    t.ok(v.checks.some((c) => c.check === (depth === 'file' ? 'file_format' : 'content_hash')), `${depth} has its own check`);
  }
});

t.test('a row dropped from the file: row_count fails at both depths', async (t) => {
  const table = await eventsTable(db, 'depth_drop', [1]);
  const x = await exportPartition(worker, store, await partition(table, 1), { now: NOW, actor: 'test' });
  const forged = await rewrite(x.manifest, (s) => s.slice(s.indexOf('\n') + 1));
  for (const depth of ['file', 'rows'] as const) {
    const v = await verifyArchive(worker, store, forged, null, { depth, compareLive: false });
    t.match(v, { ok: false, rows: 199 }, depth);
    t.ok(failed(v).includes('row_count'), `${depth}: ${failed(v)}`);
    t.match(v.checks.find((c) => c.check === 'row_count'), { detail: 'the file holds 199 rows, the manifest says 200' });
  }
});

t.test('two fields run together, or a file cut inside a row: file_format fails (and rows cannot even load it)', async (t) => {
  const table = await eventsTable(db, 'depth_shape', [1]);
  const x = await exportPartition(worker, store, await partition(table, 1), { now: NOW, actor: 'test' });
  const merged = await rewrite(x.manifest, (s) => s.replace('\t', ' '));
  const v = await verifyArchive(worker, store, merged, null, { depth: 'file', compareLive: false });
  t.same(failed(v), ['file_format']);
  t.match(v.checks.find((c) => c.check === 'file_format'), { detail: /^1 rows do not have the manifest's 5 columns \(the first, row 1, has 4\)/ });
  t.match(failed(await verifyArchive(worker, store, merged, null, { depth: 'rows', compareLive: false })), ['file_readable']);

  const cut = await rewrite(x.manifest, (s) => s.slice(0, -10));
  const c = await verifyArchive(worker, store, cut, null, { depth: 'file', compareLive: false });
  t.match(c.checks.find((k) => k.check === 'file_format'), { ok: false, detail: 'the file ends in the middle of a row (truncated)' });
});

t.test('a value changed with the shape kept: only rows catches it, which is what rows adds', async (t) => {
  const table = await eventsTable(db, 'depth_value', [1]);
  const x = await exportPartition(worker, store, await partition(table, 1), { now: NOW, actor: 'test' });
  const forged = await rewrite(x.manifest, (s) => s.replace('lorem ipsum', 'LOREM IPSUM'));
  t.match(await verifyArchive(worker, store, forged, null, { depth: 'file' }), { ok: true },
    'file depth: the sha256 is the forger\'s, and the count, shape and live partition all agree');
  const v = await verifyArchive(worker, store, forged, null, { depth: 'rows' });
  t.same(failed(v), ['content_hash']);
  const record = { row_count: x.manifest.row_count, content_hash: x.manifest.content_hash, file_sha256: x.manifest.file.sha256 };
  t.same(failed(await verifyArchive(worker, store, forged, record, { depth: 'file' })), ['manifest_matches_record'],
    'at either depth, ballast.archives still holds the real sha256');
});

t.test('the lifecycle verifies at the policy\'s depth and records it', async (t) => {
  const table = await eventsTable(db, 'depth_policy', [1, 2]);
  await db.query(`update ballast.retention_policies set verify = 'rows' where table_name = $1`, [table]);
  const stores = new Map([['local', store]]);
  t.match(await runRetention(worker, { now: NOW, stores, actor: 'test', table }), { exported: 2, verified: 2, purged: 2, failed: 0 });
  const { rows } = await db.query(`select detail->>'depth' depth, detail->'checks' checks from ballast.archive_runs
    where table_name = $1 and step = 'verify' order by id`, [table]);
  t.same(rows.map((r) => r.depth), ['rows', 'rows']);
  t.ok(rows[0].checks.some((c: { check: string }) => c.check === 'content_hash'));
  const { rows: [d] } = await db.query(`select verify from ballast.retention_policies where table_name = 'ingest.webhook_events'`);
  t.equal(d.verify, 'file', 'the shipped default for the inbox');
  const { rows: [l] } = await db.query(`select verify from ballast.retention_policies where table_name = 'audit.ledger'`);
  t.equal(l.verify, 'rows', 'and the audit ledger is verified row by row');
});
