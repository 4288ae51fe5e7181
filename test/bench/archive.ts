/**
 * bench:archive, the archive half (issue 14): archive + verify + purge of old
 * partitions (lib/archive, as the archive_partitions task runs it) against a
 * plain `COPY (...) TO STDOUT` of the same rows, read and thrown away, in the
 * same run. Target: at least 0.5x the plain COPY's rows/s. Also the warm
 * compression ratio of one partition (lz4, or pglz where the server has no lz4).
 *
 * Then the restore drill of a generated database of about 1 GB with its RTO
 * (bench:restore's, test/bench/restore-drill.ts; BENCH_DRILL_MB=0 skips it).
 *
 *   npm run bench:archive      (BENCH_ROWS=300000 rows over 3 partitions; BENCH_ROUNDS=3; BENCH_VERIFY=file|rows; BENCH_DRILL_MB=1024)
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DirectoryStore, runRetention } from '../../lib/archive/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { benchDatabase } from './harness.ts';
import { benchRestoreDrill, reportRestoreBench } from './restore-drill.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 300_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PARTS = 3;
/** The policy's verification depth: `file` (the shipped default) or `rows`. */
const VERIFY = process.env.BENCH_VERIFY ?? 'file';
const DRILL_MB = Number(process.env.BENCH_DRILL_MB ?? 1024);
const NOW = new Date('2030-01-10T00:00:00Z');
const day = (d: number) => `2030-01-${String(d).padStart(2, '0')} 00:00+00`;

const { url, db, done } = await benchDatabase();
const worker = new Db({ connectionString: withRole(url, ROLES.worker), max: 2 });
const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-bench-archive-'));
const stores = new Map([['local', new DirectoryStore(dir)]]);

/** Webhook-like rows: a call transcript's JSON body of ~3 kB and a few columns, as the inbox holds. */
async function setup(round: number): Promise<string> {
  const schema = `bench${round}`;
  const table = `${schema}.events`;
  await db.query(`create schema ${schema}`);
  await db.query(`create table ${table} (id bigint generated always as identity, at timestamptz not null, source text not null,
    webhook_id text not null, status text not null, body jsonb not null, primary key (id, at)) partition by range (at)`);
  for (let d = 1; d <= PARTS + 1; d++) {
    await db.query(`create table ${schema}.p${d} partition of ${table} for values from ('${day(d)}') to ('${day(d + 1)}')`);
  }
  await db.query(`create table ${schema}.pdefault partition of ${table} default`);
  for (const rel of [table, ...Array.from({ length: PARTS + 1 }, (_, i) => `${schema}.p${i + 1}`), `${schema}.pdefault`]) {
    await db.query(`alter table ${rel} owner to ballast_partition_keeper`);
  }
  await db.query(`grant usage on schema ${schema} to ballast_worker`);
  await db.query(`grant usage, create on schema ${schema} to ballast_partition_keeper`);
  await db.query(`grant select on ${table} to ballast_worker`);
  for (let d = 1; d <= PARTS + 1; d++) {
    await db.query(`insert into ${table} (at, source, webhook_id, status, body)
      select '${day(d)}'::timestamptz + i * interval '1 ms' * (86400000 / $1::int), 'telephony', 'msg_' || $2::int || '_' || i, 'completed',
             jsonb_build_object('type', 'call.completed', 'id', i, 'caller', '+1555' || lpad((i % 10000000)::text, 7, '0'),
                                'transcript', repeat('the customer asked about invoice ' || i || ' and a refund. ', 60))
        from generate_series(1, $1::int) i`, [ROWS / PARTS, d]);
  }
  await db.query(`vacuum analyze ${table}`);
  // Days 1-3 are archived and purged; day 4 is left alone until the warm window is opened for it.
  await db.query(`insert into ballast.retention_policies (table_name, hot_window, warm_window, archive_after, purge_after, verify)
                  values ($1, '1 day', '0', '6 days', '6 days', $2)`, [table, VERIFY]);
  return table;
}

/** Plain COPY of days 1-3, each partition's rows streamed out and discarded. */
async function plainCopy(table: string): Promise<number> {
  const start = performance.now();
  await worker.copyTransaction({ readOnly: true }, async (tx) => {
    for (let d = 1; d <= PARTS; d++) {
      await pipeline(tx.copyOut(`copy (select * from ${table} where at >= '${day(d)}' and at < '${day(d + 1)}') to stdout`),
        new Writable({ write(_c, _e, cb) { cb(); } }));
    }
  });
  return performance.now() - start;
}

const results: { copy: number; archive: number; ratio: number; compression: unknown }[] = [];
for (let round = 1; round <= ROUNDS; round++) {
  const table = await setup(round);
  const copyMs = Math.min(await plainCopy(table), await plainCopy(table));
  const start = performance.now();
  const counts = await runRetention(worker, { now: NOW, stores, actor: 'bench', table, maxSteps: 100 });
  const archiveMs = performance.now() - start;
  if (counts.purged !== PARTS || counts.failed) throw new Error(`round ${round}: ${JSON.stringify(counts)}`);
  // Then day 4 as a warm partition: compressed, its ratio measured (not timed against COPY).
  await db.query(`update ballast.retention_policies set warm_window = '10 days' where table_name = $1`, [table]);
  const warm = await runRetention(worker, { now: NOW, stores, actor: 'bench', table });
  if (warm.compressed !== 1) throw new Error(`round ${round}: compress ${JSON.stringify(warm)}`);
  const { rows: [c] } = await db.query(`select detail from ballast.archive_runs where table_name = $1 and step = 'compress'`, [table]);
  const r = { copy: ROWS / (copyMs / 1000), archive: ROWS / (archiveMs / 1000), ratio: copyMs / archiveMs, compression: c.detail };
  console.log(`round ${round}: plain COPY ${Math.round(r.copy)} rows/s, archive+verify+purge ${Math.round(r.archive)} rows/s ` +
    `(ratio ${r.ratio.toFixed(2)}); warm partition ${c.detail.method}: ${c.detail.bytes_before} -> ${c.detail.bytes_after} bytes (ratio ${c.detail.ratio})`);
  results.push(r);
  const { rows: steps } = await db.query(`select step, sum((detail->>'took_ms')::int)::int ms from ballast.archive_runs
    where table_name = $1 and step in ('export', 'verify', 'purge') group by step order by min(id)`, [table]);
  console.log(`  steps: ${steps.map((x) => `${x.step} ${x.ms} ms`).join(', ')}; plain COPY ${Math.round(copyMs)} ms`);
}
const ratios = results.map((r) => r.ratio).sort((a, b) => a - b);
console.log(`bench:archive ${ROWS} rows over ${PARTS} partitions, verify = ${VERIFY}, ${ROUNDS} rounds: ratio median ${ratios[Math.floor(ratios.length / 2)]!.toFixed(2)} ` +
  `(min ${ratios[0]!.toFixed(2)}, max ${ratios.at(-1)!.toFixed(2)}); target >= 0.5`);
await worker.close();
await fs.rm(dir, { recursive: true, force: true });
await done();
if (DRILL_MB > 0) {
  console.log(`restore drill: generating about ${DRILL_MB} MB (progress on stderr)`);
  if (!reportRestoreBench(await benchRestoreDrill({ mb: DRILL_MB }))) process.exitCode = 1;
}
