/**
 * The sync task's work: claim a batch of outbox rows (LOCKED_MUTATION, SKIP
 * LOCKED, so several workers can drain side by side), write what Postgres
 * holds now for those entities to Qdrant with `wait=true`, then mark the rows
 * done, all while the claim's transaction holds the rows. A failed batch
 * counts an attempt on each row and backs it off; a row out of attempts
 * becomes a dead letter (`status = 'dead'`), never a silent drop.
 */
import type { Db, LockedTx } from '../db/index.ts';
import { ensureCollection } from './collection.ts';
import { LOAD_DOCUMENTS_SQL, olderThan, pointPayload, type Document } from './points.ts';
import type { SearchRuntime } from './runtime.ts';
import { buildDeadLetter, buildEnvelope, recordFailureSafely } from '../failures/index.ts';
import { log } from '../log/index.ts';

export interface OutboxRow {
  id: number;
  point_id: string;
  entity: string;
  entity_id: number | null;
  op: 'upsert' | 'delete';
  version: number;
  reason: 'change' | 'repair' | 'backfill';
  attempts: number;
  trace_id: string | null;
}

/** One sync batch, also stored in `search.sync_runs`. */
export interface SyncResult {
  claimed: number;
  upserted: number;
  deleted: number;
  superseded: number;
  failed: number;
  dead: number;
  duration_ms: number;
  error: string | null;
}

const CLAIM_SQL = `
  select id, point_id::text, entity, entity_id, op, version, reason, attempts, trace_id
    from search.outbox
   where status = 'pending' and available_at <= now()
   order by id
   limit $1
     for update skip locked`;

type Rt = Pick<SearchRuntime, 'client' | 'embedder' | 'settings' | 'ensured' | 'redactor'>;

async function writeBatch(tx: LockedTx, rt: Rt, winners: OutboxRow[]): Promise<{ upserted: number; deleted: number }> {
  const ids = (entity: string) => winners.filter((r) => r.entity === entity && r.entity_id != null).map((r) => r.entity_id);
  const docs = new Map<string, Document>(
    (await tx.query<Document>(LOAD_DOCUMENTS_SQL, [ids('summary'), ids('claim')])).rows.map((d) => [d.point_id, d]));
  const upserts = winners.filter((r) => docs.has(r.point_id));
  const deletes = winners.filter((r) => !docs.has(r.point_id));
  const { client, embedder, settings } = rt;
  await ensureCollection(rt);

  if (upserts.length) {
    const vectors = await embedder.embed(upserts.map((r) => docs.get(r.point_id)!.content));
    const points = upserts.map((r, i) => {
      const d = docs.get(r.point_id)!;
      return { id: d.point_id, vector: vectors[i]!, payload: pointPayload(d, embedder.id) };
    });
    const forced = upserts.filter((r) => r.reason === 'repair').map((r) => r.point_id);
    const guarded = points.filter((p) => !forced.includes(p.id));
    // Repairs come from the reconciler, which compared with Postgres: they overwrite.
    if (guarded.length) {
      await client.upsert(settings.collection, {
        wait: true, points: guarded,
        update_filter: olderThan(guarded.map((p) => ({ id: p.id, version: p.payload.version as number }))),
      });
    }
    const repairs = points.filter((p) => forced.includes(p.id));
    if (repairs.length) await client.upsert(settings.collection, { wait: true, points: repairs });
  }
  const forcedDeletes = deletes.filter((r) => r.reason === 'repair').map((r) => r.point_id);
  const guardedDeletes = deletes.filter((r) => r.reason !== 'repair');
  if (guardedDeletes.length) {
    await client.delete(settings.collection, {
      wait: true, filter: olderThan(guardedDeletes.map((r) => ({ id: r.point_id, version: Number(r.version) }))),
    });
  }
  if (forcedDeletes.length) await client.delete(settings.collection, { wait: true, points: forcedDeletes });
  return { upserted: upserts.length, deleted: deletes.length };
}

