/**
 * Runs once before the suite (tap `before`): starts the test server and
 * builds the migrated template database.
 */
import fs from 'node:fs/promises';
import pg from 'pg';
import { migrate } from '../../lib/db/index.ts';
import { startEmbedded } from '../../lib/embedded/index.ts';
import { registerStagesAt } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { ENV_FILE, TEMPLATE_DB, TEST_DATA_DIR, withDatabase, type ClusterInfo } from './cluster.ts';

await fs.mkdir(TEST_DATA_DIR, { recursive: true });
let adminUrl: string;
let embedded = false;
if (process.env.DATABASE_URL) {
  adminUrl = process.env.DATABASE_URL;
} else {
  const server = await startEmbedded({
    dataDir: TEST_DATA_DIR,
    database: 'postgres',
    // Durability is not what these tests measure.
    settings: { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', max_connections: '400' },
  });
  adminUrl = server.adminUrl;
  embedded = true;
}

const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
const { rows: leftovers } = await admin.query(`select datname from pg_database where datname like $2 or datname = $1`, [TEMPLATE_DB, `${TEMPLATE_DB.replace('ballast_test_template_', 'ballast_t_')}_%`]);
for (const { datname } of leftovers) {
  await admin.query(`update pg_database set datistemplate = false where datname = $1`, [datname]).catch(() => undefined);
  await admin.query(`drop database if exists ${admin.escapeIdentifier(datname)} with (force)`);
}
await admin.query(`create database ${admin.escapeIdentifier(TEMPLATE_DB)}`);
await admin.end();

await migrate(withDatabase(adminUrl, TEMPLATE_DB));
await registerStagesAt(withDatabase(adminUrl, TEMPLATE_DB), stages);

const info: ClusterInfo = { adminUrl, template: TEMPLATE_DB, embedded };
await fs.writeFile(ENV_FILE, JSON.stringify(info, null, 2));
