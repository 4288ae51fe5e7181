import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from './helpers/cluster.ts';
import path from 'node:path';
import { loadConfig, ConfigError, makeDirectory } from '../lib/config/index.ts';

t.test('defaults need nothing from the environment', async (t) => {
  const c = loadConfig({});
  t.equal(c.DATABASE_URL, undefined);
  t.equal(c.BALLAST_HTTP_PORT, 8787);
  t.equal(c.BALLAST_CONCURRENCY, 8);
  t.match(c.dataDir, /\.ballast$/);
  t.equal(c.webhookSecrets.size, 0);
});

t.test('errors name the variable', async (t) => {
  t.throws(() => loadConfig({ BALLAST_HTTP_PORT: 'eighty' }), { name: 'ConfigError', message: /BALLAST_HTTP_PORT/ });
  t.throws(() => loadConfig({ DATABASE_URL: 'not a url' }), /DATABASE_URL/);
  // node-postgres ignores the scheme: a mysql:// URL would be tried as PostgreSQL on its host.
  t.throws(() => loadConfig({ DATABASE_URL: 'mysql://u:p@db.example.com/app' }), { name: 'ConfigError', message: /DATABASE_URL: expected a postgres:\/\/ or postgresql:\/\/ URL/ });
  t.equal(loadConfig({ DATABASE_URL: 'postgresql://u@db.example.com/app' }).DATABASE_URL, 'postgresql://u@db.example.com/app');
  // node-postgres takes ?port= over the URL's port, and a bad one left the command exiting silently (its pool never closed).
  t.throws(() => loadConfig({ DATABASE_URL: 'postgres://u@db.example.com/app?port=abc' }), { name: 'ConfigError', message: /DATABASE_URL: its port parameter/ });
  t.throws(() => loadConfig({ DATABASE_URL: 'postgres://u@db.example.com/app?port=70000' }), /DATABASE_URL: its port parameter/);
  t.equal(loadConfig({ DATABASE_URL: 'postgres://u@db.example.com/app?port=6432' }).DATABASE_URL, 'postgres://u@db.example.com/app?port=6432');
  t.throws(() => loadConfig({ BALLAST_CONCURRENCY: '0' }), /BALLAST_CONCURRENCY/);
  t.throws(() => loadConfig({ BALLAST_WEBHOOK_SECRETS: 'telephony' }), ConfigError);
  t.throws(() => loadConfig({ BALLAST_WEBHOOK_SECRETS: 'telephony' }), /BALLAST_WEBHOOK_SECRETS/);
});

t.test('webhook secrets parse as source=secret pairs', async (t) => {
  const c = loadConfig({ BALLAST_WEBHOOK_SECRETS: 'telephony=whsec_abc, docs=s3cr3t=x' });
  t.same([...c.webhookSecrets], [['telephony', 'whsec_abc'], ['docs', 's3cr3t=x']]);
});

t.test('the log level defaults to info, to silent under the test runner, and LOG_LEVEL wins', async (t) => {
  t.equal(loadConfig({}).LOG_LEVEL, 'info');
  t.equal(loadConfig({ TAP: '1' }).LOG_LEVEL, 'silent');
  t.equal(loadConfig({ TAP: '1', LOG_LEVEL: 'debug' }).LOG_LEVEL, 'debug');
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/);
});

t.test('actors, destructive commands, pg_dump and debug come from their variables', async (t) => {
  const none = loadConfig({});
  t.same([none.BALLAST_ACTOR, none.allowDestructive, none.PG_DUMP, none.debug], [undefined, false, 'pg_dump', false]);
  const set = loadConfig({ USER: 'ana', BALLAST_ACTOR: 'deploy-bot', BALLAST_ALLOW_DESTRUCTIVE: '1', PG_DUMP: '/usr/lib/postgresql/15/bin/pg_dump', BALLAST_DEBUG: '1' });
  t.same([set.cliActor, set.BALLAST_ACTOR, set.allowDestructive, set.PG_DUMP, set.debug], ['cli:ana', 'deploy-bot', true, '/usr/lib/postgresql/15/bin/pg_dump', true]);
  t.throws(() => loadConfig({ BALLAST_ALLOW_DESTRUCTIVE: 'yes' }), /BALLAST_ALLOW_DESTRUCTIVE/);
});

// Every variable is read in lib/config, so its validation and documentation are in one place.
t.test('no code outside lib/config reads an environment variable', async (t) => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { ROOT } = await import('./helpers/cluster.ts');
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
      const rel = path.posix.join(dir, e.name);
      if (e.isDirectory()) walk(rel);
      else if (rel.endsWith('.ts') && !rel.startsWith('lib/config/')) {
        fs.readFileSync(path.join(ROOT, rel), 'utf8').split('\n').forEach((line, i) => {
          if (/process\.env\b/.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
        });
      }
    }
  };
  for (const dir of ['lib', 'bin', 'tasks']) walk(dir);
  t.same(found, [], 'read it through loadConfig() (add the variable to the schema in lib/config/index.ts)');
});