/** Claims and writes one batch. Never throws for a Qdrant failure: it is in `error`. */
export async function syncOutboxOnce(db: Db, rt: Rt, opts: { batchSize?: number } = {}): Promise<SyncResult> {
  const started = performance.now();
  const { settings } = rt;
  let deadRows: OutboxRow[] = [];
  const outcome = await db.lockedMutation(async (tx) => {
    const rows = await tx.lockRows<OutboxRow>(CLAIM_SQL, [opts.batchSize ?? settings.batchSize]);
    const result: SyncResult = { claimed: rows.length, upserted: 0, deleted: 0, superseded: 0, failed: 0, dead: 0, duration_ms: 0, error: null };
    if (rows.length === 0) return result;
    // The newest row of each point wins; older ones in the batch are superseded by it.
    const newest = new Map<string, OutboxRow>();
    for (const r of rows) {
      const w = newest.get(r.point_id);
      if (!w || Number(r.version) > Number(w.version) || (r.version === w.version && r.reason === 'repair')) newest.set(r.point_id, r);
    }
    const winners = [...newest.values()];
    const losers = rows.filter((r) => newest.get(r.point_id) !== r).map((r) => r.id);
    try {
      Object.assign(result, await writeBatch(tx, rt, winners));
      await tx.query(
        `update search.outbox set status = case when id = any($2::bigint[]) then 'superseded' else 'done' end,
                processed_at = clock_timestamp(), last_error = null
          where id = any($1::bigint[])`, [rows.map((r) => r.id), losers]);
      result.superseded = losers.length;
    } catch (e) {
      result.error = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 500);
      const { rows: marked } = await tx.query<{ id: number; status: string }>(
        `update search.outbox
            set attempts = attempts + 1, last_error = $2,
                status = case when attempts + 1 >= $3 then 'dead' else status end,
                available_at = now() + make_interval(secs => least(60, power(2, greatest(0, attempts))))
          where id = any($1::bigint[]) returning id, status`, [rows.map((r) => r.id), result.error, settings.maxAttempts]);
      result.failed = marked.length;
      const dead = marked.filter((m) => m.status === 'dead');
      result.dead = dead.length;
      if (dead.length) deadRows = rows.filter((r) => dead.some((d) => Number(d.id) === Number(r.id)));
    }
    result.duration_ms = Math.round(performance.now() - started);
    await tx.query(
      `insert into search.sync_runs (claimed, upserted, deleted, superseded, failed, dead, duration_ms, error, trace_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, ballast.setting('trace_id'))`,
      [result.claimed, result.upserted, result.deleted, result.superseded, result.failed, result.dead, result.duration_ms, result.error]);
    return result;
  });
  // Rows out of attempts become dead letters through the failure machinery
  // (after the batch commits): an envelope and a pipeline_failures row each.
  for (const r of deadRows) await recordDeadOutboxRow(db, rt, r, outcome.error ?? 'unknown error');
  return outcome;
}

async function recordDeadOutboxRow(db: Db, { redactor }: Rt, r: OutboxRow, error: string): Promise<void> {
  const envelope = buildEnvelope(redactor, {
    err: new Error(`search sync gave up on outbox row ${r.id}: ${error}`),
    classification: { errorClass: 'infra.search.sync_failed', layer: 'L3' }, component: 'search.sync', severity: 'error',
    input: { outbox_id: r.id, point_id: r.point_id },
    trace: { trace_id: r.trace_id, span_id: null, correlation_id: `search:${r.entity}:${r.entity_id}` },
    context: { outbox_id: r.id, entity: r.entity, entity_id: r.entity_id, version: r.version, attempts: r.attempts + 1 },
  });
  await recordFailureSafely({ db, log, redactor }, {
    envelope,
    diagnostic: { function_name: 'search_sync', function_version: '1.0.0', log_level: 'error', code: 'DOWNSTREAM_CALL_FAILED',
      message: envelope.message, metadata: { error_id: envelope.error_id, outbox_id: r.id } },
    deadLetter: buildDeadLetter(redactor, {
      envelope, failingFunction: 'search_sync', callerFunction: 'search.outbox', key: `${r.entity}:${r.entity_id}`,
      payload: { outbox_id: r.id, entity: r.entity, entity_id: r.entity_id, op: r.op, version: r.version },
      code: 'DOWNSTREAM_CALL_FAILED', attempt: r.attempts + 1, retryable: false, replayable: false,
      trace: { trace_id: r.trace_id, span_id: null, parent_span_id: null, correlation_id: `search:${r.entity}:${r.entity_id}` },
      context: { outbox_id: r.id, note: 'repair with `ballast reconcile search` (or re-queue the outbox row), then resolve' },
    }),
  });
}

/**
 * Schedules a sync for outbox rows still waiting out a backoff, so no pending
 * row is left without a job; the sync task calls it after its last batch.
 */
export async function scheduleWaitingSync(db: Db): Promise<void> {
  await db.atomicWrite((tx) => tx.query(
    `select search.schedule_sync(min(available_at), ballast.setting('trace_id'), ballast.setting('correlation_id'))
       from search.outbox where status = 'pending' having count(*) > 0`));
}
