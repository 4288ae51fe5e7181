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
  t.teardown(async () => {
    await db.close().catch(() => undefined);
    const a = new pg.Client({ connectionString: cluster.adminUrl });
    await a.connect();
    await a.query(`drop database if exists ${a.escapeIdentifier(name)} with (force)`).catch(() => undefined);
    await a.end();
  });
  return { url, name, db };
}
