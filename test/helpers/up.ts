/**
 * `ballast up` as a real process on its own embedded PostgreSQL in a fresh
 * data dir, for the tests of what `up` does with that server
 * (test/fleet/up-pg-*.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { stopEmbedded } from '../../lib/embedded/index.ts';
import { ROOT } from './cluster.ts';
import { waitFor } from './wait.ts';

export const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
export const ppid = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
export const postmasterPid = (dataDir: string) => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

let dataDirs = 0;

export interface Up { child: ChildProcess; output(): string; lines(msg: RegExp): string[] }
/** The children `up` started, by name, with their pids (its log's `child_pid`; `pid` there is up's own). */
export const startedChildren = (up: Up) => up.lines(/"child started"/).map((l) => {
  const { child, child_pid: pid } = JSON.parse(l) as { child: string; child_pid: number };
  return { child, pid };
});

/**
 * `ballast up --workers 1` on its own embedded PostgreSQL in a fresh data
 * dir (the environment's DATABASE_URL and webhook secrets withheld, so it
 * also makes its development secret and demo agent); waits until it is up.
 */
export async function upOnFreshDataDir(t: Test): Promise<{ up: Up; dataDir: string; receiverUrl: string }> {
  // Under the system's temporary directory: run as root, the server's user must reach it. No capital
  // letters in its name, which would make the log's redactor mask the paths as random tokens.
  const dataDir = path.join(os.tmpdir(), `ballast-uppg-${process.pid}-${++dataDirs}`);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { mode: 0o755 });
  const env: NodeJS.ProcessEnv = { ...process.env, TAP: '', LOG_LEVEL: 'info', BALLAST_DATA_DIR: dataDir };
  for (const k of ['DATABASE_URL', 'BALLAST_PG_PORT', 'BALLAST_WEBHOOK_SECRETS']) delete env[k];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'up', '--workers', '1', '--concurrency', '2', '--port', '0'], { cwd: ROOT, env });
  let out = '';
  child.stdout!.on('data', (c) => { out += c; });
  child.stderr!.on('data', (c) => { out += c; });
  const up: Up = { child, output: () => out, lines: (msg) => out.split('\n').filter((l) => msg.test(l)) };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    // Its children stop when their IPC channel closes, unless a stop waits on a dead database; they hold its output pipes.
    for (const c of startedChildren(up)) if (alive(c.pid)) process.kill(c.pid, 'SIGKILL');
    await stopEmbedded(dataDir).catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  const receiverUrl = await waitFor('ballast up to say it is up', async () => {
    if (child.exitCode !== null) throw new Error(`ballast up exited with ${child.exitCode}:\n${out}`);
    return /receiver: {2}(http:\/\/\S+)\/webhooks/.exec(out)?.[1];
  }, { timeoutMs: 120_000, intervalMs: 100 });
  // A worker still starting when the server dies exits and is started again; one that runs reconnects.
  await waitFor('the worker to start', async () => up.lines(/"worker started"/).length > 0, { timeoutMs: 60_000, intervalMs: 100 });
  return { up, dataDir, receiverUrl };
}

