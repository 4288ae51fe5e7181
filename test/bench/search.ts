/**
 * Search latency and recall (seed 003 phase 4): a fixed, generated replay
 * dataset (seeded, so every run indexes the same documents and asks the same
 * queries) is loaded into a fresh collection for each index configuration;
 * queries run unfiltered ("common") and with an org + kind filter ("heavily
 * filtered"); recall@10 is measured against exact brute force computed here.
 * Runs against QDRANT_URL, or the local engine when it is unset (exact search:
 * recall 1.0 by construction, so only latency means anything there).
 *
 *   npm run bench:search        (BENCH_DOCS=20000 BENCH_QUERIES=300 to change)
 */
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Schemas } from '@qdrant/js-client-rest';
import { hashEmbed } from '../../lib/engines/embedder.ts';
import { collectionSpec, qdrantClient, startLocalEngine, type SearchSettings } from '../../lib/search/index.ts';
import { ROOT } from '../helpers/cluster.ts';

const DOCS = Number(process.env.BENCH_DOCS ?? 10_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const DIM = Number(process.env.BALLAST_EMBEDDING_DIM ?? 256);
const ORGS = 20;
const KINDS = ['refund_request', 'cancellation', 'billing', 'identifier', 'request', 'summary'];

// mulberry32: a tiny seeded PRNG, so the dataset is the same every run.
function rng(seed: number) {
  return () => { seed |= 0; seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return ((t ^ (t >>> 14)) >>> 0) / 4294967296; };
}
const VOCAB = ('refund double charge cancel subscription billing invoice account number card payment late fee upgrade plan downgrade ' +
  'appointment reschedule callback manager escalate lawyer complaint shipping delivery broken replacement warranty password reset ' +
  'address change email phone verify identity fraud dispute credit balance discount promotion renewal contract notice angry happy').split(' ');
const rand = rng(42);
const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
const sentence = (n: number) => Array.from({ length: n }, () => pick(VOCAB)).join(' ');
const docs = Array.from({ length: DOCS }, (_, i) => ({ id: i + 1, org: `org_${i % ORGS}`, kind: pick(KINDS), text: sentence(8 + Math.floor(rand() * 20)) }));
const vectors = docs.map((d) => hashEmbed(d.text, DIM));
const queries = Array.from({ length: QUERIES }, (_, i) => ({ text: sentence(3 + Math.floor(rand() * 4)), org: `org_${i % ORGS}`, kind: pick(KINDS) }));

function exactTop(q: number[], filter: (d: typeof docs[number]) => boolean, k = 10): number[] {
  const scored: [number, number][] = [];
  for (let i = 0; i < docs.length; i++) {
    if (!filter(docs[i]!)) continue;
    const v = vectors[i]!;
    let s = 0;
    for (let j = 0; j < DIM; j++) s += v[j]! * q[j]!;
    scored.push([s, docs[i]!.id]);
  }
  return scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, k).map(([, id]) => id);
}
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

let url = process.env.QDRANT_URL;
let engine: Awaited<ReturnType<typeof startLocalEngine>> | null = null;
if (!url) {
  engine = await startLocalEngine({ dir: path.join(ROOT, '.ballast', 'bench', `qdrant-${randomBytes(3).toString('hex')}`) });
  url = engine.url;
}
const client = qdrantClient({ url, apiKey: process.env.QDRANT_API_KEY });
const configs: { label: string; m: number; ef_construct: number; ef: number; quantization: 'none' | 'int8' }[] = [
  { label: 'm16 efc100 ef128', m: 16, ef_construct: 100, ef: 128, quantization: 'none' },
  { label: 'm16 efc100 ef64', m: 16, ef_construct: 100, ef: 64, quantization: 'none' },
  { label: 'm16 efc100 ef128 int8', m: 16, ef_construct: 100, ef: 128, quantization: 'int8' },
];
console.log(`search bench: ${DOCS} docs, ${QUERIES} queries x 2 shapes, dim ${DIM}, target ${engine ? 'local engine (exact search)' : url}`);
const rows: Record<string, unknown>[] = [];
for (const c of configs) {
  const collection = `bench_search_${randomBytes(4).toString('hex')}`;
  const settings = { distance: 'Cosine', hnswM: c.m, hnswEfConstruct: c.ef_construct, quantization: c.quantization } as SearchSettings;
  await client.createCollection(collection, collectionSpec(settings, DIM));
  for (const [f, s] of [['org_id', 'keyword'], ['kind', 'keyword']] as const) await client.createPayloadIndex(collection, { field_name: f, field_schema: s, wait: true });
  const t0 = performance.now();
  for (let i = 0; i < docs.length; i += 500) {
    await client.upsert(collection, { wait: true, points: docs.slice(i, i + 500).map((d, j) => ({ id: d.id, vector: vectors[i + j]!, payload: { org_id: d.org, kind: d.kind } })) });
  }
  const loadS = (performance.now() - t0) / 1000;
  for (const shape of ['common', 'filtered'] as const) {
    const lat: number[] = [];
    let recall = 0;
    for (const q of queries) {
      const v = hashEmbed(q.text, DIM);
      const filter: Schemas['Filter'] | undefined = shape === 'filtered'
        ? { must: [{ key: 'org_id', match: { value: q.org } }, { key: 'kind', match: { value: q.kind } }] } : undefined;
      const s = performance.now();
      const res = await client.query(collection, { query: v, limit: 10, ...(filter ? { filter } : {}),
        params: { hnsw_ef: c.ef, ...(c.quantization === 'int8' ? { quantization: { rescore: true } } : {}) } });
      lat.push(performance.now() - s);
      const truth = exactTop(v, shape === 'filtered' ? (d) => d.org === q.org && d.kind === q.kind : () => true);
      const got = new Set(res.points.map((p) => Number(p.id)));
      recall += truth.length ? truth.filter((id) => got.has(id)).length / truth.length : 1;
    }
    const slo = shape === 'common' ? 150 : 250;
    rows.push({ config: c.label, shape, 'load s': loadS.toFixed(1), 'p50 ms': pct(lat, 50).toFixed(2), 'p95 ms': pct(lat, 95).toFixed(2),
      'recall@10': (recall / queries.length).toFixed(3), 'SLO p95': `<= ${slo}ms ${pct(lat, 95) <= slo ? 'met' : 'MISSED'}` });
  }
  await client.deleteCollection(collection);
}
console.table(rows);
await engine?.close();
