/**
 * Search by meaning: embed the text, ask Qdrant for the nearest points within
 * the org (and any filters), then read the decisions themselves from
 * Postgres, the source of truth. A hit whose decision is gone is dropped; one
 * whose version moved on is marked `stale`.
 */
import type { Schemas } from '@qdrant/js-client-rest';
import type { Db } from '../db/index.ts';
import type { Document, ProducerStamps } from './points.ts';
import type { SearchRuntime } from './runtime.ts';

export interface SearchQuery {
  text: string;
  /** Only decisions of this org. @defaultValue every org */
  org?: string | undefined;
  /** @defaultValue `10` */
  limit?: number | undefined;
  /** Exact-match filters on payload fields: `entity`, `kind`, `interaction_id`, ... */
  filter?: Record<string, string | number> | undefined;
  /** Exact search instead of HNSW (recall baseline). @defaultValue `false` */
  exact?: boolean | undefined;
}

export interface SearchHit extends ProducerStamps {
  score: number;
  entity: string;
  /** The decision: summary -> interaction id, claim -> claim id. */
  entity_id: number;
  interaction_id: number;
  org_id: string;
  kind: string | null;
  text: string;
  version: number;
  /** The index holds an older version than Postgres (a sync is pending). */
  stale: boolean;
}

/** Parses `key=value[,key=value]`; numbers stay numbers. */
export function parseFilter(text: string | undefined): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const pair of (text ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--filter expects key=value pairs, got "${pair}"`);
    const v = pair.slice(eq + 1).trim();
    out[pair.slice(0, eq).trim()] = /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

export function searchFilter(q: Pick<SearchQuery, 'org' | 'filter'>): Schemas['Filter'] | undefined {
  const must: Schemas['Condition'][] = [];
  if (q.org) must.push({ key: 'org_id', match: { value: q.org } });
  for (const [key, value] of Object.entries(q.filter ?? {})) must.push({ key, match: { value } });
  return must.length ? { must } : undefined;
}

type Rt = Pick<SearchRuntime, 'client' | 'embedder' | 'settings'>;

export async function searchDecisions(db: Db, rt: Rt, q: SearchQuery): Promise<SearchHit[]> {
  const [vector] = await rt.embedder.embed([q.text]);
  const filter = searchFilter(q);
  const res = await rt.client.query(rt.settings.collection, {
    query: vector!, limit: q.limit ?? 10, with_payload: ['entity', 'entity_id', 'version'],
    ...(filter ? { filter } : {}),
    params: { hnsw_ef: rt.settings.hnswEf, exact: q.exact ?? false,
      ...(rt.settings.quantization === 'int8' ? { quantization: { rescore: true } } : {}) },
  });
  const hits = res.points.map((p) => ({ score: p.score, point_id: String(p.id), version: Number(p.payload?.version) }));
  if (hits.length === 0) return [];
  const { rows } = await db.readOnly((tx) => tx.query<Document>(
    `select d.* from search.expected_documents d where d.point_id = any($1::uuid[])
       and (d.entity, d.entity_id) in (select e, i from json_to_recordset($2::json) as x(e text, i bigint))`,
    [hits.map((h) => h.point_id), JSON.stringify(res.points.map((p) => ({ e: p.payload?.entity, i: p.payload?.entity_id })))]));
  const docs = new Map(rows.map((d) => [d.point_id, d]));
  return hits.filter((h) => docs.has(h.point_id)).map((h) => {
    const d = docs.get(h.point_id)!;
    return {
      score: h.score, entity: d.entity, entity_id: Number(d.entity_id), interaction_id: Number(d.interaction_id),
      org_id: d.org_id, kind: d.kind, text: d.content, version: Number(d.version), stale: h.version < Number(d.version),
      trace_id: d.trace_id, correlation_id: d.correlation_id, produced_by: d.produced_by, producer_version: d.producer_version,
      model_version: d.model_version, prompt_version: d.prompt_version, produced_at: d.produced_at,
    };
  });
}
