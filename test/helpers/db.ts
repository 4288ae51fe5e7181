/**
 * Each test file gets its own database, cloned from the migrated template,
 * and dropped when the test ends.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { loadConfig } from '../../lib/config/index.ts';
import { Db } from '../../lib/db/index.ts';
import { configureLogging } from '../../lib/log/index.ts';
import { readCluster, withDatabase } from './cluster.ts';

export interface TestDatabase {
  url: string;
  name: string;
  db: Db;
}

interface Teardownable { teardown(fn: () => unknown): void }

// Test files are processes of their own: quiet logs under tap unless LOG_LEVEL asks for them.
configureLogging(loadConfig());

export async function testDatabase(t: Teardownable): Promise<TestDatabase> {
  const cluster = await readCluster();
  const name = `${cluster.template.replace('ballast_test_template_', 'ballast_t_')}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  try {
    for (let tries = 0; ; tries++) {
      try {
        await admin.query(`create database ${admin.escapeIdentifier(name)} template ${admin.escapeIdentifier(cluster.template)}`);
        break;
      } catch (e) {
        // "source database is being accessed by other users": another clone is in progress.
        if ((e as { code?: string }).code !== '55006' || tries > 50) throw e;
        await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
      }
    }
  } finally {
    await admin.end();
  }
  const url = withDatabase(cluster.adminUrl, name);
  const db = new Db({ connectionString: url, max: 10, applicationName: 'ballast test' });
  // Runs after every teardown registered later (tap runs them last-in, first-out):
  // by now the file's workers, receivers and pools are closed, so any
  // connection still open to its database is a leak.
  t.teardown(async () => {
    await db.close().catch(() => undefined);
    const a = new pg.Client({ connectionString: cluster.adminUrl });
    await a.connect();
    try {
      const leaked = await connectionsLeftOpen(a, name);
      await a.query(`drop database if exists ${a.escapeIdentifier(name)} with (force)`).catch(() => undefined);
      if (leaked.length) {
        throw new Error(`connection leak: ${leaked.length} connection(s) to the test database ${name} were still open when the test that made it ended ` +
          `(a Db, pool, client or worker that was never closed): ${leaked.join('; ')}`);
      }
    } finally {
      await a.end();
    }
  });
  return { url, name, db };
}

/**
 * Connections to `database` that outlive a grace period: a closed client's
 * server process may take a moment to leave pg_stat_activity, a leaked one
 * never does. Each is described by application_name, state and its last query.
 */
async function connectionsLeftOpen(admin: pg.Client, database: string, graceMs = 5000): Promise<string[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const { rows } = await admin.query<{ app: string; state: string | null; query: string }>(
      `select application_name as app, state, left(query, 80) as query from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() order by application_name`, [database]);
    if (rows.length === 0 || Date.now() > deadline) {
      return rows.map((r) => `"${r.app || '(no application_name)'}" ${r.state ?? ''}: ${r.query.replace(/\s+/g, ' ').trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
