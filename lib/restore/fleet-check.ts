/**
 * The drill's proof that the restored database serves: a receiver and a
 * worker, started as real `ballast` processes on it, accept a signed event
 * and complete it. The processes get a scratch data dir and search
 * collection, and no alert sinks, so a restored copy never writes to the
 * production index or pages anyone with the source's alerts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnvironment } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import { freePort } from '../embedded/index.ts';
import { newSecret, sampleEvent, sendWebhook } from '../ingest/index.ts';

const BALLAST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/ballast.js');

/** The number the drill's event is addressed to; the check adds the agent that owns it to the scratch copy. */
export const DRILL_AGENT = { agent_id: 'agent_restore_drill', user_id: 'user_restore_drill', phone_number: '+15555550186' };

/** Variables a drill's processes must not inherit: they would reach the production sinks and index. */
const WITHHELD = ['BALLAST_ALERT_WEBHOOK_URL', 'BALLAST_ALERT_WEBHOOK_SECRET', 'BALLAST_ALERT_EMAIL_COMMAND', 'BALLAST_PG_PORT', 'TAP'];

export interface FleetCheckOptions {
  /** The restored database, as the login user. */
  url: string;
  /** A pool on it as the owner, which provisions the drill's agent. */
  db: Db;
  /** Scratch data dir (local search engine, redaction key of the processes). */
  dataDir: string;
  /** Scratch search collection. */
  collection: string;
  /** How long the event may take to complete. @defaultValue 120 s */
  timeoutMs?: number;
}

export interface FleetCheckResult {
  ok: boolean;
  webhook_id: string;
  status: string | null;
  mismatches: string[];
}

interface Proc { child: ChildProcess; out: () => string; exited: Promise<unknown> }

function startProcess(args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, [BALLAST, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (c: Buffer) => { out = (out + c).slice(-20_000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  return { child, out: () => out, exited };
}

async function stop(p: Proc): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
  await p.exited;
  clearTimeout(timer);
}

/** Polls `check` until it returns a value or the deadline passes (then null). */
async function poll<T>(check: () => Promise<T | null>, timeoutMs: number): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== null || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function checkFleet(opts: FleetCheckOptions): Promise<FleetCheckResult> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  await opts.db.query(
    `insert into app.agents (agent_id, user_id, phone_number, nickname, provider, provisioned_by)
     values ($1, $2, $3, 'restore drill', 'sample', 'ballast drill restore') on conflict do nothing`,
    [DRILL_AGENT.agent_id, DRILL_AGENT.user_id, DRILL_AGENT.phone_number]);
  const secret = newSecret();
  const port = await freePort();
  const env = childEnvironment({
    DATABASE_URL: opts.url, BALLAST_DATA_DIR: opts.dataDir, BALLAST_SEARCH_COLLECTION: opts.collection,
    BALLAST_WEBHOOK_SECRETS: `telephony=${secret}`, BALLAST_HTTP_HOST: '127.0.0.1', BALLAST_HTTP_PORT: String(port),
    BALLAST_CONCURRENCY: '4', LOG_LEVEL: 'info',
  }, WITHHELD);
  const receiver = startProcess(['ingest'], env);
  const worker = startProcess(['worker'], env);
  const webhookId = `msg_restore_drill_${Date.now().toString(36)}`;
  const fail = (m: string, status: string | null = null): FleetCheckResult => ({ ok: false, webhook_id: webhookId, status, mismatches: [m] });
  try {
    const ready = await poll(async () => {
      for (const [name, p] of [['receiver', receiver], ['worker', worker]] as const) {
        if (p.child.exitCode !== null) return `${name} exited with ${p.child.exitCode}: ${p.out().slice(-1500)}`;
      }
      return receiver.out().includes('receiver listening') && worker.out().includes('worker started') ? 'ready' : null;
    }, 60_000);
    if (ready !== 'ready') return fail(ready ?? 'the receiver and the worker did not start within 60 s');
    const sent = await sendWebhook({ url: `http://127.0.0.1:${port}`, source: 'telephony', secret, payload: sampleEvent(DRILL_AGENT.phone_number), webhookId });
    if (sent.status !== 200) return fail(`the receiver answered ${sent.status} to a signed event: ${JSON.stringify(sent.body).slice(0, 300)}`);
    const status = await poll(async () => {
      const { rows: [r] } = await opts.db.query<{ status: string }>('select status from ingest.webhook_events where webhook_id = $1', [webhookId]);
      return r && ['completed', 'quarantined', 'rejected'].includes(r.status) ? r.status : null;
    }, timeoutMs);
    if (status !== 'completed') return fail(`event ${webhookId} is ${status ?? 'not terminal'} after ${timeoutMs / 1000} s, not completed`, status);
    return { ok: true, webhook_id: webhookId, status, mismatches: [] };
  } finally {
    await Promise.all([stop(receiver), stop(worker)]);
  }
}
