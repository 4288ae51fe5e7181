import { randomBytes } from 'node:crypto';
import t from 'tap';
import pg from 'pg';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, MigrationHistoryError, MIGRATIONS_DIR } from '../../lib/db/index.ts';
import { readCluster, withDatabase } from '../helpers/cluster.ts';
import { emptyDatabase } from '../helpers/upgrade.ts';

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

t.test('an applied migration that was edited afterwards is refused, naming the file, before anything runs', async (t) => {
  const { url, drop } = await emptyDatabase('ballast_t_edited');
  t.teardown(drop);
  const dir = await copyOfMigrations(t);
  await migrate(url, { dir });
  const first = fs.readdirSync(dir).sort()[0]!;
  fs.appendFileSync(path.join(dir, first), '\n-- an edit after the fact\n');
  fs.writeFileSync(path.join(dir, nextFile(dir, 'late')), 'create table public.should_not_exist (id int);\n');

  const e = await migrate(url, { dir }).then(() => null, (e: Error) => e);
  t.type(e, MigrationHistoryError);
  t.match(e?.message, new RegExp(`${first} \\(edited after it was applied\\)`));
  t.match(e?.message, /nothing was changed/);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  t.equal((await c.query(`select to_regclass('public.should_not_exist') as r`)).rows[0].r, null, 'the new file did not run');
  await c.end();
});

t.test('a database migrated by a newer ballast (migrations past the last file) is accepted and left alone', async (t) => {
  const { url, drop } = await emptyDatabase('ballast_t_newer');
  t.teardown(drop);
  const dir = await copyOfMigrations(t);
  fs.writeFileSync(path.join(dir, nextFile(dir, 'newer')), 'create table public.newer_feature (id int);\n');
  t.ok((await migrate(url, { dir })).applied.length > 0);
  t.same((await migrate(url)).applied, [], 'the older files find nothing to do');
});

async function copyOfMigrations(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-migrations-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const f of fs.readdirSync(MIGRATIONS_DIR)) fs.copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  return dir;
}

/** The file name that follows the last migration in `dir`. */
function nextFile(dir: string, name: string): string {
  const last = Math.max(...fs.readdirSync(dir).map((f) => Number.parseInt(f, 10)).filter(Number.isFinite));
  return `${String(last + 1).padStart(3, '0')}_${name}.sql`;
}
