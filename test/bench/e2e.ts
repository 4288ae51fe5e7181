/**
 * `npm run bench:e2e`: the whole pipeline, run the way production runs it
 * (docs/performance.md, "bench:e2e method"). Not part of `npm test`.
 *
 * 1. Receiver: a `ballast ingest` process on a server of its own (no workers)
 *    and, in the same run, a bare node:http + signature + one INSERT endpoint
 *    (test/bench/e2e-bare.ts), each loaded by a load generator process at
 *    each --receiver-senders count, as fast as they accept; then ballast's
 *    again at half the rate it reached, for its p99 there.
 * 2. Pipeline, for each W in --workers: a fresh server, a receiver and W
 *    `ballast worker` processes sharing one search engine (the local engine,
 *    started once here as `ballast up` does, or QDRANT_URL's); --events
 *    signed `call.completed` webhooks from a load generator process, at
 *    --rate per second or as fast as accepted; waits until every event is
 *    completed and every outbox row is indexed. Then, on the same server, the
 *    bare pipeline: the five engines as bare graphile-worker tasks in W
 *    processes over the same number of events.
 *
 * Prints rates, latencies from the rows' timestamps, CPU per event from
 * /proc, rows written per event (pg_stat_user_tables), peak RSS, the ratios
 * to both baselines and the issue's targets beside them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Db } from '../../lib/db/index.ts';
import { sampleEvent } from '../../lib/ingest/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { FLEET_AGENT, ownServer, sendEvents, settled, startFleet, type Fleet, type OwnServer } from '../helpers/fleet.ts';
import { waitFor } from '../helpers/wait.ts';
import { benchArgs } from './args.ts';
import { BARE_SCHEMA } from './e2e-bare.ts';
import { inboxTriggers } from './inbox-triggers.ts';

const SELF = fileURLToPath(import.meta.url);
const args = benchArgs('bench:e2e', 'The receiver against a bare endpoint, then the pipeline against bare graphile-worker tasks\n(docs/performance.md, "bench:e2e method").', {
    events: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '0' },
    senders: { type: 'string', default: '32' },
    workers: { type: 'string', default: '1,2' },
    concurrency: { type: 'string', default: '8' },
    'receiver-events': { type: 'string', default: '2000' },
    'receiver-senders': { type: 'string', default: '8,32' },
    // Requests each receiver load sends first, at the same rate, and leaves out of its figures.
    'receiver-warmup': { type: 'string', default: '200' },
    // Paired receiver loads per sender count (ballast and bare, alternating which goes first).
    'receiver-rounds': { type: 'string', default: '3' },
    'settle-timeout': { type: 'string', default: '600' },
    'pg-bin': { type: 'string' },
    // Loads pg_stat_statements on each server and prints where its time went.
    statements: { type: 'boolean', default: false },
    dir: { type: 'string', default: path.join(ROOT, '.ballast', 'e2e') },
    // Internal: the load generator's process.
    role: { type: 'string' }, url: { type: 'string' }, secret: { type: 'string' }, warmup: { type: 'string', default: '0' },
}, ['role', 'url', 'secret', 'warmup']);
const list = (s: string) => s.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);

// ---- the load generator, in its own process ---------------------------------
if (args.role === 'load') {
  const send = { parallel: Number(args.senders), ratePerSec: Number(args.rate) || undefined };
  // The warm-up: this process's first requests (cold code, new connections), sent and timed apart.
  const warm = Number(args.warmup) > 0 ? await sendEvents(args.url!, args.secret!, Number(args.warmup), { ...send, firstIndex: Number(args.events) }) : null;
  const t0 = performance.now();
  const tally = await sendEvents(args.url!, args.secret!, Number(args.events), send);
  const ms = performance.now() - t0;
  const ru = process.resourceUsage();
  console.log(JSON.stringify({ accepted: tally.accepted.size, ms, statuses: tally.statuses, latencyMs: tally.latencyMs, warmupLatencyMs: warm?.latencyMs ?? [],
    cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, maxRssKb: ru.maxRSS }));
  process.exit(0);
}

// ---- /proc -------------------------------------------------------------------
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux
/** utime, stime, cutime, cstime (ms) and ppid of a process, or null once it is gone. */
function stat(pid: number): { self: number; children: number; ppid: number } | null {
  let text: string;
  try { text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
  return { self: (f[11]! + f[12]!) * TICK_MS, children: (f[13]! + f[14]!) * TICK_MS, ppid: f[1]! };
}
const cpuMs = (pid: number) => stat(pid)?.self ?? NaN;
/** CPU of the postmaster and its whole tree: live backends, and exited ones (reaped into cutime). */
function pgCpuMs(postmaster: number): number {
  let total = 0;
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const s = stat(Number(d));
    if (s && (Number(d) === postmaster || s.ppid === postmaster)) total += s.self + s.children;
  }
  return total;
}
const vmHwmMb = (pid: number) => {
  try { return Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024; } catch { return NaN; }
};
const postmasterPid = (dataDir: string) => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

