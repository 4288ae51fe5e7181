/**
 * Outbox freshness (seed 003 SLO: 95% of outbox entries processed within
 * 30 s; ours: 95% within 1 s on this machine). Writes decisions (a summary
 * and two claims each) at a steady rate through real transactions, runs the
 * real search_sync stage in a worker, and reports how long each outbox entry
 * waited between its commit and being indexed in Qdrant (wait=true).
 *
 *   npm run bench:outbox        (BENCH_RATE=50 BENCH_SECONDS=20 to change)
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { closeSearchRuntime, startLocalEngine } from '../../lib/search/index.ts';
import { startWorker } from '../../lib/stage/index.ts';
import { redactor } from '../helpers/redactor.ts';
import searchSync from '../../tasks/search_sync.ts';
import { ROOT } from '../helpers/cluster.ts';
import { addDecisions } from '../search/helpers.ts';
import { benchDatabase } from './harness.ts';

const RATE = Number(process.env.BENCH_RATE ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

const engine = process.env.QDRANT_URL ? null : await startLocalEngine({ dir: path.join(ROOT, '.ballast', 'bench', `qdrant-${randomBytes(3).toString('hex')}`) });
process.env.QDRANT_URL ??= engine!.url;
process.env.BALLAST_SEARCH_COLLECTION = `bench_outbox_${randomBytes(4).toString('hex')}`;
const { url, db, done } = await benchDatabase();
const config = loadConfig();
const worker = await startWorker({ connectionString: url, config, stages: [searchSync], concurrency: 4, handleSignals: false, log: createLogger('silent'), pollIntervalMs: 500, redactor });

console.log(`outbox bench: ${RATE} decisions/s (1 summary + 2 claims each) for ${SECONDS}s, target ${engine ? 'local engine' : process.env.QDRANT_URL}`);
const start = performance.now();
const inflight: Promise<unknown>[] = [];
for (let i = 0; i < RATE * SECONDS; i++) {
  const due = start + (i * 1000) / RATE;
  const wait = due - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  inflight.push(addDecisions(db, { org: `org_${i % 10}`, summary: `Customer ${i} wants a refund for the double charge on invoice ${i}.`,
    claims: [{ kind: 'refund_request', text: `refund invoice ${i}` }, { kind: 'billing', text: `double charge ${i}` }] }));
}
await Promise.all(inflight);
for (;;) {
  const { rows: [r] } = await db.query(`select count(*)::int as n from search.outbox where status = 'pending'`);
  if (r.n === 0) break;
  await new Promise((res) => setTimeout(res, 100));
}
const { rows: [s] } = await db.query(`
  select count(*)::int as entries,
         round(100.0 * count(*) filter (where processed_at - enqueued_at <= interval '1 second') / count(*), 1) as pct_1s,
         round(100.0 * count(*) filter (where processed_at - enqueued_at <= interval '30 seconds') / count(*), 1) as pct_30s,
         round(1000 * percentile_cont(0.5) within group (order by extract(epoch from processed_at - enqueued_at)))::int as p50_ms,
         round(1000 * percentile_cont(0.95) within group (order by extract(epoch from processed_at - enqueued_at)))::int as p95_ms,
         round(1000 * max(extract(epoch from processed_at - enqueued_at)))::int as max_ms
    from search.outbox where status in ('done', 'superseded')`);
const { rows: [b] } = await db.query(`select count(*)::int as batches, round(avg(claimed), 1) as avg_batch from search.sync_runs where claimed > 0`);
console.table([{ ...s, ...b, 'target 95% <= 1s': Number(s.pct_1s) >= 95 ? 'met' : 'MISSED', 'seed 95% <= 30s': Number(s.pct_30s) >= 95 ? 'met' : 'MISSED' }]);
await worker.stop();
await worker.done;
await closeSearchRuntime(config);
await done();
await engine?.close();
