/**
 * Where the index lives and how it is built: settings from configuration, a
 * Qdrant client, and the collection created on first use with the configured
 * parameters and payload indexes on the filter fields.
 */
import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import type { Config } from '../config/index.ts';
import type { SearchRuntime } from './runtime.ts';
import { httpEmbedder, localEmbedder, type Embedder } from './embedder.ts';

export interface SearchSettings {
  url: string;
  apiKey?: string | undefined;
  collection: string;
  distance: 'Cosine' | 'Dot' | 'Euclid';
  hnswM: number;
  hnswEfConstruct: number;
  hnswEf: number;
  quantization: 'none' | 'int8';
  batchSize: number;
  maxAttempts: number;
  maxRepairs: number;
}

/** The fields ballast filters on; each gets a payload index. */
export const PAYLOAD_INDEXES: [string, Schemas['PayloadSchemaType']][] = [
  ['org_id', 'keyword'], ['entity', 'keyword'], ['kind', 'keyword'], ['interaction_id', 'integer'], ['version', 'integer'],
];

export function searchSettings(config: Config, url: string): SearchSettings {
  return {
    url,
    apiKey: config.QDRANT_API_KEY,
    collection: config.BALLAST_SEARCH_COLLECTION,
    distance: config.BALLAST_SEARCH_DISTANCE,
    hnswM: config.BALLAST_SEARCH_HNSW_M,
    hnswEfConstruct: config.BALLAST_SEARCH_HNSW_EF_CONSTRUCT,
    hnswEf: config.BALLAST_SEARCH_HNSW_EF,
    quantization: config.BALLAST_SEARCH_QUANTIZATION,
    batchSize: config.BALLAST_SEARCH_BATCH,
    maxAttempts: config.BALLAST_SEARCH_MAX_ATTEMPTS,
    maxRepairs: config.BALLAST_SEARCH_MAX_REPAIRS,
  };
}

export function embedderFor(config: Config): Embedder {
  if (config.BALLAST_EMBEDDER === 'http') {
    if (!config.BALLAST_EMBEDDER_URL) throw new Error('BALLAST_EMBEDDER=http needs BALLAST_EMBEDDER_URL');
    return httpEmbedder({ url: config.BALLAST_EMBEDDER_URL, model: config.BALLAST_EMBEDDER_MODEL,
      dimensions: config.BALLAST_EMBEDDING_DIM, apiKey: config.BALLAST_EMBEDDER_API_KEY });
  }
  return localEmbedder(config.BALLAST_EMBEDDING_DIM);
}

export function qdrantClient(s: Pick<SearchSettings, 'url' | 'apiKey'>): QdrantClient {
  return new QdrantClient({ url: s.url, ...(s.apiKey ? { apiKey: s.apiKey } : {}), timeout: 30_000, checkCompatibility: false });
}

/** The body of `PUT /collections/{name}` for these settings. */
export function collectionSpec(s: SearchSettings, dimensions: number): Schemas['CreateCollection'] {
  return {
    vectors: { size: dimensions, distance: s.distance },
    hnsw_config: { m: s.hnswM, ef_construct: s.hnswEfConstruct },
    ...(s.quantization === 'int8' ? { quantization_config: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } } } : {}),
  };
}

/** Creates the collection and its payload indexes if missing (once per runtime and collection). */
export async function ensureCollection(rt: Pick<SearchRuntime, 'client' | 'settings' | 'embedder' | 'ensured'>): Promise<void> {
  const { client, settings: s, ensured } = rt;
  const dimensions = rt.embedder.dimensions;
  const key = `${s.url}|${s.collection}`;
  if (ensured.has(key)) return;
  const { exists } = await client.collectionExists(s.collection);
  if (!exists) {
    try {
      await client.createCollection(s.collection, collectionSpec(s, dimensions));
    } catch (e) {
      // Another worker created it first.
      if (!(await client.collectionExists(s.collection)).exists) throw e;
    }
  }
  const info = await client.getCollection(s.collection);
  const size = (info.config.params.vectors as Schemas['VectorParams'] | undefined)?.size;
  if (size != null && size !== dimensions) {
    throw new Error(`collection ${s.collection} holds ${size}-dimensional vectors; the embedder makes ${dimensions} (see ops/runbooks/search.md, "changing the embedder")`);
  }
  for (const [field, schema] of PAYLOAD_INDEXES) {
    if (!info.payload_schema[field]) await client.createPayloadIndex(s.collection, { field_name: field, field_schema: schema, wait: true });
  }
  ensured.add(key);
}