// ---- figures -----------------------------------------------------------------
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : NaN; };
const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const say = (line = '') => console.log(line);

interface Load { accepted: number; ms: number; statuses: Record<string, number>; latencyMs: number[]; warmupLatencyMs: number[]; cpuMs: number; maxRssKb: number }
/** Runs the load generator in a process of its own and returns what it measured. */
async function load(url: string, secret: string, events: number, senders: number, rate: number, warmup = 0): Promise<Load> {
  const child = spawn(process.execPath, [...process.execArgv, SELF, '--role', 'load', '--url', url, '--secret', secret,
    '--events', String(events), '--senders', String(senders), '--rate', String(rate), '--warmup', String(warmup)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  if (code !== 0) throw new Error(`load generator exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop()!);
}
const reqRate = (l: Load) => (l.accepted / l.ms) * 1000;

const started: ChildProcess[] = []; // killed on the way out, should the run fail

/** Starts a baseline process (e2e-bare.ts) and waits for its `ready <port>`. */
async function bare(role: string, extra: string[]): Promise<{ child: ChildProcess; port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...process.execArgv, path.join(path.dirname(SELF), 'e2e-bare.ts'), '--role', role, ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  const exited = new Promise((r) => child.on('exit', r));
  const { port } = await waitFor(`the bare ${role} to start`, async () => {
    if (child.exitCode !== null) throw Object.assign(new Error(`bare ${role} exited with ${child.exitCode}`), { fatal: true });
    const m = /ready (\d+)/.exec(out);
    return m ? { port: Number(m[1]) } : null;
  }, { timeoutMs: 60_000, intervalMs: 50 });
  return { child, port, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

async function inserts(db: Db): Promise<Map<string, number>> {
  // Exited backends report their counts as they exit: wait until only ours is left, and flush ours.
  await db.query('select pg_stat_force_next_flush()');
  await waitFor('the other backends to exit', async () => {
    const { rows: [r] } = await db.query(`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and backend_type = 'client backend' and pid <> pg_backend_pid()`);
    return r.n === 0;
  }, { timeoutMs: 30_000, intervalMs: 100 });
  await db.query('select pg_stat_clear_snapshot()');
  // A partition's rows count under its partitioned table (the root of its tree), whichever partitions the run wrote.
  const { rows } = await db.query<{ t: string; n: string }>(`select n.nspname || '.' || r.relname as t, sum(s.n_tup_ins)::bigint as n
      from pg_stat_user_tables s
      join pg_class r on r.oid = coalesce(pg_partition_root(s.relid), s.relid)
      join pg_namespace n on n.oid = r.relnamespace
     group by 1`);
  return new Map(rows.map((r) => [r.t, Number(r.n)]));
}
function rowsPerEvent(before: Map<string, number>, after: Map<string, number>, events: number, prefix?: string): string {
  return [...after].map(([t, n]) => [t, (n - (before.get(t) ?? 0)) / events] as const)
    .filter(([t, d]) => d >= 0.05 && (!prefix || t.startsWith(prefix))).sort((a, b) => b[1] - a[1])
    .map(([t, d]) => `${t} ${f1(d)}`).join(', ');
}

const STATEMENTS = { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' };
/** The statements that took the most time, per event (track = all: inside functions and triggers too, so nested time counts twice). */
async function statements(db: Db, events: number): Promise<void> {
  const { rows: [tot] } = await db.query(`select sum(calls)::float as calls, sum(total_exec_time)::float as ms from pg_stat_statements where toplevel`);
  say(`  top-level statements per event ${f1(tot.calls / events)}, their execution time per event ${f2(tot.ms / events)} ms`);
  const { rows } = await db.query(`select toplevel, calls::float as calls, total_exec_time::float as ms, rows::float as rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 150) as q
      from pg_stat_statements order by total_exec_time desc limit 40`);
  for (const r of rows) say(`    ${r.toplevel ? 'top ' : 'nest'} ${f2(r.ms / events).padStart(6)} ms/ev ${f2(r.calls / events).padStart(6)} calls/ev ${f2(r.ms / Math.max(1, r.calls)).padStart(6)} ms/call  ${r.q}`);
}

const dir = path.resolve(args.dir!);
const concurrency = Number(args.concurrency);
const events = Number(args.events);
const rate = Number(args.rate);
const t0 = Date.now();
const step = (s: string) => console.error(`${((Date.now() - t0) / 1000).toFixed(0).padStart(5)}s  ${s}`);
let server: OwnServer | null = null;
let fleet: Fleet | null = null;
let db: Db | null = null;
const results: { workers: number; eps: number; bareEps: number; rc95: number; ei95: number; workerRss: number }[] = [];
const receiverRatios: { senders: number; ratio: number; lo: number; hi: number }[] = [];
let ok = false;
try {
  say(`bench:e2e ${new Date().toISOString()} on ${os.cpus().length} × ${os.cpus()[0]?.model}, load average ${os.loadavg().map(f2).join(' ')}`);
  say(`search engine: ${process.env.QDRANT_URL ? 'QDRANT_URL' : 'the local engine, in the bench process'}; worker concurrency ${concurrency}`);

  fs.mkdirSync(dir, { recursive: true });
  for (const d of fs.readdirSync(dir, { withFileTypes: true }).filter((e) => /^(data|logs)/.test(e.name))) fs.rmSync(path.join(dir, d.name), { recursive: true, force: true });
  // ---- 1. the receiver against a bare endpoint ----
  step('receiver: starting a server, `ballast ingest` and the bare endpoint');
  server = await ownServer(path.join(dir, 'db-receiver'), args['pg-bin'], args.statements ? STATEMENTS : {});
  db = new Db({ connectionString: server.url, max: 2, applicationName: 'ballast bench:e2e' });
  await db.query(BARE_SCHEMA);
  if (args.statements) await db.query('create extension if not exists pg_stat_statements');
  fleet = await startFleet(server.url, { workers: 0, concurrency, dataDir: path.join(dir, 'data-receiver'), logDir: path.join(dir, 'logs', 'receiver') });
  const bareReceiver = await bare('receiver', ['--url', server.url, '--secret', fleet.secret]);
  const receiverPg = postmasterPid(server.dataDir);
  /** The load, and the CPU per request it cost the endpoint's process and PostgreSQL (the other endpoint is idle meanwhile). */
  const measured = async (url: string, pid: number, n: number, senders: number, rate = 0) => {
    const c0 = { node: cpuMs(pid), pg: pgCpuMs(receiverPg) };
    const l = await load(url, fleet!.secret, n, senders, rate, warmup);
    return { l, cpu: `${f2((cpuMs(pid) - c0.node) / (n + warmup))} + ${f2((pgCpuMs(receiverPg) - c0.pg) / (n + warmup))}` };
  };
  const warmup = Number(args['receiver-warmup']);
  const receiverRounds = Math.max(1, Number(args['receiver-rounds']) || 1);
  say(`\nreceiver (no workers running), as fast as accepted; CPU per request: the endpoint's process + PostgreSQL;`
    + ` each load first sends ${warmup} requests it leaves out (p99 with them counted in brackets)`);
  /** p99, and p99 with the warm-up's requests counted too. */
  const p99 = (l: Load) => `p99 ${f1(pct(l.latencyMs, 99))} ms [${f1(pct([...l.warmupLatencyMs, ...l.latencyMs], 99))}]`;
  for (const senders of list(args['receiver-senders']!)) {
    const n = Number(args['receiver-events']);
    step(`receiver: ${n} events at ${senders} senders`);
    // Paired rounds, alternating which endpoint goes first; the ratio is the median of the rounds' ratios.
    if (args.statements) await db.query('select pg_stat_statements_reset()');
    const rounds: { ours: Load; ratio: number }[] = [];
    for (let i = 0; i < receiverRounds; i++) {
      const runOurs = () => measured(fleet!.receiverUrl, fleet!.receiver.child.pid!, n, senders);
      const runBare = () => measured(`http://127.0.0.1:${bareReceiver.port}`, bareReceiver.child.pid!, n, senders);
      let a, b;
      if (i % 2 === 0) { a = await runOurs(); b = await runBare(); } else { b = await runBare(); a = await runOurs(); }
      const ratio = reqRate(a.l) / reqRate(b.l);
      rounds.push({ ours: a.l, ratio });
      say(`  ${String(senders).padStart(2)} senders  ballast ${f0(reqRate(a.l)).padStart(5)} req/s p50 ${f1(pct(a.l.latencyMs, 50))} ms ${p99(a.l)}, CPU ${a.cpu} ms`
        + ` | bare ${f0(reqRate(b.l)).padStart(5)} req/s p50 ${f1(pct(b.l.latencyMs, 50))} ms ${p99(b.l)}, CPU ${b.cpu} ms`
        + ` | ratio ${f2(ratio)}${receiverRounds > 1 ? ` (round ${i + 1}, ${i % 2 === 0 ? 'ballast' : 'bare'} first)` : ''}`);
    }
    // Both endpoints' statements, per request sent to ballast's (the bare endpoint's INSERT is the one into bare.inbox).
    if (args.statements) await statements(db, (n + warmup) * receiverRounds);
    const byRatio = [...rounds].sort((x, y) => x.ratio - y.ratio);
    const mid = byRatio[Math.floor((byRatio.length - 1) / 2)]!;
    receiverRatios.push({ senders, ratio: mid.ratio, lo: byRatio[0]!.ratio, hi: byRatio.at(-1)!.ratio });
    if (receiverRounds > 1) say(`             median of ${receiverRounds} rounds: ratio ${f2(mid.ratio)} (rounds ${f2(byRatio[0]!.ratio)}–${f2(byRatio.at(-1)!.ratio)}; target >= 0.80)`);
    const half = Math.max(1, Math.floor(reqRate(mid.ours) / 2));
    const { l: steady, cpu: steadyCpu } = await measured(fleet.receiverUrl, fleet.receiver.child.pid!, n, senders, half);
    // The bare endpoint at the same rate: what the machine and the load generator leave of a p99.
    const { l: steadyBare, cpu: steadyBareCpu } = await measured(`http://127.0.0.1:${bareReceiver.port}`, bareReceiver.child.pid!, n, senders, half);
    say(`             at half that rate (${half}/s): ballast p50 ${f1(pct(steady.latencyMs, 50))} ms ${p99(steady)}, CPU ${steadyCpu} ms (target p99 < 20 ms)`
      + ` | bare at the same rate p50 ${f1(pct(steadyBare.latencyMs, 50))} ms ${p99(steadyBare)}, CPU ${steadyBareCpu} ms`);
  }
  if (args.statements) for (const line of await inboxTriggers(db)) say(line);
  say(`  peak RSS: receiver ${f0(vmHwmMb(fleet.receiver.child.pid!))} MB, bare endpoint ${f0(vmHwmMb(bareReceiver.child.pid!))} MB`);
  await bareReceiver.stop();
  await fleet.shutdown(10_000);
  fleet = null;
  await db.close();
  db = null;
  await server.remove();
  server = null;

  // ---- 2. the pipeline, for each worker count, and the bare pipeline ----
  for (const w of list(args.workers!).filter((n) => n > 0)) {
    say(`\npipeline, ${w} worker process(es): ${events} events at ${rate > 0 ? `${rate}/s` : 'as fast as accepted'}, ${args.senders} senders`);
    step(`pipeline w=${w}: starting a server and the fleet`);
    server = await ownServer(path.join(dir, `db-w${w}`), args['pg-bin'], args.statements ? STATEMENTS : {});
    db = new Db({ connectionString: server.url, max: 2, applicationName: 'ballast bench:e2e' });
    if (args.statements) await db.query('create extension if not exists pg_stat_statements; select pg_stat_statements_reset()');
    const pg = postmasterPid(server.dataDir);
    const ins0 = await inserts(db); // before the fleet starts, so its start-up rows count too (a few, over all events)
    fleet = await startFleet(server.url, { workers: w, concurrency, dataDir: path.join(dir, `data-w${w}`), logDir: path.join(dir, 'logs', `w${w}`) });
    const procs = [fleet.receiver, ...fleet.workers].map((p) => ({ name: p.name, pid: p.child.pid! }));
    const cpu0 = { node: procs.map((p) => cpuMs(p.pid)), pg: pgCpuMs(pg), self: process.cpuUsage() };
    step(`pipeline w=${w}: sending`);
    const l = await load(fleet.receiverUrl, fleet.secret, events, Number(args.senders), rate);
    step(`pipeline w=${w}: ${l.accepted} accepted; waiting for every event completed and every outbox row indexed`);
    const db_ = db;
    await waitFor('every event completed and every outbox row indexed', async () =>
      (await settled(db_, l.accepted)) && (await db_.query(`select not exists (select 1 from search.outbox where status = 'pending') as ok,
        exists (select 1 from search.outbox) as any`)).rows.every((r) => r.ok && r.any),
    { timeoutMs: Number(args['settle-timeout']) * 1000, intervalMs: 500 });
    const cpu1 = { node: procs.map((p) => cpuMs(p.pid)), pg: pgCpuMs(pg), self: process.cpuUsage(cpu0.self) };
    const rss = procs.map((p) => ({ ...p, mb: vmHwmMb(p.pid) }));
    const { rows: [ev] } = await db.query(`select count(*) filter (where status = 'completed')::int as completed, count(*)::int as total,
        extract(epoch from max(processed_at) - min(received_at)) as span_s,
        percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from processed_at - received_at) * 1000) as rc
      from ingest.webhook_events`);
    const { rows: [ob] } = await db.query(`select count(*)::int as n,
        percentile_cont(array[0.5, 0.95]) within group (order by extract(epoch from processed_at - enqueued_at) * 1000) as ei
      from search.outbox where status = 'done'`);
    const { rows: jobs } = await db.query<{ task: string; n: number }>(
      'select task, count(*)::int as n from ballast.job_attempts group by task order by n desc, task');
    await fleet.shutdown(30_000);
    fleet = null;
    if (args.statements) await statements(db, events);
    const ins1 = await inserts(db);
    const eps = ev.completed / Number(ev.span_s);
    const nodeMs = cpu1.node.reduce((s, c, i) => s + (c - cpu0.node[i]!), 0);
    say(`  receiver      ${f0(reqRate(l))} req/s, p50 ${f1(pct(l.latencyMs, 50))} ms, p99 ${f1(pct(l.latencyMs, 99))} ms; answers ${JSON.stringify(l.statuses)}`);
    say(`  completed     ${ev.completed} of ${ev.total} events in ${f1(Number(ev.span_s))} s (first received to last completed): ${f0(eps)} events/s`);
    say(`  received → completed   p50 ${f0(ev.rc[0])} ms, p95 ${f0(ev.rc[1])} ms (target < 500 ms at half the max rate)`);
    say(`  enqueued → indexed     p50 ${f0(ob.ei[0])} ms, p95 ${f0(ob.ei[1])} ms over ${ob.n} outbox rows (target < 1000 ms at half the max rate)`);
    say(`  CPU per event  Node (receiver + workers) ${f2(nodeMs / events)} ms [${procs.map((p, i) => `${p.name} ${f2((cpu1.node[i]! - cpu0.node[i]!) / events)}`).join(', ')}]`);
    say(`                 PostgreSQL ${f2((cpu1.pg - cpu0.pg) / events)} ms; bench process (search engine, polling) ${f2((cpu1.self.user + cpu1.self.system) / 1000 / events)} ms; load generator ${f2(l.cpuMs / events)} ms`);
    say(`  rows per event ${rowsPerEvent(ins0, ins1, events)}`);
    say(`  job attempts per event ${jobs.map((j) => `${j.task} ${f2(j.n / events)}`).join(', ')}`);
    say(`  peak RSS       ${rss.map((p) => `${p.name} ${f0(p.mb)} MB`).join(', ')}; load generator ${f0(l.maxRssKb / 1024)} MB (target: workers < 200 MB)`);

    // The bare pipeline on the same server, over as many events.
    step(`bare pipeline w=${w}`);
    await db.query(BARE_SCHEMA);
    await db.query('insert into bare.events (payload) select unnest($1::jsonb[])', [Array.from({ length: events }, () => JSON.stringify(sampleEvent(FLEET_AGENT)))]);
    const bIns0 = await inserts(db);
    const workers = await Promise.all(Array.from({ length: w }, () => bare('worker', ['--url', server!.url, '--concurrency', String(concurrency)])));
    const bCpu0 = { node: workers.map((x) => cpuMs(x.child.pid!)), pg: pgCpuMs(pg) };
    const { rows: [{ at }] } = await db.query(`select clock_timestamp() as at, graphile_worker.add_jobs(array_agg((
        'bare_normalize', json_build_object('event_id', id), null, null, null, null, null, null)::graphile_worker.job_spec)) from bare.events`);
    await waitFor('every bare event completed', async () =>
      (await db_.query('select not exists (select 1 from bare.events where completed_at is null) as ok')).rows[0].ok,
    { timeoutMs: Number(args['settle-timeout']) * 1000, intervalMs: 250 });
    const bCpu1 = { node: workers.map((x) => cpuMs(x.child.pid!)), pg: pgCpuMs(pg) };
    const bRss = workers.map((x) => vmHwmMb(x.child.pid!));
    const { rows: [b] } = await db.query('select extract(epoch from max(completed_at) - $1::timestamptz) as span_s from bare.events', [at]);
    await Promise.all(workers.map((x) => x.stop()));
    const bIns1 = await inserts(db);
    const bareEps = events / Number(b.span_s);
    say(`  bare pipeline ${f0(bareEps)} events/s (enqueued to last completed, ${f1(Number(b.span_s))} s); CPU per event Node ${f2(bCpu1.node.reduce((s, c, i) => s + c - bCpu0.node[i]!, 0) / events)} ms, PostgreSQL ${f2((bCpu1.pg - bCpu0.pg) / events)} ms; peak RSS ${bRss.map((m) => `${f0(m)} MB`).join(', ')}`);
    say(`  bare rows per event ${rowsPerEvent(bIns0, bIns1, events)}`);
    // At a fixed rate ballast completes what is sent; only an unpaced run measures its capacity.
    say(rate > 0 ? '  ratio to bare: none at a fixed rate (run without --rate for capacity)'
      : `  ratio to bare ${f2(eps / bareEps)}${w === 2 ? `; target >= 280 events/s with 2 workers: ${eps >= 280 ? 'met' : 'not met'}` : ''}`);
    results.push({ workers: w, eps, bareEps, rc95: ev.rc[1], ei95: ob.ei[1], workerRss: Math.max(...rss.filter((p) => p.name.startsWith('worker')).map((p) => p.mb)) });
    await db.close();
    db = null;
    await server.remove();
    server = null;
  }

  say('\nsummary');
  for (const r of receiverRatios) say(`  receiver at ${r.senders} senders: ${f2(r.ratio)} × bare${r.lo !== r.hi ? ` (median; rounds ${f2(r.lo)}–${f2(r.hi)})` : ''} (target >= 0.80)`);
  for (const r of results) {
    say(`  ${r.workers} worker(s): ${f0(r.eps)} events/s, ${rate > 0 ? `at a fixed rate (bare capacity ${f0(r.bareEps)})` : `${f2(r.eps / r.bareEps)} × bare (${f0(r.bareEps)})`}; received → completed p95 ${f0(r.rc95)} ms; enqueued → indexed p95 ${f0(r.ei95)} ms; worker peak RSS ${f0(r.workerRss)} MB`);
  }
  if (results.length > 1) say(`  scaling ${results[0]!.workers} → ${results.at(-1)!.workers} workers: ${f2(results.at(-1)!.eps / results[0]!.eps)} × (bare ${f2(results.at(-1)!.bareEps / results[0]!.bareEps)} ×)`);
  say('  targets: pipeline >= 280 events/s with 2 workers; p95s (received → completed < 500 ms, enqueued → indexed < 1 s) and RSS < 200 MB apply at a steady half of the max rate (--rate)');
  ok = true;
} catch (e) {
  console.error(`bench:e2e: ${(e as Error).stack ?? e}`);
} finally {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await fleet?.shutdown(10_000).catch(() => undefined);
  await db?.close().catch(() => undefined);
  await server?.remove().catch(() => undefined);
}
process.exit(ok ? 0 : 1);
