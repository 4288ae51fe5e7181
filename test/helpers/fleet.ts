/**
 * A fleet on a PostgreSQL server of its own, for crash and restart
 * scenarios (test/stage/restart.test.ts, `npm run chaos`): the server, which
 * can be restarted under load; receiver and worker processes started with the
 * `ballast` command; signed events sent the way a provider sends them
 * (retrying a 503 after its Retry-After); and the checks that say nothing was
 * lost, stuck or duplicated.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { migrate, Db } from '../../lib/db/index.ts';
import { freePort, startEmbedded, stopEmbedded } from '../../lib/embedded/index.ts';
import { newSecret, sampleEvent, sendWebhook } from '../../lib/ingest/index.ts';
import { runNamed } from '../../lib/forensics/index.ts';
import { WORKER_NODE_ARGS } from '../../lib/fleet/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { startRecordedEngine } from '../../lib/search/index.ts';
import { registerStagesAt } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { ROOT } from './cluster.ts';
import { waitFor } from './wait.ts';

export const FLEET_AGENT = '+15555550177';

export interface OwnServer {
  url: string;
  dataDir: string;
  /** Stops the server (fast shutdown: every connection is cut). */
  down(): Promise<void>;
  /** Starts it again on the same port and data. */
  up(): Promise<void>;
  /** Stops it and removes its data. */
  remove(): Promise<void>;
}

/**
 * A migrated server on its own data dir, so restarting it disturbs no other
 * test. `binDir` picks another PostgreSQL's binaries (e.g. 15's).
 */
export async function ownServer(dataDir: string, binDir?: string, settings: Record<string, string> = {}): Promise<OwnServer> {
  await stopEmbedded(dataDir, binDir).catch(() => undefined);
  await fs.rm(dataDir, { recursive: true, force: true });
  const port = await freePort();
  // A fast shutdown checkpoints, so durability settings do not matter to a restart.
  const opts = { dataDir, port, binDir, database: 'ballast', settings: { fsync: 'off', full_page_writes: 'off', ...settings } };
  const server = await startEmbedded(opts);
  await migrate(server.url);
  await registerStagesAt(server.url, stages);
  const db = new Db({ connectionString: server.url, max: 1 });
  await db.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('agent_fleet', 'user_fleet', $1, 'org_fleet')`, [FLEET_AGENT]);
  await db.close();
  return {
    url: server.url,
    dataDir,
    down: () => stopEmbedded(dataDir, binDir),
    up: async () => { await startEmbedded(opts); },
    remove: async () => {
      await stopEmbedded(dataDir, binDir).catch(() => undefined);
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface FleetProcess {
  name: string;
  child: ChildProcess;
  /** Everything it wrote (JSON log lines), also appended to `<logDir>/<name>.log`. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
}

/** Starts `ballast <args>` with the fleet's environment. */
export function spawnBallast(name: string, args: string[], env: Record<string, string>, logDir: string, nodeArgs: readonly string[] = []): FleetProcess {
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/ballast.js'), ...args], {
    cwd: ROOT, env: { ...process.env, TAP: '', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const file = path.join(logDir, `${name}.log`);
  const keep = (c: Buffer) => { out += c; void fs.appendFile(file, c).catch(() => undefined); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })));
  return { name, child, output: () => out, exited };
}

export interface Fleet {
  receiverUrl: string;
  secret: string;
  receiver: FleetProcess;
  workers: FleetProcess[];
  /** SIGTERMs everything still running and waits (SIGKILL after `graceMs`). */
  shutdown(graceMs?: number): Promise<void>;
}

/** A receiver and `workers` worker processes on `url`; resolves once the receiver listens. */
export async function startFleet(url: string, opts: { workers: number; concurrency: number; dataDir: string; logDir: string }): Promise<Fleet> {
  await fs.mkdir(opts.logDir, { recursive: true });
  const secret = newSecret();
  const port = await freePort();
  const env = {
    DATABASE_URL: url, BALLAST_DATA_DIR: opts.dataDir, BALLAST_WEBHOOK_SECRETS: `telephony=${secret}`,
    BALLAST_HTTP_PORT: String(port), BALLAST_CONCURRENCY: String(opts.concurrency),
  };
  // The search engine lives here, not in a worker that a scenario may kill;
  // the workers find it through the data dir (or all use QDRANT_URL's, as under `ballast up`).
  const engine = process.env.QDRANT_URL ? null : await startRecordedEngine(loadConfig({ ...process.env, ...env }));
  const receiver = spawnBallast('receiver', ['ingest'], env, opts.logDir);
  const workers = Array.from({ length: opts.workers }, (_, i) => spawnBallast(`worker-${i + 1}`, ['worker'], env, opts.logDir, WORKER_NODE_ARGS));
  const all = [receiver, ...workers];
  const shutdown = async (graceMs = 30_000) => {
    await Promise.all(all.map(async (p) => {
      if (p.child.exitCode !== null || p.child.signalCode !== null) return;
      p.child.kill('SIGTERM');
      const timer = setTimeout(() => p.child.kill('SIGKILL'), graceMs);
      await p.exited;
      clearTimeout(timer);
    }));
    await engine?.close();
  };
  try {
    await waitFor('the receiver to listen and the workers to start', async () => {
      const dead = all.find((p) => p.child.exitCode !== null);
      if (dead) throw Object.assign(new Error(`${dead.name} exited with ${dead.child.exitCode}:\n${dead.output().slice(-2000)}`), { fatal: true });
      return receiver.output().includes('receiver listening') && workers.every((w) => w.output().includes('worker started'));
    }, { timeoutMs: 60_000, intervalMs: 100 });
  } catch (e) {
    await shutdown(1000);
    throw e;
  }
  return { receiverUrl: `http://127.0.0.1:${port}`, secret, receiver, workers, shutdown };
}

