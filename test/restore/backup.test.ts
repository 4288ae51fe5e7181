/**
 * `ballast backup` where it cannot run: the embedded PostgreSQL ships no
 * pg_dump, and a pg_dump older than the server cannot read it. Both say
 * exactly what to set, instead of failing obscurely.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { BackupToolError, checkTool, toolMajor } from '../../lib/restore/index.ts';
import { ROOT, TEST_DATA_DIR } from '../helpers/cluster.ts';

const run = promisify(execFile);

t.test('on the embedded server, `ballast backup` says it ships no pg_dump and names PG_DUMP, PG_RESTORE and DATABASE_URL', async (t) => {
  const dir = `${TEST_DATA_DIR}-backup-${randomBytes(3).toString('hex')}`;
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, BALLAST_DATA_DIR: dir, PG_DUMP: path.join(dir, 'no-such-pg_dump'), TAP: '', LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const err = await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'backup', '--out', path.join(dir, 'out')], { cwd: ROOT, env })
    .then(() => null, (e) => e as { code: number; stderr: string });
  t.equal(err?.code, 1, 'exits 1');
  t.match(err?.stderr, new RegExp(
    '^ballast: backups need pg_dump and pg_restore of PostgreSQL (\\d+) or newer \\(the server\'s version\\): ' +
    'the embedded PostgreSQL \\1 ships no pg_dump or pg_restore, and PG_DUMP \\(.*no-such-pg_dump\\) was not found or did not run\\. ' +
    'Set PG_DUMP and PG_RESTORE to PostgreSQL \\1\'s client tools \\(e\\.g\\. /usr/lib/postgresql/\\1/bin/pg_dump\\), ' +
    'or set DATABASE_URL to a server your tools can read\\.\\n$'));
  t.notOk(await fs.stat(path.join(dir, 'out')).catch(() => null), 'nothing was written');
});

t.test('a pg_dump older than the server is refused, naming both versions', async (t) => {
  const dir = `${TEST_DATA_DIR}-oldtool-${randomBytes(3).toString('hex')}`;
  await fs.mkdir(dir, { recursive: true });
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const old = path.join(dir, 'pg_dump');
  await fs.writeFile(old, '#!/bin/sh\necho "pg_dump (PostgreSQL) 12.22"\n', { mode: 0o755 });
  t.equal(await toolMajor(old), 12);
  await t.rejects(checkTool(old, 'PG_DUMP', 15, false), new BackupToolError(
    `backups need pg_dump and pg_restore of PostgreSQL 15 or newer (the server's version): PG_DUMP (${old}) is PostgreSQL 12's, older than the server. ` +
    'Set PG_DUMP and PG_RESTORE to PostgreSQL 15\'s client tools (e.g. /usr/lib/postgresql/15/bin/pg_dump), or set DATABASE_URL to a server ' +
    'your tools can read (PostgreSQL 12 or older).'));
  t.same(await checkTool(old, 'PG_DUMP', 12, false), { bin: old, major: 12 });
});
