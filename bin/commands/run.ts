/** `ballast worker`, `ballast migrate` (migrations, then the stage registry), `ballast ingest`. */
import { migrate, NOT_MIGRATED, withRole, type Db } from '../../lib/db/index.ts';
import { startReceiver, receiverLimits, resolveSecrets } from '../../lib/ingest/index.ts';
import { readCrontab, registerStagesAt, startWorker } from '../../lib/stage/index.ts';
import { closeSearchRuntime } from '../../lib/search/index.ts';
import { stages } from '../../tasks/index.ts';
import { openSession, untilSignal, withSession } from './context.ts';

/**
 * Migrations are their own step (ops/systemd/ballast-migrate.service), run by
 * the login user, which owns the database: workers and receivers never hold
 * the rights to change the schema.
 */
export async function commandMigrate(): Promise<void> {
  await withSession(async ({ handle }) => {
    const { applied } = await migrate(handle.url);
    await registerStagesAt(handle.url, stages);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
  });
}

/** Refuses to start on a database that `ballast migrate` has not prepared. */
async function requireMigrated(db: Db, table: string): Promise<void> {
  const { rows: [r] } = await db.query<{ ok: boolean }>('select to_regclass($1) is not null as ok', [table]);
  if (!r?.ok) throw new Error(NOT_MIGRATED);
}

export async function commandWorker(opts: { concurrency?: number; queues?: string[] }): Promise<void> {
  const s = await openSession({ poolSize: 1 });
  try {
    await requireMigrated(s.db, 'ballast.job_attempts');
    const worker = await startWorker({
      connectionString: withRole(s.handle.url, s.role),
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
    // Declared dead after a long silence, it stopped: exit non-zero so systemd starts a fresh worker.
    if (worker.rescued) process.exitCode = 75;
  } finally {
    // A local search engine this worker started would keep the process alive.
    await closeSearchRuntime(s.config);
    await s.close();
  }
}

export async function commandIngest(opts: { port?: number }): Promise<void> {
  const s = await openSession({ poolSize: 10 });
  try {
    await requireMigrated(s.db, 'ingest.webhook_events');
    const { secrets } = await resolveSecrets(s.config);
    const receiver = await startReceiver({
      db: s.db, secrets, redactor: s.redactor, log: s.log, ...receiverLimits(s.config),
      host: s.config.BALLAST_HTTP_HOST, port: opts.port ?? s.config.BALLAST_HTTP_PORT,
    });
    s.log.info({ url: receiver.url, sources: [...secrets.keys()] }, 'receiver listening');
    await untilSignal();
    await receiver.close();
  } finally {
    await s.close();
  }
}
