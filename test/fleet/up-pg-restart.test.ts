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
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { startEmbedded, stopEmbedded } from '../../lib/embedded/index.ts';
import { DEMO_AGENT, sampleEvent, sendWebhook } from '../../lib/ingest/index.ts';
import { alive, postmasterPid, ppid, startedChildren, upOnFreshDataDir } from '../helpers/up.ts';
import { waitFor } from '../helpers/wait.ts';

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
