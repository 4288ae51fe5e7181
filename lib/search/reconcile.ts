/**
 * The reconciler (seed 003, phase 5): streams the expected set from Postgres
 * (point id, version, content hash, ordered by point id) and the actual set
 * from Qdrant (scroll, ordered by id, ids and a few payload fields only), and
 * diffs them in one merge pass. Candidates are re-checked against the current
 * rows and points before a repair is enqueued, so a change that lands while
 * the run is in progress is not mistaken for drift. Repairs go to the outbox
 * (reason `repair`), bounded by `maxRepairs`; the run is recorded in
 * `search.reconcile_runs`.
 */
import type { Db } from '../db/index.ts';
import { messageWithCause } from '../failures/index.ts';
import { ensureCollection } from './collection.ts';
import { LOAD_DOCUMENTS_SQL, type Document } from './points.ts';
import type { SearchRuntime } from './runtime.ts';

export interface ReconcileResult {
  run_id: number;
  status: 'clean' | 'repaired' | 'partial' | 'failed';
  expected: number;
  actual: number;
  missing: number;
  stale: number;
  orphaned: number;
  repaired: number;
  unrepaired: number;
  duration_ms: number;
  error: string | null;
}

export interface ReconcileOptions {
  /** Recorded in the run row. @defaultValue `manual` */
  triggeredBy?: string;
  /** Rows per cursor fetch and per scroll page. @defaultValue `1000` */
  pageSize?: number;
  /** Called as work advances; `total` is expected + actual. */
  onProgress?: (done: number, total: number) => void;
}

interface Expected { point_id: string; entity: string; entity_id: number; version: number; content_hash: string }
interface Actual { id: string | number; version: unknown; content_hash: unknown; embedder: unknown; entity: unknown; entity_id: unknown }
type Kind = 'missing' | 'stale' | 'orphaned';
interface Candidate { kind: Kind; point_id: string | number; entity: string; entity_id: number | null }

type Rt = Pick<SearchRuntime, 'client' | 'embedder' | 'settings' | 'ensured'>;

async function* expectedStream(db: Db, pageSize: number): AsyncGenerator<Expected> {
  const tx = await db.begin('READ_ONLY');
  try {
    await tx.query(`declare expected no scroll cursor for
      select point_id::text, entity, entity_id, version, content_hash from search.expected_documents order by point_id`);
    for (;;) {
      const { rows } = await tx.query<Expected>(`fetch ${pageSize} from expected`);
      yield* rows;
      if (rows.length < pageSize) break;
    }
  } finally {
    await tx.rollback();
  }
}

async function* actualStream(rt: Rt, pageSize: number): AsyncGenerator<Actual> {
  let offset: string | number | null | undefined = null;
  do {
    const page = await rt.client.scroll(rt.settings.collection, {
      limit: pageSize, with_vector: false, ...(offset != null ? { offset } : {}),
      with_payload: { include: ['version', 'content_hash', 'embedder', 'entity', 'entity_id'] },
    });
    for (const p of page.points) yield { id: p.id, ...(p.payload ?? {}) } as Actual;
    offset = page.next_page_offset as string | number | null | undefined;
  } while (offset != null);
}

const idKey = (id: string | number) => (typeof id === 'number' ? `#${String(id).padStart(20, '0')}` : `~${id}`);
const drifted = (e: { version: number; content_hash: string }, a: Actual, embedderId: string) =>
  Number(a.version) !== Number(e.version) || a.content_hash !== e.content_hash || a.embedder !== embedderId;

/** Keeps only candidates that still drift now, and not because a sync is pending. */
async function confirm(db: Db, rt: Rt, cands: Candidate[]): Promise<Candidate[]> {
  const uuids = cands.map((c) => c.point_id).filter((id): id is string => typeof id === 'string');
  const { rows: pending } = await db.query<{ point_id: string }>(
    `select distinct point_id::text from search.outbox where status = 'pending' and point_id = any($1::uuid[])`, [uuids]);
  const inFlight = new Set(pending.map((p) => p.point_id));
  const ids = (entity: string) => cands.filter((c) => c.entity === entity && c.entity_id != null).map((c) => c.entity_id);
  const docs = new Map((await db.query<Document>(LOAD_DOCUMENTS_SQL, [ids('summary'), ids('claim')])).rows.map((d) => [d.point_id, d]));
  const points = new Map((await rt.client.retrieve(rt.settings.collection, {
    ids: cands.map((c) => c.point_id), with_vector: false,
    with_payload: { include: ['version', 'content_hash', 'embedder', 'entity', 'entity_id'] },
  })).map((p) => [String(p.id), { id: p.id, ...(p.payload ?? {}) } as Actual]));
  return cands.filter((c) => {
    if (typeof c.point_id === 'string' && inFlight.has(c.point_id)) return false;
    const d = docs.get(String(c.point_id));
    const p = points.get(String(c.point_id));
    if (c.kind === 'missing') return d != null && p == null;
    if (c.kind === 'orphaned') return d == null && p != null;
    return d != null && p != null && drifted(d, p, rt.embedder.id);
  });
}

