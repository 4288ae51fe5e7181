import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import t from 'tap';
import pg from 'pg';
import { describeDrift, dumpSchema, normalizeDump, SCHEMA_FILE, SchemaDumpError } from '../../lib/schema/index.ts';
import { readCluster } from '../helpers/cluster.ts';
import { loadConfig } from '../../lib/config/index.ts';

const { PG_DUMP } = loadConfig();

t.test('normalizing drops what varies between machines, not what varies between schemas', async (t) => {
  const raw = '\\restrict abc123\n-- Dumped from database version 15.18\n-- Dumped by pg_dump version 15.18\n\n\n\nCREATE TABLE x (a int);\n\\unrestrict abc123\n';
  t.equal(normalizeDump(raw), '\n\nCREATE TABLE x (a int);\n');
  t.equal(describeDrift('a\nb\nc\n', 'a\nb\nc\n'), '', 'equal texts: no drift');
  t.equal(describeDrift('a\nb\nc\n', 'a\nB\nc\n'), '@@ line 2 @@\n- b\n+ B');
});

// The drift check itself needs a pg_dump at least as new as the server: in CI that is
// the PostgreSQL 15 run (the embedded server is 17; Debian ships pg_dump 15).
const { adminUrl } = await readCluster();
const c = new pg.Client({ connectionString: adminUrl });
await c.connect();
const serverMajor = Math.floor(Number((await c.query('show server_version_num')).rows[0].server_version_num) / 10000);
await c.end();
let toolMajor = 0;
try { toolMajor = Number(/(\d+)/.exec(execFileSync(PG_DUMP, ['--version'], { encoding: 'utf8' }))?.[1]); } catch { /* no pg_dump */ }

t.test('sql/schema.sql is what the migrations build', { skip: toolMajor >= serverMajor ? false : `pg_dump ${toolMajor || 'missing'} cannot read a PostgreSQL ${serverMajor} server` }, async (t) => {
  const fresh = await dumpSchema(adminUrl, PG_DUMP);
  const drift = describeDrift(fs.readFileSync(SCHEMA_FILE, 'utf8'), fresh);
  t.equal(drift, '', 'regenerate with `npx ballast schema dump` (DATABASE_URL on a server pg_dump can read) and commit');
});

t.test('a pg_dump older than the server is refused with a way out', { skip: toolMajor && toolMajor < serverMajor ? false : 'needs a server newer than pg_dump' }, async (t) => {
  await t.rejects(dumpSchema(adminUrl, PG_DUMP), SchemaDumpError);
  await t.rejects(dumpSchema(adminUrl, PG_DUMP), /cannot dump a PostgreSQL \d+ server; set DATABASE_URL/);
});
