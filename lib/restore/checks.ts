/**
 * The drill's checks of a restored database, each returning its mismatches
 * (empty: pass) and a few figures. Read-only checks connect as
 * ballast_forensics; the search check writes what the reconciler writes, as
 * ballast_worker.
 */
import pg from 'pg';
import { loadMigrationFiles } from 'postgres-migrations';
import { verifyLedger } from '../audit/index.ts';
import type { Config } from '../config/index.ts';
import { MIGRATIONS_DIR, type Db } from '../db/index.ts';
import { resolveTraceIds, runNamed, traceTimeline } from '../forensics/index.ts';
import { closeSearchRuntime, reconcileSearch, searchRuntime, syncOutboxOnce } from '../search/index.ts';
import { compareState, databaseState, STABLE_SETTINGS, type Manifest } from './manifest.ts';

export interface CheckOutcome {
  mismatches: string[];
  detail?: Record<string, unknown>;
}

/** The restored `public.migrations` against the code's sql/migrations and against the manifest. */
export async function checkMigrations(db: Db, manifest: Manifest, dir = MIGRATIONS_DIR): Promise<CheckOutcome> {
  const files = (await loadMigrationFiles(dir)).filter((f) => f.id > 0);
  const { rows } = await db.query<{ id: number; name: string; hash: string }>('select id, name, hash from public.migrations where id > 0 order by id');
  const applied = new Map(rows.map((r) => [Number(r.id), r]));
  const out: string[] = [];
  for (const f of files) {
    const a = applied.get(f.id);
    if (!a) out.push(`migration ${f.fileName} is in the code, not applied in the restore`);
    else if (a.name !== f.name || a.hash !== f.hash) out.push(`migration ${f.id}: restored ${a.name} (${a.hash}) differs from the code's ${f.fileName} (${f.hash})`);
  }
  const known = new Set(files.map((f) => f.id));
  for (const a of rows) if (!known.has(Number(a.id))) out.push(`migration ${a.id} ${a.name} is applied in the restore, not in the code`);
  const inManifest = manifest.migrations.applied.map((m) => `${m.id}:${m.name}:${m.hash}`).join(',');
  if (rows.map((r) => `${r.id}:${r.name}:${r.hash}`).join(',') !== inManifest) out.push('public.migrations differs from the manifest\'s migration state');
  return { mismatches: out, detail: { applied: rows.length, in_code: files.length } };
}

/** Counts and content hashes of every table, the audit head, outbox and reconcile state, against the manifest. */
export async function checkData(url: string, manifest: Manifest): Promise<CheckOutcome> {
  const client = new pg.Client({ connectionString: url, application_name: 'ballast drill restore' });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(STABLE_SETTINGS);
    const state = await databaseState(client);
    await client.query('commit');
    const rows = Object.values(state.tables).reduce((n, t) => n + t.rows, 0);
    return { mismatches: compareState(manifest, state), detail: { tables: Object.keys(state.tables).length, rows } };
  } finally {
    await client.end();
  }
}

/** `audit verify` on the restore, expecting the head the manifest recorded. */
export async function checkAudit(db: Db, manifest: Manifest): Promise<CheckOutcome> {
  const head = manifest.audit.head;
  const r = await verifyLedger(db, head ? { expectHead: head } : {});
  const out: string[] = [];
  if (!r.ok) out.push(`audit verify: ${r.problem!.message} (${r.problem!.kind})`);
  if (r.ok && r.head !== head) out.push(`audit chain head ${r.head} differs from the manifest's ${head}`);
  return { mismatches: out, detail: { checked: r.checked, head: r.head, unsealed: r.unsealed } };
}

/**
 * Repopulates the outbox from the current decisions into a scratch search
 * collection: a reconciliation finds every document missing and enqueues it,
 * sync drains the outbox, and a second reconciliation must find no drift.
 * `config` names the scratch collection (and data dir, for the local engine).
 */
export async function checkSearch(db: Db, config: Config): Promise<CheckOutcome> {
  // Everything must fit in one repair pass, however large the restore.
  const scratch: Config = { ...config, BALLAST_SEARCH_MAX_REPAIRS: 10_000_000 };
  const rt = await searchRuntime(scratch);
  try {
    const first = await reconcileSearch(db, rt, { triggeredBy: 'restore drill' });
    if (first.status === 'failed') return { mismatches: [`reconciliation into ${config.BALLAST_SEARCH_COLLECTION} failed: ${first.error}`] };
    let synced = 0;
    for (;;) {
      const r = await syncOutboxOnce(db, rt);
      if (r.error) return { mismatches: [`outbox sync into the scratch collection failed: ${r.error}`] };
      synced += r.upserted + r.deleted;
      if (r.claimed === 0) break;
    }
    const second = await reconcileSearch(db, rt, { triggeredBy: 'restore drill' });
    const out: string[] = [];
    if (second.status !== 'clean') {
      out.push(`after repopulating, reconciliation is ${second.status}: ${second.missing} missing, ${second.stale} stale, ${second.orphaned} orphaned`);
    }
    return { mismatches: out, detail: { expected: first.expected, enqueued: first.repaired, synced, collection: rt.settings.collection } };
  } finally {
    await closeSearchRuntime(scratch);
  }
}

/** The queries an operator runs at 3 a.m. answer on the restore; the drill's own event has a timeline. */
export async function checkForensics(db: Db, webhookId: string | null): Promise<CheckOutcome> {
  const queries: [string, unknown[]][] = [
    ['trace_compliance', []], ['silent_drops', [3600]], ['dead_letters', [null, null, 'unresolved', 20]],
    ['search_outbox_health', []], ['audit_seals', []], ['maintenance_runs', []],
  ];
  const out: string[] = [];
  const answered: Record<string, number> = {};
  for (const [name, params] of queries) {
    try {
      answered[name] = (await runNamed(db, name, params)).length;
    } catch (e) {
      out.push(`forensic query ${name} failed: ${(e as Error).message}`);
    }
  }
  if (webhookId) {
    try {
      const [traceId] = await resolveTraceIds(db, webhookId);
      const timeline = traceId ? await traceTimeline(db, traceId) : [];
      answered.trace_timeline = timeline.length;
      if (timeline.length === 0) out.push(`the drill's event ${webhookId} has no trace timeline`);
    } catch (e) {
      out.push(`the trace of the drill's event ${webhookId} failed: ${(e as Error).message}`);
    }
  }
  return { mismatches: out, detail: { rows: answered } };
}
