/**
 * Shared by the benchmarks: a fresh migrated database on the embedded server
 * (or DATABASE_URL's), and a way to time draining a queue.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { Db, migrate } from '../../lib/db/index.ts';
import { startEmbedded } from '../../lib/embedded/index.ts';
import { ROOT, withDatabase } from '../helpers/cluster.ts';

export async function benchDatabase(): Promise<{ url: string; db: Db; done(): Promise<void> }> {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const server = await startEmbedded({ dataDir: path.join(ROOT, '.ballast', 'bench'), database: 'postgres' });
    adminUrl = server.adminUrl;
    stop = () => server.stop();
    // An interrupted benchmark must not leave its server running: the next run
    // would reuse it with whatever settings it was started with.
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        console.error(`\n${sig}: stopping the benchmark's PostgreSQL`);
        // Its connections are cut while workers use them; we are leaving anyway.
        process.on('uncaughtException', () => undefined);
        void server.stop().finally(() => process.exit(130));
      });
    }
  }
  const name = `ballast_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const url = withDatabase(adminUrl, name);
  await migrate(url);
  const db = new Db({ connectionString: url, max: 4 });
  return {
    url, db,
    async done() {
      await db.close();
      await admin.query(`drop database ${name} with (force)`);
      await admin.end();
      await stop();
    },
  };
}

/**
 * Counts jobs as their task bodies finish, so a benchmark need not poll the
 * queue while it runs: a poll costs server CPU that the side being measured
 * would otherwise have, and costs more the more dead rows the jobs table holds.
 */
export class Countdown {
  private left = 0;
  private resolve: () => void = () => {};
  done: Promise<void> = Promise.resolve();
  /** Starts counting `n` jobs. */
  reset(n: number): void {
    this.left = n;
    this.done = new Promise((r) => { this.resolve = r; });
  }
  tick(): void {
    if (--this.left === 0) this.resolve();
  }
}

/**
 * Resolves when no job is left, with the elapsed milliseconds since `since`.
 * Polls only once every task body has finished (`bodiesDone`), for the jobs'
 * completions and commits still in flight.
 */
export async function drained(db: Db, since: number, bodiesDone: Promise<void>): Promise<number> {
  await bodiesDone;
  for (;;) {
    const { rows: [r] } = await db.query('select exists (select 1 from graphile_worker._private_jobs) as any');
    if (!r.any) return performance.now() - since;
    await new Promise((res) => setTimeout(res, 1));
  }
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