t.test('the receiver limits have defaults, and a headers timeout longer than the request timeout is refused', async (t) => {
  const { receiverLimits } = await import('../lib/ingest/index.ts');
  t.same(receiverLimits(loadConfig({})), {
    maxBodyBytes: 1024 * 1024, maxJsonDepth: 64, headersTimeoutMs: 10_000, requestTimeoutMs: 20_000,
    keepAliveTimeoutMs: 5_000, maxConnections: 512, unauthDiagnosticIntervalMs: 60_000,
  });
  t.match(receiverLimits(loadConfig({ BALLAST_HTTP_REQUEST_TIMEOUT_MS: '30000', BALLAST_HTTP_MAX_CONNECTIONS: '64' })), { requestTimeoutMs: 30_000, maxConnections: 64 });
  t.throws(() => loadConfig({ BALLAST_HTTP_HEADERS_TIMEOUT_MS: '25000' }), /BALLAST_HTTP_HEADERS_TIMEOUT_MS: must not exceed BALLAST_HTTP_REQUEST_TIMEOUT_MS/);
  t.throws(() => loadConfig({ BALLAST_MAX_JSON_DEPTH: '0' }), /BALLAST_MAX_JSON_DEPTH/);
});

t.test('alert delivery: the webhook needs its secret; defaults for attempts and backoff', async (t) => {
  const none = loadConfig({});
  t.same([none.BALLAST_ALERT_WEBHOOK_URL, none.BALLAST_ALERT_WEBHOOK_FORMAT, none.BALLAST_ALERT_MAX_ATTEMPTS, none.BALLAST_ALERT_BACKOFF_MS, none.BALLAST_ALERT_BACKOFF_MAX_MS],
    [undefined, 'json', 8, 30_000, 900_000]);
  t.throws(() => loadConfig({ BALLAST_ALERT_WEBHOOK_URL: 'https://hooks.example.com/x' }), { name: 'ConfigError', message: /BALLAST_ALERT_WEBHOOK_SECRET: required/ });
  t.throws(() => loadConfig({ BALLAST_ALERT_WEBHOOK_FORMAT: 'xml' }), /BALLAST_ALERT_WEBHOOK_FORMAT/);
  t.throws(() => loadConfig({ BALLAST_ALERT_MAX_ATTEMPTS: '0' }), /BALLAST_ALERT_MAX_ATTEMPTS/);
  const set = loadConfig({ BALLAST_ALERT_WEBHOOK_URL: 'https://hooks.example.com/x', BALLAST_ALERT_WEBHOOK_SECRET: 'whsec_c2VjcmV0', BALLAST_ALERT_WEBHOOK_FORMAT: 'slack' });
  t.same([set.BALLAST_ALERT_WEBHOOK_URL, set.BALLAST_ALERT_WEBHOOK_FORMAT], ['https://hooks.example.com/x', 'slack']);
});

t.test('the archive store directory: BALLAST_ARCHIVE_DIR, else <BALLAST_DATA_DIR>/archive, as absolute paths', async (t) => {
  const path = await import('node:path');
  t.equal(loadConfig({ BALLAST_DATA_DIR: '/var/lib/ballast' }).archiveDir, '/var/lib/ballast/archive');
  t.equal(loadConfig({ BALLAST_ARCHIVE_DIR: 'arch' }).archiveDir, path.resolve('arch'));
});

t.test('without USER (root shells, cron, containers) the CLI acts as the OS account', async (t) => {
  const account = os.userInfo().username;
  t.equal(loadConfig({}).cliActor, `cli:${account}`, 'the account name, not cli:unknown');
  t.equal(loadConfig({ USER: '' }).cliActor, `cli:${account}`, 'an empty USER is no name either');
});

t.test('a process whose uid has no account acts as cli:unknown (os.userInfo() throws there; loadConfig must not)', {
  skip: process.getuid?.() === 0 ? false : 'running as a uid without an account needs root',
}, async (t) => {
  const taken = new Set(fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':')[2]));
  let uid = 54321;
  while (taken.has(String(uid))) uid++;
  const tmp = t.testdir();
  fs.chmodSync(tmp, 0o777); // tsx keeps its cache under TMPDIR
  const { stdout } = await promisify(execFile)(process.execPath,
    ['--import', 'tsx', '-e', "const { loadConfig } = await import('./lib/config/index.ts'); console.log(loadConfig({}).cliActor)"],
    { cwd: ROOT, uid, gid: uid, env: { PATH: process.env.PATH, TMPDIR: tmp } });
  t.equal(stdout.trim(), 'cli:unknown');
});

t.test('makeDirectory creates the missing levels, and names the one it cannot create', async (t) => {
  const root = t.testdir({ file: 'x' });
  makeDirectory(path.join(root, 'a/b/c'), 0o700);
  t.equal(fs.statSync(path.join(root, 'a/b/c')).mode & 0o777, 0o700, 'each level with the mode');
  t.equal(fs.statSync(path.join(root, 'a')).mode & 0o777, 0o700);
  makeDirectory(path.join(root, 'a/b/c')); // it exists: nothing to do
  t.throws(() => makeDirectory(path.join(root, 'file/d')), { message: `cannot create the directory ${path.join(root, 'file/d')}: ENOTDIR: not a directory` });
  t.throws(() => makeDirectory(path.join(root, 'file')), { message: `${path.join(root, 'file')} is not a directory` });
  t.throws(() => makeDirectory('/proc/nope/deeper'), { message: 'cannot create the directory /proc/nope: ENOENT: no such file or directory' },
    'a parent that refuses children with ENOENT is an error, not a loop');
});
