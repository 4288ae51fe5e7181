/**
 * `ballast reconcile usage` run as an operator runs it: from a file or the
 * HTTP provider, its exit code says clean (0), failed (1) or mismatched (2),
 * and errors say what to fix.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { ACCOUNT, TOKEN, startFakeProvider } from './helpers.ts';

const run = promisify(execFile);
const ballast = (env: Record<string, string>, ...args: string[]) => run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'reconcile', 'usage', ...args],
  { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', USER: 'ops', ...env } });
const exit = (env: Record<string, string>, ...args: string[]) => ballast(env, ...args).then(
  (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
  (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-usage-cli-'));
t.teardown(() => fs.rm(dir, { recursive: true, force: true }));

t.test('--help, and errors before any database is opened', async (t) => {
  const help = (await ballast({}, '--help')).stdout;
  for (const o of ['--day <YYYY-MM-DD>', '--provider <kind>', '--file <path>', '--no-progress', '--json', 'exit 0 clean, 1 failed, 2']) t.match(help, o);
  const env = { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' };
  t.match(await exit(env, '--day', '2026-13-01'), { code: 1, stderr: /"2026-13-01" is not a day; expected YYYY-MM-DD/ });
  t.match(await exit(env), { code: 1, stderr: /the http provider needs BALLAST_USAGE_PROVIDER_URL/ });
  t.match(await exit(env, '--provider', 'file'), { code: 1, stderr: /the file provider needs a file/ });
  t.match(await exit(env, '--provider', 'sftp'), { code: 1, stderr: /argument 'sftp' is invalid/ });
  t.match(await exit({ ...env, BALLAST_USAGE_PROVIDER_URL: 'http://127.0.0.1:1' }, '--day', '2026-03-10'),
    { code: 78, stderr: /BALLAST_USAGE_PROVIDER_ACCOUNT, BALLAST_USAGE_PROVIDER_TOKEN: both required/ });
});

t.test('a file: clean exits 0, mismatches exit 2 and are printed, --json gives the rows', async (t) => {
  const { db, url } = await testDatabase(t);
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('agent_a', 'u', '+15555550161')`);
  const env = { DATABASE_URL: url };
  const empty = path.join(dir, 'empty.csv');
  await fs.writeFile(empty, 'agent_id,calls,call_minutes,sms\n');
  const clean = await exit(env, '--day', '2026-03-10', '--file', empty);
  t.match(clean, { code: 0, stdout: /clean/ });
  const more = path.join(dir, 'more.csv');
  await fs.writeFile(more, 'agent_id,calls,call_minutes,sms\nagent_a,3,7,0\n');
  const mismatched = await exit(env, '--day', '2026-03-10', '--file', more);
  t.match(mismatched, { code: 2, stdout: /mismatched[\s\S]*agent_a[\s\S]*call_minutes[\s\S]*7/ });
  const json = JSON.parse((await exit(env, '--day', '2026-03-10', '--file', more, '--json')).stdout);
  t.match(json, { status: 'mismatched', provider: 'file', source: 'more.csv', mismatches: 2,
    mismatch_rows: [{ agent_id: 'agent_a', unit: 'call_minutes', difference: '7', evidence: { provider_rows: [{ calls: '3' }] } }, { unit: 'calls' }] });
  t.notOk('cause' in json, 'the error object stays in the process');
  const { rows } = await db.query(`select triggered_by, status from app.reconciliation_runs order by id`);
  t.same(rows, [{ triggered_by: 'cli:ops', status: 'clean' }, { triggered_by: 'cli:ops', status: 'mismatched' }, { triggered_by: 'cli:ops', status: 'mismatched' }]);
});

t.test('a file that cannot be read is refused before a run is recorded', async (t) => {
  const { db, url } = await testDatabase(t);
  const missing = path.join(dir, 'nonexistent.csv');
  t.match(await exit({ DATABASE_URL: url }, '--day', '2026-03-10', '--file', missing),
    { code: 1, stderr: `ballast: cannot read --file ${missing} (ENOENT): give the path of a CSV or JSON usage export` });
  t.match(await exit({ DATABASE_URL: url }, '--day', '2026-03-10', '--file', dir),
    { code: 1, stderr: `ballast: cannot read --file ${dir} (not a file)` });
  t.same((await db.query('select id from app.reconciliation_runs')).rows, [], 'no failed run for a wrong path');
});

t.test('the HTTP provider: a clean day exits 0; a provider in trouble (503) fails the run, exit 1, with the reason and no token', async (t) => {
  const { db, url } = await testDatabase(t);
  const provider = await startFakeProvider(t);
  const env = { DATABASE_URL: url, BALLAST_USAGE_PROVIDER_URL: provider.url, BALLAST_USAGE_PROVIDER_ACCOUNT: ACCOUNT, BALLAST_USAGE_PROVIDER_TOKEN: TOKEN };
  t.match(await exit(env, '--day', '2026-03-10'), { code: 0, stdout: /clean/ });
  // On a terminal (script(1) gives it one), a progress bar on stderr: pages read, then the comparison.
  const tty = await run('script', ['-qec', `${process.execPath} bin/ballast.js reconcile usage --day 2026-03-10`, '/dev/null'],
    { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn', USER: 'ops' } });
  t.match(tty.stdout, /reconcile usage 2026-03-10 .* 3\/3 done/);
  t.match(tty.stdout, /clean/);
  provider.usage.set('2026-03-11', { status: 503 });
  const failed = await exit(env, '--day', '2026-03-11');
  t.match(failed, { code: 1, stderr: /run \d+ failed: DownstreamError: usage provider answered 503/ });
  t.notMatch(failed.stdout + failed.stderr, new RegExp(TOKEN));
  t.same((await db.query(`select usage_day::text, status from app.reconciliation_runs order by id`)).rows,
    [{ usage_day: '2026-03-10', status: 'clean' }, { usage_day: '2026-03-10', status: 'clean' }, { usage_day: '2026-03-11', status: 'failed' }]);
});
