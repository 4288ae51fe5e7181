/**
 * Audit trigger cost: write throughput on an audited and an unaudited copy
 * of the same table, same run, same writers. Prints both rates and the ratio.
 *
 *   npm run bench:audit        (BENCH_ROWS=5000 BENCH_WRITERS=8 BENCH_ROUNDS=15)
 *
 * Two shapes (BENCH_SHAPES=small,interactions picks):
 *  - small: a four-column table with a one-column key, nothing redacted. Its
 *    unaudited writes are as cheap as writes get, so this is where the audit
 *    weighs most; the 0.7 target is measured here.
 *  - interactions: copies of app.interactions (its indexes, checks and
 *    defaults), audited the way the pipeline audits it, with four redacted
 *    columns. Printed for information: what auditing a reference-pipeline
 *    table costs.
 */
import fs from 'node:fs';
import { Db } from '../../lib/db/index.ts';
import { benchDatabase, median } from './harness.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 5_000);
const WRITERS = Number(process.env.BENCH_WRITERS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const SHAPES = (process.env.BENCH_SHAPES ?? 'small,interactions').split(',');

interface Shape {
  name: string;
  label: string;
  create(table: string): string;
  enable: string;
  insert(table: string): string;
  insertValues(n: number): unknown[];
  update(table: string): string;
  target: boolean;
}

const TRANSCRIPT = JSON.stringify([
  { speaker: 'agent', text: 'Hello, thanks for calling, how can I help you today?' },
  { speaker: 'caller', text: 'I would like to book an appointment for next Tuesday afternoon, please.' },
]);

const shapes = ([
  {
    name: 'small',
    label: 'small table (one-column key, nothing redacted)',
    create: (t) => `create table ${t} (id bigint primary key, org_id text not null, body text not null, updated_at timestamptz not null default now())`,
    enable: `select audit.enable('public.bench_small_audited')`,
    insert: (t) => `insert into ${t} (id, org_id, body) values ($1, 'org', $2)`,
    insertValues: (n) => [n, `row ${n}`],
    update: (t) => `update ${t} set body = body || ' (edited)' where id = $1`,
    target: true,
  },
  {
    name: 'interactions',
    label: 'app.interactions copy (4 redacted columns)',
    create: (t) => `create table ${t} (like app.interactions including all)`,
    enable: `select audit.enable('public.bench_interactions_audited', redact => array['transcript', 'body', 'from_number', 'to_number'])`,
    insert: (t) => `insert into ${t} (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at,
                                      body, transcript, trace_id, correlation_id, span_id, produced_by, producer_version)
                    values ($1, 'org_a', 'agent_1', 'call', 'inbound', $2, '+15555550100', '+15555550199', now(), 'call note', $3,
                            '4bf92f3577b34da6a3ce929d0e0e4736', $2, '00f067aa0ba902b7', 'bench', '1.0.0')`,
    insertValues: (n) => [n, `ref-${n}`, TRANSCRIPT],
    update: (t) => `update ${t} set duration_seconds = 42 where event_id = $1`,
    target: false,
  },
] satisfies Shape[]).filter((s) => SHAPES.includes(s.name));

const { url, db, done } = await benchDatabase();
for (const s of shapes) {
  for (const side of ['plain', 'audited']) await db.query(s.create(`public.bench_${s.name}_${side}`));
  await db.query(s.enable);
}
const APP = 'ballast bench:audit writers';
const writers = new Db({ connectionString: url, max: WRITERS, applicationName: APP });

/**
 * CPU (ms) the writers' backends have used so far, by pid, from /proc: only
 * when the server runs on this machine and /proc shows its processes, else null.
 */
async function backendCpu(): Promise<Map<number, number> | null> {
  const { rows } = await db.query<{ pid: number }>('select pid from pg_stat_activity where application_name = $1', [APP]);
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    let text: string;
    try { text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    cpu.set(pid, (f[11]! + f[12]!) * 10); // utime + stime, in ticks of 10 ms
  }
  return cpu;
}

/**
 * Inserts ROWS rows, then updates each once, from WRITERS concurrent
 * transactions; rows per second, and the writers' backends' CPU per row (µs).
 */
async function run(shape: Shape, table: string, round: number): Promise<{ rate: number; cpuUs: number }> {
  // Same starting state for every round, outside the clock: the previous
  // round's dead rows vacuumed, the ledger's new rows too (else autovacuum
  // picks it up in the middle of whichever round comes next), and no
  // checkpoint pending.
  await db.query(`vacuum ${table}`);
  await db.query('vacuum audit.ledger');
  await db.query('checkpoint');
  let next = 0;
  const base = round * ROWS * 10;
  // Every writer connected before the clock starts, so each backend's CPU is counted from here.
  const held = await Promise.all(Array.from({ length: WRITERS }, () => writers.pool.connect()));
  for (const c of held) c.release();
  const cpu0 = await backendCpu();
  const start = performance.now();
  await Promise.all(Array.from({ length: WRITERS }, async () => {
    for (;;) {
      const i = next++;
      if (i >= ROWS) return;
      await writers.atomicWrite(async (tx) => {
        await tx.query(shape.insert(table), shape.insertValues(base + i));
        await tx.query(shape.update(table), [base + i]);
      }, { actor: 'bench', reason: 'bench' });
    }
  }));
  const rate = (ROWS / (performance.now() - start)) * 1000;
  const cpu1 = await backendCpu();
  const used = cpu0 && cpu1 ? [...cpu1].reduce((sum, [pid, ms]) => sum + ms - (cpu0.get(pid) ?? ms), 0) : NaN;
  return { rate, cpuUs: (used * 1000) / ROWS };
}

console.log(`rows per round: ${ROWS} (insert + update each), writers: ${WRITERS}, rounds: ${ROUNDS}`);
for (const shape of shapes) {
  // Paired rounds, alternating which table goes first; the ratio is the median
  // of the rounds' ratios, so slow drifts of a shared machine cancel out.
  const plain: number[] = [];
  const audited: number[] = [];
  const ratios: number[] = [];
  const plainCpu: number[] = [];
  const auditedCpu: number[] = [];
  const [p, a] = ['plain', 'audited'].map((side) => `public.bench_${shape.name}_${side}`) as [string, string];
  for (let r = 0; r < ROUNDS; r++) {
    let pr: Awaited<ReturnType<typeof run>>, ar: Awaited<ReturnType<typeof run>>;
    if (r % 2 === 0) { pr = await run(shape, p, r); ar = await run(shape, a, r); } else { ar = await run(shape, a, r); pr = await run(shape, p, r); }
    plain.push(pr.rate);
    audited.push(ar.rate);
    ratios.push(ar.rate / pr.rate);
    plainCpu.push(pr.cpuUs);
    auditedCpu.push(ar.cpuUs);
  }
  const { rows: [n] } = await db.query(`select count(*)::int as n from audit.ledger where entity_type = $1`, [a]);
  const verdict = shape.target ? 'target >= 0.70' : 'for information';
  // How much single rounds scatter: the middle half of them lies in this range.
  const sorted = [...ratios].sort((x, y) => x - y);
  const at = (f: number) => sorted[Math.round(f * (sorted.length - 1))]!.toFixed(2);
  // The audit's own cost, which the ratio hides as the unaudited write gets cheaper: database CPU per row (insert + update).
  const cpu = Number.isFinite(median(plainCpu)) && Number.isFinite(median(auditedCpu))
    ? `database CPU per row: unaudited ${median(plainCpu).toFixed(0)} µs, audited ${median(auditedCpu).toFixed(0)} µs, the audit's share ${(median(auditedCpu) - median(plainCpu)).toFixed(0)} µs`
    : 'database CPU per row: - (the server\'s processes are not visible in /proc here)';
  console.log(`${shape.label}: unaudited ${median(plain).toFixed(0)} rows/s | audited ${median(audited).toFixed(0)} rows/s | ratio ${median(ratios).toFixed(2)} (${verdict}; middle half of rounds ${at(0.25)}-${at(0.75)}; rounds ${ratios.map((x) => x.toFixed(2)).join(' ')}; ${n.n} audit rows written)`);
  console.log(`  ${cpu}`);
}
await writers.close();
await done();
