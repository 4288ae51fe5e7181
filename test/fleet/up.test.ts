/**
 * `ballast up --workers 2` with real processes: a receiver and two worker
 * children sharing the one search engine that `ballast up` serves; a signed
 * event runs through every stage and is indexed; a worker killed with
 * SIGKILL is started again; SIGTERM stops every child and `up` exits 0.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { WORKER_NODE_ARGS } from '../../lib/fleet/index.ts';
import { newSecret, sampleEvent, sendWebhook } from '../../lib/ingest/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
const ppid = (pid: number) => Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
const environ = (pid: number) => new Map(fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean)
  .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)] as [string, string]));
/** Pids of the processes whose parent is `pid`. */
const childrenOf = (pid: number) => fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number)
  .filter((p) => { try { return ppid(p) === pid; } catch { return false; } });

t.test('`ballast up --workers 2` runs a receiver and two workers on one shared search engine', async (t) => {
  const { db, url } = await testDatabase(t);
  await addAgent(db);
  const dataDir = t.testdir();
  const secret = newSecret();
  const up = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'up', '--workers', '2', '--concurrency', '2', '--port', '0'], {
    cwd: ROOT, env: { ...process.env, TAP: '', DATABASE_URL: url, BALLAST_DATA_DIR: dataDir, BALLAST_WEBHOOK_SECRETS: `telephony=${secret}`, LOG_LEVEL: 'info' },
  });
  let out = '';
  up.stdout!.on('data', (c) => { out += c; });
  up.stderr!.on('data', (c) => { out += c; });
  const startedLines = () => out.split('\n').filter((l) => l.includes('"child started"'));
  const started = () => startedLines().map((l) => JSON.parse(l) as { child: string; child_pid: number; start: number });
  t.teardown(async () => {
    if (up.exitCode === null && up.signalCode === null) {
      up.kill('SIGKILL'); // its children see the IPC channel close and stop themselves
      await once(up, 'exit');
    }
    for (const c of started()) if (alive(c.child_pid)) process.kill(c.child_pid, 'SIGKILL');
  });

  const receiverUrl = await waitFor('ballast up to say it is up', async () => {
    if (up.exitCode !== null) throw new Error(`ballast up exited with ${up.exitCode}:\n${out}`);
    return /receiver: {2}(http:\/\/\S+)\/webhooks/.exec(out)?.[1];
  }, { timeoutMs: 90_000, intervalMs: 100 });
  const first = started();
  t.same(first.map((c) => c.child).sort(), ['receiver', 'worker-1', 'worker-2']);
  for (const line of startedLines()) {
    t.equal(line.match(/"pid":/g)?.length, 1, "one pid on a child started line");
    t.equal((JSON.parse(line) as { pid: number }).pid, up.pid, 'the pid is the one of up, which wrote the line');
  }

  // One search engine: the one `up` serves, named to every child by QDRANT_URL; no child started its own.
  const engine = JSON.parse(fs.readFileSync(path.join(dataDir, 'qdrant', 'engine.json'), 'utf8')) as { url: string; pid: number };
  t.equal(engine.pid, up.pid, 'the engine runs in `ballast up`');
  for (const c of first) t.equal(environ(c.child_pid).get('QDRANT_URL'), engine.url, `${c.child} uses that engine`);
  t.same(childrenOf(up.pid!).sort(), first.map((c) => c.child_pid).sort(), 'up has three children and no more');
  for (const c of first) t.same(childrenOf(c.child_pid), [], `${c.child} runs no process of its own`);
  // Workers run with WORKER_NODE_ARGS (its heap limit keeps their RSS low), as the systemd unit does.
  const cmdline = (pid: number) => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  for (const c of first.filter((c) => c.child.startsWith('worker'))) {
    t.same(cmdline(c.child_pid).slice(1, 1 + WORKER_NODE_ARGS.length), WORKER_NODE_ARGS, `${c.child} runs with ${WORKER_NODE_ARGS.join(' ')}`);
  }
  const unit = fs.readFileSync(path.join(ROOT, 'ops/systemd/ballast-worker@.service'), 'utf8');
  t.match(unit, `ExecStart=/usr/bin/node ${WORKER_NODE_ARGS.join(' ')} bin/ballast.js worker`, 'the systemd unit passes the same options');

  let indexed = 0;
  const deliverAndWait = async (webhookId: string) => {
    const r = await sendWebhook({ url: receiverUrl, source: 'telephony', secret, payload: sampleEvent(AGENT_NUMBER), webhookId });
    t.equal(r.status, 200, `${webhookId} accepted`);
    await waitFor(`${webhookId} completed and indexed`, async () => {
      if (up.exitCode !== null) throw new Error(`ballast up exited with ${up.exitCode}:\n${out}`);
      const { rows: [r] } = await db.query(
        `select e.status = 'completed' and (select count(*) from search.outbox where status = 'done') > $2
                and not exists (select 1 from search.outbox where status <> 'done') as ok
           from ingest.webhook_events e where e.webhook_id = $1`, [webhookId, indexed]);
      return r?.ok;
    }, { timeoutMs: 90_000, intervalMs: 100 });
    indexed = Number((await db.query(`select count(*) from search.outbox`)).rows[0].count);
  };
  await deliverAndWait('msg_up_1');

  // A worker that dies is started again.
  const victim = first.find((c) => c.child === 'worker-1')!;
  process.kill(victim.child_pid, 'SIGKILL');
  const again = await waitFor('worker-1 to be started again', async () =>
    started().find((c) => c.child === 'worker-1' && c.start === 2), { timeoutMs: 30_000, intervalMs: 50 });
  t.not(again.child_pid, victim.child_pid, 'a new process');
  t.match(out, /"child":"worker-1".*"signal":"SIGKILL".*"child exited; restarting it"/);
  await waitFor('the new worker-1 to start', async () => out.split('\n').some((l) => l.includes(`"pid":${again.child_pid},`) && l.includes('"worker started"')),
    { timeoutMs: 60_000, intervalMs: 50 });
  t.ok(childrenOf(up.pid!).includes(again.child_pid), 'a child of up');
  await deliverAndWait('msg_up_2');

  // SIGTERM: every child stops, then `up`, with exit code 0.
  const last = started().filter((c) => alive(c.child_pid));
  t.equal(last.length, 3, 'three children running before the stop');
  up.kill('SIGTERM');
  const [code] = await once(up, 'exit');
  t.equal(code, 0, 'ballast up exits 0');
  if (code !== 0) t.comment(out.slice(-3000));
  for (const c of last) t.notOk(alive(c.child_pid), `${c.child} (pid ${c.child_pid}) stopped`);
  t.equal(out.match(/"child stopped"/g)?.length, 3, 'each child stopped once, none restarted');
  t.notOk(fs.existsSync(path.join(dataDir, 'qdrant', 'engine.json')), 'the engine closed');
});
