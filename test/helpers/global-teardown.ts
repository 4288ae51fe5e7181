/** Runs once after the suite (tap `after`): drops test databases, stops the embedded server. */
import fs from 'node:fs/promises';
import pg from 'pg';
import { stopEmbedded } from '../../lib/embedded/index.ts';
import { ENV_FILE, TEST_DATA_DIR, readCluster } from './cluster.ts';

const info = await readCluster().catch(() => null);
if (info) {
  const admin = new pg.Client({ connectionString: info.adminUrl });
  await admin.connect();
  const { rows } = await admin.query(`select datname from pg_database where datname like $2 or datname = $1`, [info.template, `${info.template.replace('ballast_test_template_', 'ballast_t_')}_%`]);
  for (const { datname } of rows) {
    await admin.query(`drop database if exists ${admin.escapeIdentifier(datname)} with (force)`).catch(() => undefined);
  }
  await admin.end();
  if (info.embedded) await stopEmbedded(TEST_DATA_DIR);
  await fs.rm(ENV_FILE, { force: true });
}
