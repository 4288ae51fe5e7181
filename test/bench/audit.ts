/**
 * Audit trigger cost: write throughput on an audited and an unaudited copy
 * of the same table, same run, same writers. Prints both rates and the ratio.
 *
 *   npm run bench:audit        (BENCH_ROWS=10000 BENCH_WRITERS=8 BENCH_ROUNDS=7)
 */
import { Db } from '../../lib/db/index.ts';
import { benchDatabase, median } from './harness.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

const { url, db, done } = await benchDatabase();
for (const t of ['plain', 'audited']) {
  await db.query(`create table public.bench_${t} (id bigint primary key, org_id text not null, body text not null, updated_at timestamptz not null default now())`);
}
await db.query(`select audit.enable('public.bench_audited')`);
const writers = new Db({ connectionString: url, max: WRITERS });

/** Inserts ROWS rows, then updates each once, from WRITERS concurrent transactions; rows per second. */
async function run(table: string, round: number): Promise<number> {
  // Same starting state for every round, outside the clock: the previous
  // round's dead rows vacuumed, the ledger's new rows too (else autovacuum
  // picks it up in the middle of whichever round comes next), and no
  // checkpoint pending.
  await db.query(`vacuum public.${table}`);
  await db.query('vacuum audit.ledger');
  await db.query('checkpoint');
  let next = 0;
  const base = round * ROWS * 10;
  const start = performance.now();
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    for (;;) {
      const i = next++;
      if (i >= ROWS) return;
      await writers.atomicWrite(async (tx) => {
        await tx.query(`insert into public.${table} (id, org_id, body) values ($1, 'org', $2)`, [base + i, `row ${i}`]);
        await tx.query(`update public.${table} set body = body || ' (edited)' where id = $1`, [base + i]);
      }, { actor: 'bench', reason: 'bench' });
    }
  }));
  return (ROWS / (performance.now() - start)) * 1000;
}

console.log(`rows per round: ${ROWS} (insert + update each), writers: ${WRITERS}, rounds: ${ROUNDS}`);
// Paired rounds, alternating which table goes first; the ratio is the median
// of the rounds' ratios, so slow drifts of a shared machine cancel out.
const plain: number[] = [];
const audited: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  let p: number, a: number;
  if (r % 2 === 0) { p = await run('bench_plain', r); a = await run('bench_audited', r); } else { a = await run('bench_audited', r); p = await run('bench_plain', r); }
  plain.push(p);
  audited.push(a);
  ratios.push(a / p);
}
const { rows: [n] } = await db.query(`select count(*)::int as n from audit.ledger where entity_type = 'public.bench_audited'`);
console.log(`unaudited ${median(plain).toFixed(0)} rows/s | audited ${median(audited).toFixed(0)} rows/s | ratio ${median(ratios).toFixed(2)} (target >= 0.70; rounds ${ratios.map((x) => x.toFixed(2)).join(' ')}; ${n.n} audit rows written)`);
await writers.close();
await done();
