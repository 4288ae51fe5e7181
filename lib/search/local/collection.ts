/**
 * One collection of the local engine: points in memory, exact search, every
 * change appended to a write-ahead log before it is acknowledged.
 */
import type { Schemas } from '@qdrant/js-client-rest';
import { compareIds, filterMatches, FilterError, normalizeId, type Payload, type PointId } from './filter.ts';
import type { CollectionLog } from './storage.ts';

export interface StoredPoint { id: PointId; vector: Float32Array; payload: Payload; version: number }

/** What the log records: enough to rebuild the collection. */
export type LogEntry =
  | { op: 'upsert'; id: PointId; v: string; payload: Payload; version: number }
  | { op: 'delete'; id: PointId }
  | { op: 'index'; field: string; schema: unknown }
  | { op: 'drop_index'; field: string };

export interface CollectionConfig {
  vectors: Schemas['VectorParams'];
  params: Schemas['CreateCollection'];
  payload_schema: Record<string, unknown>;
}

export class BadRequest extends Error {}
const key = (id: PointId) => (typeof id === 'number' ? `#${id}` : id);

const encode = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
const decode = (s: string) => {
  const b = Buffer.from(s, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

function selectPayload(payload: Payload, sel: Schemas['WithPayloadInterface'] | null | undefined | Record<string, unknown>): Payload | null {
  if (sel == null || sel === false) return null;
  if (sel === true) return payload;
  const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => k in payload).map((k) => [k, payload[k]]));
  if (Array.isArray(sel)) return pick(sel);
  if ('include' in sel) return pick(sel.include as string[]);
  if ('exclude' in sel) return Object.fromEntries(Object.entries(payload).filter(([k]) => !(sel.exclude as string[]).includes(k)));
  return payload;
}

export class LocalCollection {
  readonly points = new Map<string, StoredPoint>();
  private sorted: StoredPoint[] | null = null;
  private opCounter = 0;

  constructor(readonly name: string, readonly config: CollectionConfig, private readonly log: CollectionLog | null) {}

  get size(): number { return this.config.vectors.size; }

  /** Applies a log entry without logging it (startup replay). */
  apply(e: LogEntry): void {
    this.sorted = null;
    if (e.op === 'upsert') this.points.set(key(e.id), { id: e.id, vector: decode(e.v), payload: e.payload, version: e.version });
    else if (e.op === 'delete') this.points.delete(key(e.id));
    else if (e.op === 'index') this.config.payload_schema[e.field] = e.schema;
    else delete this.config.payload_schema[e.field];
    this.opCounter = Math.max(this.opCounter, e.op === 'upsert' ? e.version : 0);
  }

  private async commit(entries: LogEntry[]): Promise<Schemas['UpdateResult']> {
    if (entries.length) await this.log?.append(entries);
    for (const e of entries) this.apply(e);
    return { operation_id: this.opCounter, status: 'completed' };
  }

  private vectorOf(p: Schemas['PointStruct']['vector']): Float32Array {
    if (!Array.isArray(p) || p.some((x) => typeof x !== 'number')) {
      throw new BadRequest('Wrong input: the local engine supports one unnamed dense vector per point');
    }
    const v = p as number[];
    if (v.length !== this.size) throw new BadRequest(`Wrong input: Vector dimension error: expected dim: ${this.size}, got ${v.length}`);
    const out = Float32Array.from(v);
    if (this.config.vectors.distance === 'Cosine') {
      let n = 0;
      for (const x of out) n += x * x;
      if (n > 0) { const inv = 1 / Math.sqrt(n); for (let i = 0; i < out.length; i++) out[i]! *= inv; }
    }
    return out;
  }

  async upsert(body: Schemas['PointInsertOperations']): Promise<Schemas['UpdateResult']> {
    let points: Schemas['PointStruct'][];
    if ('batch' in body) {
      const b = body.batch;
      const vectors = b.vectors as number[][];
      points = b.ids.map((id, i) => ({ id, vector: vectors[i]!, payload: b.payloads?.[i] ?? {} }));
    } else {
      points = body.points;
    }
    const mode = (body.update_mode as string | null | undefined) ?? 'upsert';
    const entries: LogEntry[] = [];
    let version = this.opCounter + 1;
    for (const p of points) {
      const id = normalizeId(p.id);
      const vector = this.vectorOf(p.vector);
      const existing = this.points.get(key(id));
      if (existing && mode === 'insert_only') continue;
      if (!existing && mode === 'update_only') continue;
      if (existing && body.update_filter && !filterMatches(body.update_filter, id, existing.payload)) continue;
      entries.push({ op: 'upsert', id, v: encode(vector), payload: (p.payload ?? {}) as Payload, version: version++ });
    }
    return this.commit(entries);
  }

  async delete(body: Schemas['PointsSelector']): Promise<Schemas['UpdateResult']> {
    const ids = 'points' in body
      ? body.points.map(normalizeId).filter((id) => this.points.has(key(id)))
      : [...this.points.values()].filter((p) => filterMatches(body.filter, p.id, p.payload)).map((p) => p.id);
    return this.commit(ids.map((id) => ({ op: 'delete', id })));
  }

  async setIndex(field: string, schema: unknown): Promise<Schemas['UpdateResult']> {
    return this.commit([{ op: 'index', field, schema }]);
  }

  async dropIndex(field: string): Promise<Schemas['UpdateResult']> {
    return this.commit([{ op: 'drop_index', field }]);
  }

