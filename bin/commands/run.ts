/** `ballast worker`, `ballast migrate` (migrations, then the stage registry), `ballast ingest`. */
import { migrate } from '../../lib/db/index.ts';
import { startReceiver, resolveSecrets } from '../../lib/ingest/index.ts';
import { readCrontab, registerStagesAt, startWorker } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { openSession, untilSignal, withSession } from './context.ts';

export async function commandMigrate(): Promise<void> {
  await withSession(async ({ handle }) => {
    const { applied } = await migrate(handle.url);
    await registerStagesAt(handle.url, stages);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });
}

export async function commandWorker(opts: { concurrency?: number; queues?: string[]; migrate: boolean }): Promise<void> {
  const s = await openSession({ poolSize: 2 });
  try {
    if (opts.migrate) {
      await migrate(s.handle.url);
      await registerStagesAt(s.handle.url, stages);
    }
    const worker = await startWorker({
      connectionString: s.handle.url,
      stages,
      config: s.config,
      concurrency: opts.concurrency ?? s.config.BALLAST_CONCURRENCY,
      heartbeatMs: s.config.BALLAST_HEARTBEAT_MS,
      actor: s.config.BALLAST_ACTOR,
      crontab: readCrontab(),
      redactor: s.redactor,
      log: s.log,
      ...(opts.queues ? { queues: opts.queues } : {}),
    });
    await worker.done;
  } finally {
    await s.close();
  }
}

export async function commandIngest(opts: { port?: number }): Promise<void> {
  const s = await openSession({ poolSize: 10 });
  try {
    const { secrets } = await resolveSecrets(s.config);
    const receiver = await startReceiver({
      db: s.db, secrets, redactor: s.redactor, log: s.log, maxBodyBytes: s.config.BALLAST_MAX_BODY_BYTES,
      host: s.config.BALLAST_HTTP_HOST, port: opts.port ?? s.config.BALLAST_HTTP_PORT,
    });
    s.log.info({ url: receiver.url, sources: [...secrets.keys()] }, 'receiver listening');
    await untilSignal();
    await receiver.close();
  } finally {
    await s.close();
  }
}
