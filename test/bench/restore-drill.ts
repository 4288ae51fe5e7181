/**
 * `npm run bench:restore`: the restore drill of a generated database of about
 * 1 GB (`--mb`), with its RTO against the issue's target (2 minutes on this
 * machine) and the seed's SLO (60 minutes).
 *
 * The generated rows are shaped like a busy install's: most of the volume is
 * raw webhook bodies and payloads, job attempts (five stages per event) and a
 * sealed audit ledger; a few thousand decisions feed the search check. Rows
 * are written with triggers off (session_replication_role = replica): the
 * bench measures the restore, not the pipeline, and a queue of a million
 * pending jobs would only slow the drill's own worker.
 *
 * pg_dump must match the server: with DATABASE_URL (e.g. .ci/run's PostgreSQL
 * 15) it uses that server; otherwise it starts a server of its own from
 * `--pg-bin` (default PostgreSQL 15's binaries). `--generate-only` leaves the
 * database for `ballast drill restore` (.ci/run's release gate) and prints its URL.
 *
 *   npm run bench:restore -- [--mb 1024] [--decisions 2000] [--audit-rows 50000] [--generate-only --database name] [--pg-bin dir]
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { sealLedger } from '../../lib/audit/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { Db, migrate } from '../../lib/db/index.ts';
import { runDrill, type DrillReport } from '../../lib/restore/index.ts';
import { registerStagesAt } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { ROOT, withDatabase } from '../helpers/cluster.ts';
import { ownServer } from '../helpers/fleet.ts';
import { benchArgs } from './args.ts';

/** What to generate and drill. */
export interface RestoreBenchOptions {
  /** Size of the generated database in MB. @defaultValue 1024 */
  mb?: number;
  /** Interactions with a summary and two claims each (the search check's documents). @defaultValue 2000 */
  decisions?: number;
  /** Sealed audit ledger rows. @defaultValue 50000 */
  auditRows?: number;
  /** Server binaries when there is no DATABASE_URL. @defaultValue `/usr/lib/postgresql/15/bin` */
  pgBin?: string;
  /** The generated database's name (DATABASE_URL only). @defaultValue `ballast_bench_restore_<random>` */
  database?: string;
  /** Generate, leave the database in place, drill nothing. */
  generateOnly?: boolean;
  /** Progress lines. @defaultValue stderr */
  onProgress?: (msg: string) => void;
}

export interface RestoreBenchResult {
  /** The generated database's name. */
  database: string;
  events: number;
  bytes: number;
  generateSeconds: number;
  /** The drill's report (null with generateOnly). */
  report: DrillReport | null;
  /** The drill including its fresh backup. */
  totalSeconds: number;
}

const secs = (t0: number) => (performance.now() - t0) / 1000;

/** Events with their raw body and payload (~1.3 kB of incompressible text each) and five attempts each. */
const EVENTS_SQL = `
with e as (
insert into ingest.webhook_events (source, webhook_id, event_type, received_at, raw_body, payload, trace_id, span_id, correlation_id, status, stages_done, processed_at)
select 'telephony', 'msg_gen_' || g, 'call.completed', now() - make_interval(secs => g), b.body,
       jsonb_build_object('type', 'call.completed', 'data', jsonb_build_object('id', 'call_' || g, 'transcript', b.body)),
       md5('t' || g), left(md5('s' || g), 16), 'telephony:msg_gen_' || g, 'completed',
       array['normalize_event', 'segment_interaction', 'summarize_interaction', 'extract_claims', 'detect_striking'], now()
  from generate_series($1::bigint, $2::bigint) g,
       lateral (select string_agg(md5(g::text || ':' || i), ' ') as body from generate_series(1, 20) i) b
returning source, webhook_id, id, correlation_id, trace_id, received_at
)
-- The inbox's insert trigger is off here, so the cross-partition keys are written as it would.
insert into ingest.webhook_keys (source, webhook_id, event_id, correlation_id, trace_id, received_at, rejected)
select source, webhook_id, id, correlation_id, trace_id, received_at, false from e`;

