/**
 * The test cluster: one PostgreSQL server for the whole run (embedded, or the
 * server behind DATABASE_URL), with a migrated template database that every
 * test file clones.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TEST_DATA_DIR = path.join(ROOT, '.ballast', 'test');
export const ENV_FILE = path.join(TEST_DATA_DIR, 'cluster.json');
export const TEMPLATE_DB = 'ballast_test_template';

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
