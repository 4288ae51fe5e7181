/** `ballast up` (what `npm start` runs). */
import fs from 'node:fs/promises';
import os from 'node:os';
import { loadConfig, type Config } from '../../lib/config/index.ts';
import { freePort, watchEmbedded, type Postmaster } from '../../lib/embedded/index.ts';
import { checkPortFree, claimDataDir, supervise, WORKER_NODE_ARGS, type Supervisor } from '../../lib/fleet/index.ts';
import { migrate } from '../../lib/db/index.ts';
import { ensureDemoAgent, receiverFile, resolveSecrets } from '../../lib/ingest/index.ts';
import { registerStagesAt } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { startRecordedEngine, type LocalEngine } from '../../lib/search/index.ts';
import { openSession, untilSignal } from './context.ts';

/** True if ballast's receiver answers at `url`: GET /healthz gives 200 `{"ok":true}` (another program's answer does not count). */
const receiverAnswers = (url: string): Promise<boolean> => fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5000) })
  .then(async (r) => r.status === 200 && ((await r.json()) as { ok?: unknown }).ok === true)
  .catch(() => false);

/**
 * Waits until the receiver child answers at `url`. Throws if that child
 * exits first (e.g. another program took the port after `up` checked it),
 * or after `timeoutMs`; gives up quietly once `signal` aborts.
 */