async function enqueueRepairs(db: Db, runId: number, repairs: Candidate[]): Promise<void> {
  if (repairs.length === 0) return;
  await db.atomicWrite((tx) => tx.query(
    `insert into search.outbox (point_id, entity, entity_id, op, version, reason, reconcile_run, trace_id)
     select r.point_id::uuid, r.entity, r.entity_id, r.op,
            coalesce((select v.version from search.versions v where v.entity = r.entity and v.entity_id = r.entity_id),
                     nextval('search.version_seq')),
            'repair', $1, ballast.setting('trace_id')
       from json_to_recordset($2::json) as r(point_id text, entity text, entity_id bigint, op text)`,
    [runId, JSON.stringify(repairs.map((c) => ({
      point_id: c.point_id, entity: c.entity, entity_id: c.entity_id, op: c.kind === 'orphaned' ? 'delete' : 'upsert',
    })))]));
}

/** One reconciliation run; the result is also the stored run row. */
export async function reconcileSearch(db: Db, rt: Rt, opts: ReconcileOptions = {}): Promise<ReconcileResult> {
  const started = performance.now();
  const pageSize = opts.pageSize ?? 1000;
  const { rows: [run] } = await db.atomicWrite((tx) => tx.query<{ id: number }>(
    `insert into search.reconcile_runs (collection, triggered_by, trace_id) values ($1, $2, ballast.setting('trace_id')) returning id`,
    [rt.settings.collection, opts.triggeredBy ?? 'manual']));
  const r: ReconcileResult = { run_id: run!.id, status: 'clean', expected: 0, actual: 0, missing: 0, stale: 0, orphaned: 0,
    repaired: 0, unrepaired: 0, duration_ms: 0, error: null };
  try {
    await ensureCollection(rt);
    const { rows: [{ n }] } = await db.query('select count(*)::int as n from search.expected_documents');
    const total = n + ((await rt.client.count(rt.settings.collection, { exact: true })).count ?? 0);
    let budget = rt.settings.maxRepairs;
    let pending: Candidate[] = [];
    const flush = async () => {
      const confirmed = pending.length ? await confirm(db, rt, pending) : [];
      pending = [];
      for (const c of confirmed) r[c.kind]++;
      const take = confirmed.slice(0, Math.max(0, budget));
      budget -= take.length;
      await enqueueRepairs(db, r.run_id, take);
      r.repaired += take.length;
      r.unrepaired += confirmed.length - take.length;
    };
    const note = async (c: Candidate) => { pending.push(c); if (pending.length >= 500) await flush(); };

    const exp = expectedStream(db, pageSize);
    const act = actualStream(rt, pageSize);
    let e = await exp.next();
    let a = await act.next();
    while (!e.done || !a.done) {
      const order = e.done ? 1 : a.done ? -1 : idKey(e.value.point_id) < idKey(a.value.id) ? -1 : idKey(e.value.point_id) > idKey(a.value.id) ? 1 : 0;
      if (order < 0) {
        const x = e.value as Expected;
        await note({ kind: 'missing', point_id: x.point_id, entity: x.entity, entity_id: Number(x.entity_id) });
      } else if (order > 0) {
        const y = a.value as Actual;
        await note({ kind: 'orphaned', point_id: y.id, entity: String(y.entity ?? 'unknown'), entity_id: Number.isInteger(y.entity_id) ? Number(y.entity_id) : null });
      } else if (drifted(e.value as Expected, a.value as Actual, rt.embedder.id)) {
        const x = e.value as Expected;
        await note({ kind: 'stale', point_id: x.point_id, entity: x.entity, entity_id: Number(x.entity_id) });
      }
      if (order <= 0) { r.expected++; e = await exp.next(); }
      if (order >= 0) { r.actual++; a = await act.next(); }
      if ((r.expected + r.actual) % pageSize === 0) opts.onProgress?.(r.expected + r.actual, Math.max(total, r.expected + r.actual));
    }
    await flush();
    opts.onProgress?.(r.expected + r.actual, r.expected + r.actual);
    if (r.repaired > 0) {
      await db.atomicWrite((tx) => tx.query(`select search.schedule_sync(now(), ballast.setting('trace_id'), ballast.setting('correlation_id'))`));
    }
    r.status = r.unrepaired > 0 ? 'partial' : r.repaired > 0 ? 'repaired' : 'clean';
  } catch (err) {
    r.status = 'failed';
    r.error = (err instanceof Error ? `${err.name}: ${messageWithCause(err)}` : String(err)).slice(0, 500);
  }
  r.duration_ms = Math.round(performance.now() - started);
  await db.atomicWrite((tx) => tx.query(
    `update search.reconcile_runs set finished_at = now(), duration_ms = $2, status = $3, expected = $4, actual = $5,
            missing = $6, stale = $7, orphaned = $8, repaired = $9, unrepaired = $10, error = $11 where id = $1`,
    [r.run_id, r.duration_ms, r.status, r.expected, r.actual, r.missing, r.stale, r.orphaned, r.repaired, r.unrepaired, r.error]));
  return r;
}