const ATTEMPTS_SQL = `
insert into ballast.job_attempts (job_id, task, task_version, queue, attempt, max_attempts, trace_id, span_id, correlation_id, worker_id,
                                  status, job_created_at, started_at, heartbeat_at, finished_at)
select g * 5 + s.n, s.task, '1.0.0', null, 1, 25, md5('t' || g), left(md5('a' || g || s.task), 16), 'telephony:msg_gen_' || g,
       'worker-bench', 'succeeded', now() - make_interval(secs => g), now() - make_interval(secs => g), now(), now()
  from generate_series($1::bigint, $2::bigint) g,
       (values (0, 'normalize_event'), (1, 'segment_interaction'), (2, 'summarize_interaction'), (3, 'extract_claims'), (4, 'detect_striking')) s(n, task)`;

const DECISIONS_SQL = `
with i as (
  insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at, duration_seconds, body,
                                trace_id, correlation_id, span_id, produced_by, producer_version)
  select e.id, 'org_bench', 'agent_fleet', 'call', 'inbound', 'call_' || e.id, '+15555550000', '+15555550177', e.received_at, 60, left(e.raw_body, 400),
         e.trace_id, e.correlation_id, e.span_id, 'normalize_event', '1.0.0'
    from ingest.webhook_events e where e.webhook_id like 'msg_gen_%' order by e.id limit $1
  returning id, trace_id, correlation_id, span_id
), s as (
  insert into app.summaries (interaction_id, summary, trace_id, correlation_id, span_id, produced_by, producer_version, model_version)
  select id, 'caller asked about invoice ' || id || ' and a refund', trace_id, correlation_id, span_id, 'summarize_interaction', '1.0.0', 'rules@1'
    from i returning interaction_id
)
insert into app.claims (interaction_id, seq, kind, text, span_seq, trace_id, correlation_id, span_id, produced_by, producer_version, model_version)
select i.id, n, 'refund_request', 'refund of ' || (i.id * n) || ' requested', 0, trace_id, correlation_id, span_id, 'extract_claims', '1.0.0', 'rules@1'
  from i, generate_series(1, 2) n`;

const AUDIT_SQL = `
insert into audit.ledger (actor, db_role, operation, entity_type, entity_id, after_data, trace_id)
select 'bench', 'ballast_worker', 'create', 'app.interactions', g::text, jsonb_build_object('id', g, 'note', md5(g::text)), md5('t' || g)
  from generate_series(1, $1::int) g`;

