import fs from 'node:fs/promises';
/**
 * Search tests run against a real Qdrant when QDRANT_URL is set, otherwise
 * against the local engine started here. Each test file gets its own
 * collection, so files can share one Qdrant.
 */
import http from 'node:http';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Db } from '../../lib/db/index.ts';
import { qdrantClient, startLocalEngine, type SearchRuntime } from '../../lib/search/index.ts';
import { withTrace } from '../../lib/trace/index.ts';
import { TEST_DATA_DIR } from '../helpers/cluster.ts';
import { waitFor } from '../helpers/wait.ts';

interface Teardownable { teardown(fn: () => unknown): void }

export const REAL_QDRANT = process.env.QDRANT_URL;

/** Points this process's search runtime at a fresh collection; returns the Qdrant URL. */
export async function searchTarget(t: Teardownable): Promise<{ qdrantUrl: string; collection: string }> {
  let qdrantUrl = REAL_QDRANT;
  if (!qdrantUrl) {
    const dir = path.join(TEST_DATA_DIR, `qdrant-${randomBytes(4).toString('hex')}`);
    const engine = await startLocalEngine({ dir });
    qdrantUrl = engine.url;
    t.teardown(async () => {
      await engine.close();
      await fs.rm(dir, { recursive: true, force: true });
    });
  }
  const collection = `test_${randomBytes(5).toString('hex')}`;
  process.env.QDRANT_URL = qdrantUrl;
  process.env.BALLAST_SEARCH_COLLECTION = collection;
  t.teardown(async () => {
    await qdrantClient({ url: qdrantUrl, apiKey: process.env.QDRANT_API_KEY }).deleteCollection(collection).catch(() => undefined);
  });
  return { qdrantUrl, collection };
}

/** A proxy in front of Qdrant that can be switched off (connections refused with 503). */
export async function flakyProxy(t: Teardownable, target: string): Promise<{ url: string; down: boolean }> {
  const state = { url: '', down: false };
  const server = http.createServer((req, res) => {
    if (state.down) {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: { error: 'Service unavailable (test proxy is down)' }, result: null }));
      return;
    }
    const up = http.request(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); }));
  return state;
}

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const stageCtx = (task: string) => ({
  trace_id: TRACE, span_id: randomBytes(8).toString('hex'), parent_span_id: null, correlation_id: 'test:search',
  task, task_version: '1.0.0', model_version: `${task}@test`, prompt_version: null,
});

let counter = 0;
/** An interaction with its summary and claims, written as the decision stages would. */
export async function addDecisions(db: Db, opts: { org?: string; summary: string; claims?: { kind: string; text: string }[] }): Promise<{ interactionId: number; claimIds: number[] }> {
  const n = ++counter;
  const agent = `agent_s_${opts.org ?? 'org_a'}`;
  await db.query(
    `insert into app.agents (agent_id, user_id, phone_number, org_id) values ($1, 'u', $2, $3) on conflict do nothing`,
    [agent, `+1555${String(Math.abs(hash(agent))).padStart(7, '0').slice(-7)}`, opts.org ?? 'org_a']);
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload, status) values ('telephony', '{}', 'rejected') returning id`);
  const interactionId = await withTrace(stageCtx('normalize_event'), () => db.atomicWrite(async (tx) => (await tx.query(
    `insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at)
     values ($1, $2, $3, 'call', 'inbound', $4, '+15550001111', '+15550002222', now()) returning id`,
    [ev.id, opts.org ?? 'org_a', agent, `call_${n}`])).rows[0].id as number));
  await withTrace(stageCtx('summarize_interaction'), () => db.atomicWrite((tx) =>
    tx.query('insert into app.summaries (interaction_id, summary) values ($1, $2)', [interactionId, opts.summary])));
  const claimIds = await withTrace(stageCtx('extract_claims'), () => db.atomicWrite(async (tx) => (await tx.query(
    `insert into app.claims (interaction_id, seq, kind, text, span_seq)
     select $1, seq, kind, text, 0 from json_to_recordset($2::json) as c(seq int, kind text, text text)
     returning id`, [interactionId, JSON.stringify((opts.claims ?? []).map((c, i) => ({ ...c, seq: i + 1 })))])).rows.map((r) => r.id as number)));
  return { interactionId, claimIds };
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

/** Runs `fn` as a stage attempt would: its writes carry stamps. */
export const asStage = <T>(task: string, fn: () => Promise<T>): Promise<T> => withTrace(stageCtx(task), fn);

export async function waitForOutboxDrained(db: Db, timeoutMs = 20_000): Promise<void> {
  await waitFor('the search outbox to drain', async () => {
    const { rows: [r] } = await db.query(`select count(*)::int as n from search.outbox where status = 'pending'`);
    return r.n === 0;
  }, { timeoutMs });
}

/** The point of a decision as Qdrant holds it, or null. */
export async function pointOf(rt: SearchRuntime, id: string): Promise<Record<string, unknown> | null> {
  const [p] = await rt.client.retrieve(rt.settings.collection, { ids: [id], with_payload: true });
  return p ? (p.payload as Record<string, unknown>) : null;
}