export interface SendTally {
  /** webhook-id of every event the receiver accepted. */
  accepted: Set<string>;
  /** Answers by status (0: no answer, the receiver was unreachable). */
  statuses: Record<number, number>;
  /** 503 answers that carried Retry-After. */
  retryAfter: number;
  /** Milliseconds from sending to the answer, one per attempt. */
  latencyMs: number[];
}

export const newTally = (): SendTally => ({ accepted: new Set(), statuses: {}, retryAfter: 0, latencyMs: [] });

/**
 * Sends `n` signed call events, `parallel` at a time. A 503 is retried after
 * its Retry-After (capped at `maxRetryAfterMs`, to keep runs short), each
 * attempt signed afresh; `onAccepted` sees the running count, and `tally`,
 * when given, fills as answers arrive. Event `i` (from `firstIndex`) has the
 * webhook-id `msg_fleet_<pid>_<i>`. With `ratePerSec`, event `i` is not sent
 * before its slot (`i / ratePerSec` seconds after the start): a fixed rate,
 * as long as `parallel` senders keep up.
 */
export async function sendEvents(receiverUrl: string, secret: string, n: number,
  opts: { parallel?: number; maxRetryAfterMs?: number; onAccepted?: (count: number) => void | Promise<void>; tally?: SendTally; firstIndex?: number; ratePerSec?: number } = {}): Promise<SendTally> {
  const tally: SendTally = opts.tally ?? newTally();
  const first = opts.firstIndex ?? 0;
  let next = first;
  const end = next + n;
  const start = performance.now();
  const one = async (i: number) => {
    const webhookId = `msg_fleet_${process.pid}_${i}`;
    const payload = sampleEvent(FLEET_AGENT);
    if (opts.ratePerSec) {
      const due = start + ((i - first) * 1000) / opts.ratePerSec - performance.now();
      if (due > 0) await new Promise((res) => setTimeout(res, due)); // the sender's schedule, not a wait for a condition
    }
    for (;;) {
      // No answer at all (the receiver is unreachable) counts as status 0 and is retried too.
      const sentAt = performance.now();
      const r = await sendWebhook({ url: receiverUrl, source: 'telephony', secret, payload, webhookId }).catch(() => null);
      tally.latencyMs.push(performance.now() - sentAt);
      const status = r?.status ?? 0;
      tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
      if (status === 200) break;
      if (r && status !== 503) throw new Error(`event ${webhookId}: unexpected ${status} ${JSON.stringify(r.body)}`);
      let wait = 200;
      if (r?.retryAfter != null) {
        tally.retryAfter += 1;
        wait = Math.min(r.retryAfter * 1000, opts.maxRetryAfterMs ?? 1000);
      }
      await new Promise((res) => setTimeout(res, wait)); // the provider's retry delay, not a wait for a condition
    }
    tally.accepted.add(webhookId);
    await opts.onAccepted?.(tally.accepted.size);
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 8 }, async () => {
    while (next < end) await one(next++);
  }));
  return tally;
}