async function generate(url: string, targetBytes: number, decisions: number, auditRows: number, say: (m: string) => void): Promise<{ events: number; bytes: number; seconds: number }> {
  const t0 = performance.now();
  // Events per insert: about four batches for a small database, at most 20 000 (~110 MB) per batch.
  const BATCH = Math.max(1000, Math.min(20_000, Math.floor(targetBytes / 6000 / 4)));
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // The decisions' agent (ownServer adds it; a DATABASE_URL database has none): foreign keys are checked on restore.
  await c.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('agent_fleet', 'user_fleet', '+15555550177', 'org_bench')
                 on conflict do nothing`);
  await c.query(`set session_replication_role = replica`);
  let events = 0;
  let bytes = 0;
  while (bytes < targetBytes) {
    await c.query(EVENTS_SQL, [events + 1, events + BATCH]);
    await c.query(ATTEMPTS_SQL, [events + 1, events + BATCH]);
    events += BATCH;
    bytes = Number((await c.query('select pg_database_size(current_database()) as b')).rows[0].b);
    say(`generated ${events} events, ${(bytes / 1048576).toFixed(0)} MB`);
  }
  await c.query(DECISIONS_SQL, [decisions]);
  await c.query(AUDIT_SQL, [auditRows]);
  await c.query('vacuum analyze');
  bytes = Number((await c.query('select pg_database_size(current_database()) as b')).rows[0].b);
  await c.end();
  const db = new Db({ connectionString: url, max: 1 });
  await sealLedger(db);
  await db.close();
  return { events, bytes, seconds: secs(t0) };
}

/** Generates a database, then (unless generateOnly) drills it as `ballast drill restore` does; drops it afterwards. */
export async function benchRestoreDrill(opts: RestoreBenchOptions = {}): Promise<RestoreBenchResult> {
  const say = opts.onProgress ?? ((m: string) => process.stderr.write(`${m}\n`));
  const pgBin = opts.pgBin ?? '/usr/lib/postgresql/15/bin';
  const dir = path.join(ROOT, '.ballast', `bench-restore-${randomBytes(3).toString('hex')}`);
  let url: string;
  let cleanup: () => Promise<void>;
  const env: NodeJS.ProcessEnv = { ...process.env, BALLAST_DATA_DIR: path.join(dir, 'data') };
  if (process.env.DATABASE_URL) {
    const admin = process.env.DATABASE_URL;
    const name = opts.database ?? `ballast_bench_restore_${randomBytes(4).toString('hex')}`;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`--database ${name}: expected a lowercase identifier`);
    const c = new pg.Client({ connectionString: admin });
    await c.connect();
    await c.query(`create database ${name}`);
    await c.end();
    url = withDatabase(admin, name);
    await migrate(url);
    await registerStagesAt(url, stages);
    cleanup = async () => {
      const a = new pg.Client({ connectionString: admin });
      await a.connect();
      await a.query(`drop database if exists ${name} with (force)`);
      await a.end();
    };
  } else {
    const server = await ownServer(path.join(dir, 'db'), pgBin);
    url = server.url;
    Object.assign(env, { PG_DUMP: path.join(pgBin, 'pg_dump'), PG_RESTORE: path.join(pgBin, 'pg_restore') });
    cleanup = () => server.remove();
  }
  try {
    const g = await generate(url, (opts.mb ?? 1024) * 1024 * 1024, opts.decisions ?? 2000, opts.auditRows ?? 50_000, say);
    const database = new URL(url).pathname.slice(1);
    if (opts.generateOnly) return { database, events: g.events, bytes: g.bytes, generateSeconds: g.seconds, report: null, totalSeconds: 0 };
    const t0 = performance.now();
    const report = await runDrill({ config: loadConfig(env), sourceUrl: url, onProgress: say });
    return { database, events: g.events, bytes: g.bytes, generateSeconds: g.seconds, report, totalSeconds: secs(t0) };
  } finally {
    if (!opts.generateOnly) {
      await cleanup();
      await fs.rm(dir, { recursive: true, force: true });
    }
  }
}

async function main(): Promise<void> {
  const args = benchArgs('bench:restore', 'Generates a database and runs the restore drill on it (docs/performance.md, "bench:restore method").', {
    mb: { type: 'string', default: '1024' },
    decisions: { type: 'string', default: '2000' },
    'audit-rows': { type: 'string', default: '50000' },
    'generate-only': { type: 'boolean', default: false },
    'pg-bin': { type: 'string', default: '/usr/lib/postgresql/15/bin' },
    database: { type: 'string' },
  });
  const r = await benchRestoreDrill({
    mb: Number(args.mb), decisions: Number(args.decisions), auditRows: Number(args['audit-rows']), pgBin: args['pg-bin'],
    generateOnly: args['generate-only'], ...(args.database ? { database: args.database } : {}),
  });
  if (!reportRestoreBench(r)) process.exitCode = 1;
}

/** Prints a restore bench's result; returns whether the drill passed (true when only generated). */
export function reportRestoreBench(r: RestoreBenchResult): boolean {
  const mb = (r.bytes / 1048576).toFixed(0);
  console.log(`generated: ${r.events} events, ${mb} MB in ${r.generateSeconds.toFixed(1)} s`);
  if (!r.report) {
    console.log(`left in place: database ${r.database}`);
    return true;
  }
  const report = r.report;
  console.log(JSON.stringify(report.checks.map((c) => ({ name: c.name, status: c.status, seconds: c.seconds, mismatches: c.mismatches.slice(0, 3) }))));
  console.log(`restore drill of ${mb} MB: ${report.status}, ${report.mismatches} mismatch(es); ` +
    `RTO ${report.rto_seconds.toFixed(1)} s (target 120 s: ${(report.rto_seconds / 120).toFixed(2)}x; seed SLO 3600 s: ${(report.rto_seconds / 3600).toFixed(3)}x); ` +
    `with the fresh backup ${r.totalSeconds.toFixed(1)} s`);
  return report.status === 'passed';
}

// Run as a script (npm run bench:restore); bench:archive imports benchRestoreDrill.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
