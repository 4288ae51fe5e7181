/**
 * The test cluster: one PostgreSQL server for the whole run (embedded, or the
 * server behind DATABASE_URL), with a migrated template database that every
 * test file clones.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where the embedded test server lives; override to run two suites side by side. */
export const TEST_DATA_DIR = path.resolve(process.env.BALLAST_TEST_DATA_DIR ?? path.join(ROOT, '.ballast', 'test'));
export const ENV_FILE = path.join(TEST_DATA_DIR, 'cluster.json');
/** Per data dir, so two suites sharing one DATABASE_URL server do not collide. */
export const TEMPLATE_DB = `ballast_test_template_${path.basename(TEST_DATA_DIR).replace(/[^a-z0-9]/gi, '').toLowerCase()}`;

export interface ClusterInfo {
  /** Connection string to a maintenance database on the test server. */
  adminUrl: string;
  template: string;
  embedded: boolean;
}

export async function readCluster(): Promise<ClusterInfo> {
  try {
    return JSON.parse(await fs.readFile(ENV_FILE, 'utf8'));
  } catch {
    throw new Error(`no test cluster: run the suite with \`npm test\` (tap runs test/helpers/global-setup.ts first)`);
  }
}

/** `url` with its database name replaced. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