async function receiverReady(url: string, fleet: Supervisor, timeoutMs: number, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted) {
    const receiver = fleet.children().find((c) => c.name === 'receiver')!;
    if (receiver.starts > 1 || receiver.pid === null) {
      throw new Error(`the receiver exited before it answered at ${url} (its error is logged above); if its port is taken, choose another with --port or BALLAST_HTTP_PORT`);
    }
    if (await receiverAnswers(url)) return;
    if (Date.now() > deadline) throw new Error(`the receiver did not answer at ${url} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Migrates, starts the local search engine once (no QDRANT_URL), then runs
 * the receiver (`ballast ingest`) and `workers` worker processes (`ballast
 * worker`) as children: restarted when they die, stopped on SIGTERM/SIGINT.
 * Every child gets DATABASE_URL and QDRANT_URL, so all of them use the same
 * database and the same search engine, as a fleet on several hosts would.
 * An embedded PostgreSQL that `up` started is watched and restarted when it
 * dies (lib/embedded/watch.ts); if it cannot be brought back, `up` stops the
 * fleet and fails with the error naming the server's log.
 *
 * First it claims the data dir (one `up` per data dir: a second one exits
 * at once, touching nothing of the first) and checks that the receiver's
 * port is free, before it starts anything.
 */
export async function commandUp(opts: { concurrency?: number; port?: number; workers?: number }): Promise<void> {
  const config = loadConfig();
  const claim = await claimDataDir(config.dataDir);
  try {
    const port = opts.port ?? config.BALLAST_HTTP_PORT;
    if (port !== 0) await checkPortFree(config.BALLAST_HTTP_HOST, port);
    const failure = await runFleet(config, port === 0 ? await freePort() : port, opts);
    if (failure) throw failure;
  } finally {
    await claim.release();
  }
}

/** Runs until a signal (null) or until the embedded PostgreSQL cannot be brought back (the error to report). */
async function runFleet(config: Config, receiverPort: number, opts: { concurrency?: number; workers?: number }): Promise<Error | null> {
  const s = await openSession({ poolSize: 2, config, childServer: true });
  const watch = s.handle.embedded ? watchEmbedded(s.handle.embedded, { log: s.log }) : null;
  let engine: LocalEngine | null = null;
  let fleet: Supervisor | null = null;
  let record: string | null = null; // receiver.json as this process wrote it
  let failure: Error | null = null; // the embedded PostgreSQL could not be brought back
  const giveUp = new AbortController();
  try {
    const { applied } = await migrate(s.handle.url);
    await registerStagesAt(s.handle.url, stages);
    const { secrets, generated } = await resolveSecrets(s.config); // the receiver child reads the generated file
    const demo = generated ? await ensureDemoAgent(s.db) : false;
    engine = s.config.QDRANT_URL ? null : await startRecordedEngine(s.config);
    const workers = opts.workers ?? os.availableParallelism();
    const concurrency = String(opts.concurrency ?? s.config.BALLAST_CONCURRENCY);
    fleet = supervise([
      { name: 'receiver', args: ['ingest', '--port', String(receiverPort)] },
      ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i + 1}`, args: ['worker', '--concurrency', concurrency], nodeArgs: [...WORKER_NODE_ARGS] })),
    ], {
      env: { DATABASE_URL: s.handle.url, ...(engine ? { QDRANT_URL: engine.url } : {}) },
      log: s.log,
    });
    const host = s.config.BALLAST_HTTP_HOST;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${receiverPort}`;
    // A signal (null), or the watch giving up on the database.
    // A second signal exits at once: the embedded server this process started is told to shut down
    // fast (it would otherwise outlive `up`, and the next `up` would adopt it unwatched).
    const end = Promise.race([untilSignal(() => stopPostmasterNow(s.handle.embedded?.postmaster ?? null)).then(() => null),
      watch?.gaveUp ?? new Promise<never>(() => undefined)]);
    const ready = await Promise.race([receiverReady(url, fleet, 60_000, giveUp.signal).then(() => true), end.then(() => false)]);
    if (!ready) return (failure = await end);
    record = JSON.stringify({ url, pid: process.pid }) + '\n';
    await fs.writeFile(receiverFile(s.config), record);

    const where = s.handle.embedded ? `embedded PostgreSQL on port ${s.handle.embedded.port} (data in ${s.config.dataDir}/pg)` : 'DATABASE_URL';
    console.log([
      '',
      'ballast is up',
      `  database:  ${where}${applied.length ? `, applied ${applied.length} migration(s)` : ''}`,
      `  workers:   ${workers} worker process(es), ${concurrency} jobs each, running ${stages.length} stages (--workers to change)`,
      `  search:    ${engine ? `local Qdrant-compatible engine ${engine.url}, shared by every worker (data in ${s.config.dataDir}/qdrant)` : 'QDRANT_URL'}`,
      `  receiver:  ${url}/webhooks/:source   (sources: ${[...secrets.keys()].join(', ')})`,
      ...(generated ? [`  secrets:   development secret in ${s.config.dataDir}/dev-webhook-secrets.json (set BALLAST_WEBHOOK_SECRETS in production)`] : []),
      ...(demo ? ['  agents:    added the demo agent +15555550100 (agent_demo)'] : []),
      '',
      'Send a signed sample event (in another terminal):',
      '  npx ballast send-sample',
      '',
      'Then read its story:  npx ballast trace <webhook-id printed by send-sample>',
      'Stop with Ctrl-C: in-flight jobs finish first.',
      '',
    ].join('\n'));

    failure = await end;
    if (failure) s.log.error({ log: s.handle.embedded?.logFile }, 'embedded PostgreSQL could not be restarted; stopping the receiver and workers');
    else console.log('stopping: receiver closing, workers finishing in-flight jobs...');
    return failure;
  } finally {
    giveUp.abort();
    // Without a database no job can finish, so no long grace then.
    await fleet?.stop(record && !failure ? 60_000 : 5000);
    await engine?.close();
    await watch?.stop(); // before the server is stopped on purpose
    // Only the receiver.json this process wrote (the data dir claim means no other `up` writes one).
    if (record && await fs.readFile(receiverFile(s.config), 'utf8').catch(() => null) === record) await fs.rm(receiverFile(s.config), { force: true });
    await s.close();
  }
}

/** On a second signal: PostgreSQL's fast shutdown (SIGINT: sessions ended, a clean checkpoint), without waiting. */
function stopPostmasterNow(postmaster: Postmaster | null): void {
  if (!postmaster) return;
  console.error('second signal: exiting now; the embedded PostgreSQL shuts down (fast) on its own');
  try {
    process.kill(postmaster.pid, 'SIGINT');
  } catch {
    // already gone
  }
}
