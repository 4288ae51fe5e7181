/**
 * `ballast up` watches the embedded PostgreSQL it started, with real
 * processes on a fresh data dir: a postmaster killed with SIGKILL is started
 * again on the same port (the receiver answers 503 while it is down, the
 * worker reconnects, and an event sent meanwhile completes); a server that
 * cannot be started again makes `up` stop its fleet and exit 1 naming the
 * server's log.
 *
 * Restarts are made to fail by a line PostgreSQL cannot parse in
 * postgresql.conf: a running server does not read the file again, so the
 * break is in place before the kill and nothing races with the watch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t, { type Test } from 'tap';
import { startEmbedded, stopEmbedded } from '../../lib/embedded/index.ts';
import { DEMO_AGENT, sampleEvent, sendWebhook } from '../../lib/ingest/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { waitFor } from '../helpers/wait.ts';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const ppid = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
const postmasterPid = (dataDir: string) => Number(fs.readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);

let dataDirs = 0;

interface Up { child: ChildProcess; output(): string; lines(msg: RegExp): string[] }
const startedChildren = (up: Up) => up.lines(/"child started"/).map((l) => JSON.parse(l) as { child: string; pid: number });

/**
 * `ballast up --workers 1` on its own embedded PostgreSQL in a fresh data
 * dir (the environment's DATABASE_URL and webhook secrets withheld, so it
 * also makes its development secret and demo agent); waits until it is up.
 */
async function upOnFreshDataDir(t: Test): Promise<{ up: Up; dataDir: string; receiverUrl: string }> {
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

/** Makes every start of the server fail until the returned function undoes it. */
function breakConfig(dataDir: string): () => void {
  const file = path.join(dataDir, 'pg', 'postgresql.conf');
  const good = fs.readFileSync(file, 'utf8');
  fs.appendFileSync(file, '\nthis line is not a setting\n');
  return () => fs.writeFileSync(file, good);
}

t.test('a killed embedded PostgreSQL is restarted: 503 while it is down, then the event sent meanwhile completes', async (t) => {
  const { up, dataDir, receiverUrl } = await upOnFreshDataDir(t);
  const logFile = path.join(dataDir, 'pg.log');
  const killed = postmasterPid(dataDir);
  t.equal(ppid(killed), up.child.pid, 'the postmaster is a child of up');
  const children = startedChildren(up);

  const repair = breakConfig(dataDir);
  process.kill(killed, 'SIGKILL');
  await waitFor('up to fail a restart', async () => up.lines(/did not restart \(attempt 1\)/).length > 0, { timeoutMs: 60_000, intervalMs: 50 });
  const exited = up.lines(/exited unexpectedly/);
  t.equal(exited.length, 1, 'one line says the server died');
  t.match(JSON.parse(exited[0]!), { level: 50, signal: 'SIGKILL', log: logFile,
    msg: `embedded PostgreSQL (pid ${killed}) exited unexpectedly (killed by SIGKILL); restarting it in 1 s; its log: ${logFile}` }, 'an error naming the log');

  const secret = (JSON.parse(fs.readFileSync(path.join(dataDir, 'dev-webhook-secrets.json'), 'utf8')) as { telephony: string }).telephony;
  const send = () => sendWebhook({ url: receiverUrl, source: 'telephony', secret, payload: sampleEvent(DEMO_AGENT.phone_number), webhookId: 'msg_pg_restart' });
  const down = await send();
  t.equal(down.status, 503, 'the receiver answers 503 while the database is down');
  t.ok(down.retryAfter, 'with Retry-After');

  repair();
  await waitFor('the server to be back', async () => up.lines(/"embedded PostgreSQL is back/).length > 0, { timeoutMs: 60_000, intervalMs: 50 });
  const restarted = postmasterPid(dataDir);
  t.not(restarted, killed, 'a new postmaster');
  t.equal(ppid(restarted), up.child.pid, 'also a child of up');
  // The provider retries a 503; the receiver's next connection reaches the restarted server.
  const accepted = await waitFor('the receiver to accept the event', async () => { const r = await send(); return r.status === 503 ? null : r; },
    { timeoutMs: 30_000, intervalMs: 200 });
  t.equal(accepted.status, 200, 'accepted once the server is back');

  const server = await startEmbedded({ dataDir });
  t.notOk(server.startedHere, 'the test finds the server up restarted, on the port up printed');
  const db = new pg.Client({ connectionString: server.url });
  db.on('error', () => undefined); // the server going away ends it
  await db.connect();
  await waitFor('the event to complete', async () => {
    const { rows: [r] } = await db.query(`select status from ingest.webhook_events where webhook_id = 'msg_pg_restart'`);
    return r?.status === 'completed';
  }, { timeoutMs: 90_000, intervalMs: 100 });
  await db.end();
  t.same(startedChildren(up), children, 'no child was restarted: the receiver and the worker reconnected');

  up.child.kill('SIGTERM');
  const [code] = await once(up.child, 'exit');
  t.equal(code, 0, 'up exits 0');
  t.notOk(alive(restarted), 'and stops the server it restarted');
  t.equal(up.lines(/exited unexpectedly/).length, 1, 'a stop on purpose is not a crash');
});

t.test('an embedded PostgreSQL that cannot be restarted: up stops its fleet and exits 1 naming the server log', async (t) => {
  const { up, dataDir } = await upOnFreshDataDir(t);
  const logFile = path.join(dataDir, 'pg.log');
  const children = startedChildren(up);
  breakConfig(dataDir);
  process.kill(postmasterPid(dataDir), 'SIGKILL');

  await waitFor('up to give up and exit', async () => up.child.exitCode !== null || up.child.signalCode !== null, { timeoutMs: 180_000, intervalMs: 100 });
  t.equal(up.child.exitCode, 1, 'up exits 1');
  t.equal(up.lines(/did not restart \(attempt \d\)/).length, 5, 'after 5 restarts');
  t.equal(up.output().trim().split('\n').at(-1),
    `ballast: the embedded PostgreSQL exited and did not come back after 5 restarts within 10 min: read its log ${logFile}, fix what it reports, then run \`ballast up\` again`,
    'its last line names the log');
  t.match(fs.readFileSync(logFile, 'utf8'), /syntax error in file ".*postgresql\.conf"/, 'which says what is wrong');
  t.equal(up.lines(/"child stopped"/).length, children.length, 'every child was stopped');
  for (const c of children) t.notOk(alive(c.pid), `${c.child} is gone`);
  for (const f of ['up.pid', 'receiver.json', 'qdrant/engine.json']) t.notOk(fs.existsSync(path.join(dataDir, f)), `${f} removed`);
});