const PIPELINE = ['normalize_event', 'segment_interaction', 'summarize_interaction', 'extract_claims', 'detect_striking'];

export interface Verdict { ok: boolean; checks: { name: string; ok: boolean; detail: string }[] }

const DUPLICATES = `
select 'interactions' as output, count(*)::int as n from (select event_id from app.interactions group by 1 having count(*) > 1) d
union all select 'summaries', count(*)::int from (select interaction_id from app.summaries group by 1 having count(*) > 1) d
union all select 'conversation_spans', count(*)::int from (select interaction_id, seq from app.conversation_spans group by 1, 2 having count(*) > 1) d
union all select 'claims', count(*)::int from (select interaction_id, seq from app.claims group by 1, 2 having count(*) > 1) d
union all select 'striking_flags', count(*)::int from (select interaction_id, seq from app.striking_flags group by 1, 2 having count(*) > 1) d`;

/** True once every accepted event is terminal and no pipeline job is waiting, running or locked. */
export async function settled(db: Db, accepted: number): Promise<boolean> {
  const { rows: [r] } = await db.query(
    `select (select count(*)::int from ingest.webhook_events where status in ('completed', 'quarantined', 'rejected')) as terminal,
            (select count(*)::int from ballast.queued_jobs
              where (attempts < max_attempts or locked_at is not null)
                and task_identifier = any($1)) as open`, [PIPELINE]);
  return r.terminal >= accepted && r.open === 0;
}

/** The checks `npm run chaos` prints and the restart test asserts. */
export async function verdict(db: Db, accepted: Set<string>): Promise<Verdict> {
  const checks: Verdict['checks'] = [];
  const check = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });

  const { rows: events } = await db.query<{ webhook_id: string; status: string }>('select webhook_id, status from ingest.webhook_events');
  const stored = new Set(events.map((e) => e.webhook_id));
  const lost = [...accepted].filter((id) => !stored.has(id));
  check('every accepted event is stored', lost.length === 0, `${accepted.size} accepted, ${lost.length} missing${lost.length ? `: ${lost.slice(0, 5).join(', ')}` : ''}`);
  const open = events.filter((e) => !['completed', 'quarantined', 'rejected'].includes(e.status));
  const byStatus = Object.entries(events.reduce<Record<string, number>>((m, e) => ({ ...m, [e.status]: (m[e.status] ?? 0) + 1 }), {}));
  check('every event is terminal', open.length === 0, byStatus.map(([s, n]) => `${s} ${n}`).join(', '));

  const dups = (await db.query<{ output: string; n: number }>(DUPLICATES)).rows.filter((r) => r.n > 0);
  check('no output is duplicated', dups.length === 0, dups.length ? dups.map((d) => `${d.output}: ${d.n} keys twice`).join(', ') : 'one row per key in every output table');

  const compliance = await runNamed(db, 'trace_compliance');
  const below = compliance.filter((r) => Number(r.compliance_percent) !== 100);
  const total = compliance.reduce((s, r) => s + Number(r.total_succeeded), 0);
  check('trace compliance is 100%', total > 0 && below.length === 0, `${total} succeeded attempts${below.length ? `; below 100% on ${below.map((r) => r.day).join(', ')}` : ''}`);

  const drops = await runNamed(db, 'silent_drops', [0]);
  check('silent_drops is empty', drops.length === 0, `${drops.length} event(s)`);

  const { rows: locked } = await db.query<{ task_identifier: string; locked_by: string; attempts: number }>(
    `select task_identifier, locked_by, attempts from ballast.queued_jobs
      where locked_at is not null and task_identifier = any($1) order by locked_at`, [PIPELINE]);
  check('no pipeline job is left locked', locked.length === 0, `${locked.length} locked${locked.length ? `: ${locked.slice(0, 5).map((j) => `${j.task_identifier} by ${j.locked_by} (attempt ${j.attempts})`).join(', ')}` : ''}`);
  return { ok: checks.every((c) => c.ok), checks };
}
