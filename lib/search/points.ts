/**
 * Documents (rows of search.expected_documents) and the Qdrant points built
 * from them. Point ids are stable UUIDs derived from the entity, computed the
 * same way in SQL (`search.point_id`).
 */
import { createHash } from 'node:crypto';
import type { Schemas } from '@qdrant/js-client-rest';

export type Entity = 'summary' | 'claim';

/** The producer stamps a decision row carries, copied into its point's payload. */
export interface ProducerStamps {
  trace_id: string;
  correlation_id: string;
  produced_by: string;
  producer_version: string;
  model_version: string;
  prompt_version: string | null;
  produced_at: Date;
}

export interface Document extends ProducerStamps {
  entity: Entity;
  entity_id: number;
  point_id: string;
  org_id: string;
  interaction_id: number;
  version: number;
  kind: string | null;
  content: string;
  content_hash: string;
}

/** `md5('ballast:<entity>:<id>')` as a UUID, like `search.point_id(entity, id)`. */
export function pointId(entity: string, entityId: number): string {
  const h = createHash('md5').update(`ballast:${entity}:${entityId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The payload of a point: what filters need and the producer stamps; never the text itself. */
export function pointPayload(d: Document, embedderId: string): Record<string, unknown> {
  return {
    org_id: d.org_id,
    entity: d.entity,
    entity_id: Number(d.entity_id),
    interaction_id: Number(d.interaction_id),
    kind: d.kind,
    version: Number(d.version),
    content_hash: d.content_hash,
    embedder: embedderId,
    produced_by: d.produced_by,
    producer_version: d.producer_version,
    model_version: d.model_version,
    prompt_version: d.prompt_version,
    trace_id: d.trace_id,
    correlation_id: d.correlation_id,
    produced_at: new Date(d.produced_at).toISOString(),
  };
}

/**
 * A filter that matches, for each id, only a point whose stored version is
 * lower than the given one: writes guarded by it never let an older version
 * overwrite a newer one (Qdrant's `update_filter`).
 */
export function olderThan(versions: { id: string; version: number }[]): Schemas['Filter'] {
  return {
    should: versions.map(({ id, version }) => ({
      must: [{ has_id: [id] }, { key: 'version', range: { lt: version } }],
    })),
  };
}

/** Documents of these entities as Postgres holds them now. */
export const LOAD_DOCUMENTS_SQL = `
  select * from search.expected_documents where entity = 'summary' and entity_id = any($1::bigint[])
  union all
  select * from search.expected_documents where entity = 'claim' and entity_id = any($2::bigint[])`;