  private record(p: StoredPoint, withPayload: unknown, withVector: unknown): Schemas['Record'] {
    const payload = selectPayload(p.payload, (withPayload ?? true) as Schemas['WithPayloadInterface']);
    return {
      id: p.id,
      ...(payload ? { payload } : {}),
      ...(withVector ? { vector: Array.from(p.vector) } : {}),
    };
  }

  retrieve(body: Schemas['PointRequest']): Schemas['Record'][] {
    return body.ids.map(normalizeId).map((id) => this.points.get(key(id)))
      .filter((p): p is StoredPoint => p != null)
      .map((p) => this.record(p, body.with_payload, body.with_vector));
  }

  private inOrder(): StoredPoint[] {
    this.sorted ??= [...this.points.values()].sort((a, b) => compareIds(a.id, b.id));
    return this.sorted;
  }

  scroll(body: Schemas['ScrollRequest']): Schemas['ScrollResult'] {
    if (body.order_by) throw new BadRequest('Wrong input: order_by is not supported by the local engine');
    const limit = body.limit ?? 10;
    const all = this.inOrder();
    const from = body.offset != null ? normalizeId(body.offset) : null;
    let i = 0;
    if (from != null) {
      let lo = 0, hi = all.length;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (compareIds(all[mid]!.id, from) < 0) lo = mid + 1; else hi = mid; }
      i = lo;
    }
    const points: Schemas['Record'][] = [];
    for (; i < all.length && points.length < limit; i++) {
      const p = all[i]!;
      if (filterMatches(body.filter, p.id, p.payload)) points.push(this.record(p, body.with_payload, body.with_vector));
    }
    while (i < all.length && !filterMatches(body.filter, all[i]!.id, all[i]!.payload)) i++;
    return { points, next_page_offset: i < all.length ? all[i]!.id : null };
  }

  count(body: Schemas['CountRequest']): Schemas['CountResult'] {
    if (!body.filter) return { count: this.points.size };
    let n = 0;
    for (const p of this.points.values()) if (filterMatches(body.filter, p.id, p.payload)) n++;
    return { count: n };
  }

  private queryVector(q: unknown): Float32Array {
    let v: unknown = q;
    if (v && typeof v === 'object' && !Array.isArray(v) && 'nearest' in v) v = (v as { nearest: unknown }).nearest;
    if (typeof v === 'string' || typeof v === 'number') {
      const p = this.points.get(key(normalizeId(v)));
      if (!p) throw new BadRequest(`Not found: No point with id ${v} found`);
      return p.vector;
    }
    if (Array.isArray(v)) return this.vectorOf(v as number[]);
    throw new BadRequest('Wrong input: the local engine supports nearest queries with a dense vector or a point id');
  }

  query(body: Schemas['QueryRequest']): Schemas['QueryResponse'] {
    if (body.prefetch) throw new BadRequest('Wrong input: prefetch is not supported by the local engine');
    const limit = body.limit ?? 10;
    const offset = body.offset ?? 0;
    const distance = this.config.vectors.distance;
    const ascending = distance === 'Euclid' || distance === 'Manhattan';
    const scored: { p: StoredPoint; score: number }[] = [];
    if (body.query == null) {
      for (const p of this.inOrder()) if (filterMatches(body.filter, p.id, p.payload)) scored.push({ p, score: 0 });
    } else {
      const q = this.queryVector(body.query);
      for (const p of this.points.values()) {
        if (!filterMatches(body.filter, p.id, p.payload)) continue;
        const v = p.vector;
        let s = 0;
        if (distance === 'Euclid') { for (let i = 0; i < v.length; i++) { const d = v[i]! - q[i]!; s += d * d; } s = Math.sqrt(s); }
        else if (distance === 'Manhattan') { for (let i = 0; i < v.length; i++) s += Math.abs(v[i]! - q[i]!); }
        else { for (let i = 0; i < v.length; i++) s += v[i]! * q[i]!; }
        if (body.score_threshold != null && (ascending ? s > body.score_threshold : s < body.score_threshold)) continue;
        scored.push({ p, score: s });
      }
      scored.sort((a, b) => (ascending ? a.score - b.score : b.score - a.score) || compareIds(a.p.id, b.p.id));
    }
    const points = scored.slice(offset, offset + limit).map(({ p, score }) => ({
      ...this.record(p, body.with_payload ?? false, body.with_vector), version: p.version, score,
    }));
    return { points };
  }

  info(): Schemas['CollectionInfo'] {
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: this.points.size,
      segments_count: 1,
      config: {
        params: { ...this.config.params, vectors: this.config.vectors } as Schemas['CollectionParams'],
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false,
          ...(this.config.params.hnsw_config as object | undefined) } as Schemas['HnswConfig'],
        optimizer_config: { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0,
          max_segment_size: null, memmap_threshold: null, indexing_threshold: 20000, flush_interval_sec: 5,
          max_optimization_threads: null } as Schemas['OptimizersConfig'],
        wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 } as Schemas['WalConfig'],
        quantization_config: (this.config.params.quantization_config ?? null) as Schemas['QuantizationConfig'] | null,
      },
      payload_schema: Object.fromEntries(Object.entries(this.config.payload_schema).map(([k, v]) =>
        [k, { data_type: typeof v === 'string' ? v : (v as { type?: string })?.type ?? 'keyword', points: 0 }])) as Schemas['CollectionInfo']['payload_schema'],
    };
  }
}

export { FilterError };
