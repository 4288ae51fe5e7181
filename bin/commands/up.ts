/** `ballast up` (what `npm start` runs). */
import fs from 'node:fs/promises';
import { Db, migrate, ROLES, withRole } from '../../lib/db/index.ts';
import { ensureDemoAgent, receiverFile, receiverLimits, resolveSecrets, startReceiver } from '../../lib/ingest/index.ts';
import { readCrontab, registerStagesAt, startWorker } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { startRecordedEngine } from '../../lib/search/index.ts';
import { openSession, untilSignal } from './context.ts';

export async function commandUp(opts: { concurrency?: number; port?: number }): Promise<void> {
  const s = await openSession({ poolSize: 10 });
  try {
    const { applied } = await migrate(s.handle.url);
    await registerStagesAt(s.handle.url, stages);
    const { secrets, generated } = await resolveSecrets(s.config);
    const demo = generated ? await ensureDemoAgent(s.db) : false;
    // No QDRANT_URL: the local Qdrant-compatible engine, which this process's workers and `ballast search` find.
    const engine = s.config.QDRANT_URL ? null : await startRecordedEngine(s.config);
    const worker = await startWorker({
      connectionString: withRole(s.handle.url, ROLES.worker),
      stages,
      config: s.config,
      concurrency: opts.concurrency ?? s.config.BALLAST_CONCURRENCY,
      heartbeatMs: s.config.BALLAST_HEARTBEAT_MS,
      actor: s.config.BALLAST_ACTOR,
      crontab: readCrontab(),
      handleSignals: false,
      redactor: s.redactor,
      log: s.log,
    });
    const ingestDb = new Db({ connectionString: withRole(s.handle.url, ROLES.ingest), max: 10, actor: s.config.BALLAST_ACTOR, applicationName: 'ballast ingest' });
    const receiver = await startReceiver({
      db: ingestDb, secrets, redactor: s.redactor, log: s.log, ...receiverLimits(s.config),
      host: s.config.BALLAST_HTTP_HOST, port: opts.port ?? s.config.BALLAST_HTTP_PORT,
    });
    await fs.writeFile(receiverFile(s.config), JSON.stringify({ url: receiver.url, pid: process.pid }) + '\n');

    const where = s.handle.embedded ? `embedded PostgreSQL on port ${s.handle.embedded.port} (data in ${s.config.dataDir}/pg)` : 'DATABASE_URL';
    console.log([
      '',
      'ballast is up',
      `  database:  ${where}${applied.length ? `, applied ${applied.length} migration(s)` : ''}`,
      `  worker:    ${worker.workerId} running ${stages.length} stages`,
      `  search:    ${engine ? `local Qdrant-compatible engine ${engine.url} (data in ${s.config.dataDir}/qdrant)` : 'QDRANT_URL'}`,
      `  receiver:  ${receiver.url}/webhooks/:source   (sources: ${[...secrets.keys()].join(', ')})`,
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

    await untilSignal();
    console.log('stopping: receiver closed, finishing in-flight jobs...');
    await receiver.close();
    await ingestDb.close();
    await worker.stop();
    await worker.done;
    await engine?.close();
    await fs.rm(receiverFile(s.config), { force: true });
  } finally {
    await s.close();
  }
}
