/**
 * What `ballast up` claims before it starts anything, with real processes:
 * a receiver port another program holds fails at once (non-zero, one line,
 * nothing left behind); one `up` per data dir (a second one exits naming the
 * first's pid and leaves the first's receiver.json and engine.json alone);
 * the pid file of an `up` that died does not block the next one.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { newSecret } from '../../lib/ingest/index.ts';
import { spawnBallast, type FleetProcess } from '../helpers/fleet.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

// The processes' logs (spawnBallast keeps a copy), outside the data dirs the tests look into.
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-up-claims-'));
t.teardown(() => fs.rmSync(logDir, { recursive: true, force: true }));
const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const startedChildren = (p: FleetProcess) => p.output().split('\n').filter((l) => l.includes('"child started"')).map((l) => (JSON.parse(l) as { child_pid: number }).child_pid);
const exited = (p: FleetProcess) => p.child.exitCode !== null || p.child.signalCode !== null;

/** `ballast <args>`; killed (with any child it started) when the test ends. */
function ballast(t: Test, name: string, args: string[], env: Record<string, string>): FleetProcess {
  const p = spawnBallast(name, args, env, logDir);
  t.teardown(async () => {
    if (!exited(p)) {
      p.child.kill('SIGKILL'); // its children see the IPC channel close and stop themselves
      await once(p.child, 'exit');
    }
    for (const pid of startedChildren(p)) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  return p;
}

/** Waits for `p` to exit and returns its exit code; fails if it is still running after the deadline. */
async function exitCode(p: FleetProcess): Promise<number | null> {
  await waitFor(`${p.name} to exit`, async () => exited(p), { timeoutMs: 60_000, intervalMs: 100 });
  return p.child.exitCode;
}

/** Starts `ballast up --workers 1` and waits until it says it is up; returns the process and its receiver's URL. */
async function upAndRunning(t: Test, name: string, env: Record<string, string>) {
  const up = ballast(t, name, ['up', '--workers', '1', '--concurrency', '1', '--port', '0'], env);
  const url = await waitFor(`${name} to say it is up`, async () => {
    if (exited(up)) throw Object.assign(new Error(`${name} exited with ${up.child.exitCode}:\n${up.output().slice(-3000)}`), { fatal: true });
    return /receiver: {2}(http:\/\/\S+)\/webhooks/.exec(up.output())?.[1];
  }, { timeoutMs: 90_000, intervalMs: 100 });
  return { up, url };
}

/** A pid that no process has now: one of a process that has exited. */
async function deadPid(): Promise<number> {
  const p = spawn(process.execPath, ['-e', '']);
  await once(p, 'exit');
  return p.pid!;
}

t.test('a data dir that cannot be created (under /proc): `up`, and a command that opens the database, exit 1 with one line naming it', async (t) => {
  const env = { DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none', BALLAST_DATA_DIR: '/proc/nope/ballast', BALLAST_WEBHOOK_SECRETS: `telephony=${newSecret()}` };
  for (const [name, args] of [['up', ['up', '--workers', '1', '--port', '0']], ['stuck', ['stuck']]] as const) {
    // exitCode's deadline only keeps a hung process from hanging the suite; the assertions are on the code and the line.
    const p = ballast(t, name, [...args], env);
    t.equal(await exitCode(p), 1, `${name} exits 1`);
    t.equal(p.output(), 'ballast: cannot create the directory /proc/nope: ENOENT: no such file or directory\n', `${name}: one line naming the directory`);
  }
});

t.test('a receiver port held by another program: `up` exits non-zero at once, naming the port, and leaves nothing behind', async (t) => {
  const { url } = await testDatabase(t);
  const holder = http.createServer((_req, res) => { res.statusCode = 404; res.end('not ballast'); });
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => holder.close(resolve)));
  const port = (holder.address() as AddressInfo).port;
  const dataDir = t.testdir();

  const up = ballast(t, 'up', ['up', '--workers', '1', '--port', String(port)], { DATABASE_URL: url, BALLAST_DATA_DIR: dataDir, BALLAST_WEBHOOK_SECRETS: `telephony=${newSecret()}` });
  t.equal(await exitCode(up), 1, 'exits 1');
  const lines = up.output().trim().split('\n');
  t.equal(lines.length, 1, 'one line');
  t.match(lines[0], new RegExp(`^ballast: the receiver's port ${port} on 127\\.0\\.0\\.1 is already in use by another program: .*--port or BALLAST_HTTP_PORT$`));
  t.same(startedChildren(up), [], 'no child was started');
  t.same(fs.readdirSync(dataDir), [], 'no file left in the data dir (no up.pid, receiver.json, engine, secrets)');
});

t.test('a second `up` on the same data dir exits non-zero naming the first, which keeps running untouched', async (t) => {
  const { db, url } = await testDatabase(t);
  await addAgent(db);
  const dataDir = t.testdir();
  const env = { DATABASE_URL: url, BALLAST_DATA_DIR: dataDir, BALLAST_WEBHOOK_SECRETS: `telephony=${newSecret()}` };
  const { up: first, url: receiverUrl } = await upAndRunning(t, 'up-1', env);
  const files = () => ({
    receiver: fs.readFileSync(path.join(dataDir, 'receiver.json'), 'utf8'),
    engine: fs.readFileSync(path.join(dataDir, 'qdrant', 'engine.json'), 'utf8'),
  });
  const before = files();
  t.same(JSON.parse(before.receiver), { url: receiverUrl, pid: first.child.pid }, 'receiver.json names the first up');

  const second = ballast(t, 'up-2', ['up', '--workers', '1', '--port', '0'], env);
  t.equal(await exitCode(second), 1, 'the second exits 1');
  t.match(second.output().trim(), new RegExp(`^ballast: another \`ballast up\` \\(pid ${first.child.pid}\\) is running on the data dir ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: stop it first, or set BALLAST_DATA_DIR to another directory`));
  t.notMatch(second.output(), /\n./, 'in one line');
  t.same(startedChildren(second), [], 'the second started no child');

  t.notOk(exited(first), 'the first still runs');
  t.same(files(), before, 'receiver.json and engine.json are those of the first');
  t.equal(fs.readFileSync(path.join(dataDir, 'up.pid'), 'utf8'), `${first.child.pid}\n`, 'up.pid names the first');
  const sample = ballast(t, 'send-sample', ['send-sample', '--to', AGENT_NUMBER], env);
  t.equal(await exitCode(sample), 0, 'send-sample finds the first receiver');
  t.match(sample.output(), `POST ${receiverUrl}/webhooks/telephony -> 200`);

  first.child.kill('SIGTERM');
  t.equal(await exitCode(first), 0, 'the first stops cleanly');
  for (const f of ['receiver.json', 'qdrant/engine.json', 'up.pid']) t.notOk(fs.existsSync(path.join(dataDir, f)), `${f} removed by its owner`);
});

t.test('the pid file of an `up` that died does not block the next one, which takes it over', async (t) => {
  const { url } = await testDatabase(t);
  const dataDir = t.testdir();
  const env = { DATABASE_URL: url, BALLAST_DATA_DIR: dataDir, BALLAST_WEBHOOK_SECRETS: `telephony=${newSecret()}` };
  const dead = await deadPid();
  fs.writeFileSync(path.join(dataDir, 'up.pid'), `${dead}\n`);
  fs.writeFileSync(path.join(dataDir, 'receiver.json'), JSON.stringify({ url: 'http://127.0.0.1:9', pid: dead }) + '\n');

  // What the crashed `up` left names no running receiver.
  const stale = ballast(t, 'send-sample', ['send-sample'], env);
  t.equal(await exitCode(stale), 1, 'send-sample exits 1 on a dead up\'s receiver.json');
  t.match(stale.output(), 'ballast: no running receiver found');

  const { up } = await upAndRunning(t, 'up', env);
  t.equal(fs.readFileSync(path.join(dataDir, 'up.pid'), 'utf8'), `${up.child.pid}\n`, 'up.pid now names the new up');
  up.child.kill('SIGTERM');
  t.equal(await exitCode(up), 0, 'it stops cleanly');
  t.notOk(fs.existsSync(path.join(dataDir, 'up.pid')), 'and removes its pid file');
});
