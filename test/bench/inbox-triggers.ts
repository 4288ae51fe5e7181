/**
 * Where one inbox INSERT's database time goes, guarantee by guarantee: the
 * receiver's own statement (store.ts `insertSql`) with a sample event's body
 * in every row, run under EXPLAIN ANALYZE, which times each trigger apart.
 * Each run is rolled back, so the tables and the queue stay as they were.
 * Printed by `bench:e2e --statements` (docs/performance.md, "What bounds
 * the receiver at 8 senders").
 */
import { randomUUID } from 'node:crypto';
import type { Db } from '../../lib/db/index.ts';
import { inboxValues, insertSql, type InboxRow } from '../../lib/ingest/store.ts';
import { sampleEvent, SAMPLE_SOURCE } from '../../lib/ingest/index.ts';
import { newSpanId, newTraceId } from '../../lib/trace/index.ts';

/** What each of the inbox's INSERT triggers keeps. */
const GUARANTEES: Record<string, string> = {
  webhook_events_defaults: 'defaults (event type, times)',
  webhook_events_key: 'idempotency key (ingest.webhook_keys)',
  audit_insert: 'audit ledger row (redacted image)',
  webhook_events_start: "first stage's job (add_jobs)",
};

function row(): InboxRow {
  const text = JSON.stringify(sampleEvent());
  const webhookId = `bench-${randomUUID()}`;
  return {
    source: SAMPLE_SOURCE, webhookId, text, bytes: Buffer.from(text), parse: true,
    headers: { 'content-type': 'application/json', 'user-agent': 'ballast bench', 'webhook-id': webhookId },
    trace: { trace_id: newTraceId(), span_id: newSpanId(), correlation_id: `${SAMPLE_SOURCE}:${webhookId}` },
    reason: null,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

/**
 * Median milliseconds of a statement and of each of its triggers ('total' is
 * the whole statement), over `runs` runs under EXPLAIN ANALYZE, each rolled
 * back to a savepoint of one transaction that is rolled back too.
 */
async function profile(db: Db, runs: number, statement: () => [string, unknown[]]): Promise<Map<string, number>> {
  const times = new Map<string, number[]>();
  const add = (k: string, ms: number) => times.set(k, [...(times.get(k) ?? []), ms]);
  const c = await db.pool.connect();
  await c.query('begin');
  try {
    for (let i = 0; i < runs; i++) {
      const [text, values] = statement();
      await c.query('savepoint run');
      const { rows: [plan] } = await c.query(`explain (analyze, format json) ${text}`, values);
      await c.query('rollback to savepoint run');
      const p = plan['QUERY PLAN'][0];
      add('total', p['Execution Time']);
      for (const t of p.Triggers ?? []) add(t['Trigger Name'], t.Time);
    }
  } finally {
    await c.query('rollback');
    c.release();
  }
  return new Map([...times].map(([k, v]) => [k, median(v)]));
}

/** The receiver's INSERT of `n` rows (store.ts). */
const inboxInsert = (n: number) => (): [string, unknown[]] => {
  const rows = Array.from({ length: n }, row);
  return [insertSql(n), rows.flatMap((r) => inboxValues(r))];
};

/** The bare endpoint's INSERT (test/bench/e2e-bare.ts). */
const bareInsert = (): [string, unknown[]] => [
  'insert into bare.inbox (webhook_id, payload) values ($1, $2) on conflict (webhook_id) do nothing',
  [`bench-${randomUUID()}`, JSON.stringify(sampleEvent())],
];

/** Lines of the INSERT's time per row count, split by trigger; the rest is the rows themselves. */
export async function inboxTriggers(db: Db, sizes = [1, 2, 8], runs = 200): Promise<string[]> {
  const f2 = (x: number) => x.toFixed(2).padStart(5);
  const lines = [`  one inbox INSERT, by what it keeps (EXPLAIN ANALYZE medians of ${runs} rolled-back INSERTs, ms):`];
  for (const n of sizes) {
    const t = await profile(db, runs, inboxInsert(n));
    const triggers = Object.keys(GUARANTEES).map((k) => [k, t.get(k) ?? 0] as const);
    const rest = (t.get('total') ?? 0) - triggers.reduce((s, [, ms]) => s + ms, 0);
    lines.push(`    ${String(n).padStart(2)} row${n === 1 ? ' ' : 's'} ${f2(t.get('total') ?? 0)} = `
      + triggers.map(([k, ms]) => `${GUARANTEES[k]} ${f2(ms).trim()}`).join(' + ')
      + ` + the rows and their indexes ${f2(rest).trim()}`);
  }
  const bare = (await profile(db, runs, bareInsert)).get('total') ?? 0;
  lines.push(`    the bare endpoint's one-row INSERT (bare.inbox) ${f2(bare).trim()}`);
  return lines;
}
