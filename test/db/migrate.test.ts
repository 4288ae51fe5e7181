import { randomBytes } from 'node:crypto';
import t from 'tap';
import pg from 'pg';
import fs from 'node:fs';
import { migrate, MIGRATIONS_DIR } from '../../lib/db/index.ts';
import { readCluster, withDatabase } from '../helpers/cluster.ts';

t.test('five workers migrating an empty database at the same moment all succeed, and it is applied once', async (t) => {
  const cluster = await readCluster();
  const name = `ballast_t_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: cluster.adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  t.teardown(async () => { await admin.query(`drop database if exists ${name} with (force)`); await admin.end(); });
  const url = withDatabase(cluster.adminUrl, name);

  const results = await Promise.all(Array.from({ length: 5 }, () => migrate(url)));
  const applied = results.map((r) => r.applied.length);
  t.equal(applied.filter((n) => n > 0).length, 1, 'exactly one caller applied the migrations');
  const files = fs.readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith('.sql')).sort();
  t.same(results.find((r) => r.applied.length)!.applied, files, 'every file in sql/migrations, in order');

  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const { rows } = await c.query('select id, name from public.migrations order by id');
  t.same(rows.map((r) => r.name), ['create-migrations-table', ...files.map((f) => f.replace(/^\d+_|\.sql$/g, ''))]);
  const { rows: [gw] } = await c.query(`select count(*)::int as n from graphile_worker.migrations`);
  t.ok(gw.n > 0, "graphile-worker's schema is installed");
  await c.end();

  t.same((await migrate(url)).applied, [], 'a later run finds nothing to do');
});
