/** `ballast up` (what `npm start` runs). */
import fs from 'node:fs/promises';
import os from 'node:os';
import { freePort } from '../../lib/embedded/index.ts';
import { supervise, WORKER_NODE_ARGS } from '../../lib/fleet/index.ts';
import { migrate } from '../../lib/db/index.ts';
import { ensureDemoAgent, receiverFile, resolveSecrets } from '../../lib/ingest/index.ts';
import { registerStagesAt } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { startRecordedEngine } from '../../lib/search/index.ts';
import { openSession, untilSignal } from './context.ts';

/** Waits until something answers HTTP at `url` (any status), or throws after `timeoutMs`. */
async function answering(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await fetch(url).then(() => true, () => false)) return;
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
 */
export async function commandUp(opts: { concurrency?: number; port?: number; workers?: number }): Promise<void> {
  const s = await openSession({ poolSize: 2 });
  try {
    const { applied } = await migrate(s.handle.url);
    await registerStagesAt(s.handle.url, stages);
    const { secrets, generated } = await resolveSecrets(s.config); // the receiver child reads the generated file
    const demo = generated ? await ensureDemoAgent(s.db) : false;
    const engine = s.config.QDRANT_URL ? null : await startRecordedEngine(s.config);
    const workers = opts.workers ?? os.availableParallelism();
    const port = opts.port ?? s.config.BALLAST_HTTP_PORT;
    const receiverPort = port === 0 ? await freePort() : port;
    const concurrency = String(opts.concurrency ?? s.config.BALLAST_CONCURRENCY);
    const fleet = supervise([
      { name: 'receiver', args: ['ingest', '--port', String(receiverPort)] },
      ...Array.from({ length: workers }, (_, i) => ({ name: `worker-${i + 1}`, args: ['worker', '--concurrency', concurrency], nodeArgs: [...WORKER_NODE_ARGS] })),
    ], {
      env: { DATABASE_URL: s.handle.url, ...(engine ? { QDRANT_URL: engine.url } : {}) },
      log: s.log,
    });
    const host = s.config.BALLAST_HTTP_HOST;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${receiverPort}`;
    const stopped = untilSignal();
    try {
      await Promise.race([answering(`${url}/healthz`, 60_000), stopped]);
    } catch (e) {
      await fleet.stop(5000);
      await engine?.close();
      throw e;
    }
    await fs.writeFile(receiverFile(s.config), JSON.stringify({ url, pid: process.pid }) + '\n');

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

    await stopped;
    console.log('stopping: receiver closing, workers finishing in-flight jobs...');
    await fleet.stop(60_000);
    await engine?.close();
    await fs.rm(receiverFile(s.config), { force: true });
  } finally {
    await s.close();
  }
}
