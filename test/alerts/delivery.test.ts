/**
 * Alert delivery against a real local HTTP receiver that verifies Standard
 * Webhooks signatures with our own receiver's code: what is owed when an
 * alert opens, recurs and resolves; retries after a 500 and a refused
 * connection; a dead letter and a sink-down alert after the last attempt;
 * and nothing lost while the sink is down. The clock of due times is passed in.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { alertHeadline, deliverAlertsOnce, emailSink, logSink, testAlert, sendTestAlert, sinkDownKey, webhookSink, type DeliverySettings, type Sink, type SinkName } from '../../lib/alerts/delivery/index.ts';
import { newSecret, unixSeconds, verify } from '../../lib/ingest/signature.ts';
import { createLogger } from '../../lib/log/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { ROLES, withRole, type Db } from '../../lib/db/index.ts';
import { startWorker } from '../../lib/stage/index.ts';
import deliverAlerts from '../../tasks/deliver_alerts.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { waitFor } from '../helpers/wait.ts';

const log = createLogger('silent');
const SECRET = newSecret();
const SETTINGS: DeliverySettings = { maxAttempts: 3, backoffMs: 30_000, backoffMaxMs: 600_000, leaseMs: 60_000 };
// An hour ahead of the database's clock, so rows the triggers write (due at now()) are due on it.
const T0 = new Date(Date.now() + 3_600_000);
const at = (ms: number) => new Date(T0.getTime() + ms);

interface Received { id: string; timestamp: number; body: { type: string; data: { id: string; rule: string; event: string } } }

/** A webhook endpoint that verifies each request as ballast's receiver does, and answers `status`. */
async function startSinkReceiver(t: { teardown(fn: () => unknown): void }, port = 0) {
  const received: Received[] = [];
  const rejected: string[] = [];
  const state = { status: 200 };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      try {
        const { id, timestamp } = verify(SECRET, req.headers as Record<string, string>, body, unixSeconds());
        if (state.status < 300) received.push({ id, timestamp, body: JSON.parse(body.toString('utf8')) });
        res.writeHead(state.status, { connection: 'close' }).end(state.status < 300 ? 'ok' : 'receiver is down');
      } catch (e) {
        rejected.push((e as Error).message);
        res.writeHead(401, { connection: 'close' }).end('bad signature');
      }
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  const close = () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  t.teardown(close);
  return { received, rejected, state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`, port: (server.address() as AddressInfo).port, close };
}

const sinksWith = (url: string, secret = SECRET): Map<SinkName, Sink> =>
  new Map<SinkName, Sink>([['log', logSink(log)], ['webhook', webhookSink({ url, secret, timeoutMs: 5000 })]]);

async function openAlert(db: Db, key: string, rule = 'dead_letters_present'): Promise<string> {
  const { rows: [a] } = await db.query(
    `insert into ballast.alerts (rule, severity, subject, message, dedupe_key) values ($1, 'critical', '{"component": "failures"}', $2, $3) returning id::text`,
    [rule, `${key}: 2 dead letters`, key]);
  return a.id;
}

const deliveries = async (db: Db, alertId: string) => (await db.query(
  `select event, sink, status, attempts, last_http_status from ballast.alert_deliveries where alert_id = $1 order by event, sink`, [alertId])).rows;
const attempts = async (db: Db, alertId: string, sink = 'webhook') => (await db.query(
  `select attempt, outcome, http_status, error, next_attempt_at from ballast.alert_delivery_attempts where alert_id = $1 and sink = $2 order by id`, [alertId, sink])).rows;
const deliver = (db: Db, now: Date, sinks: Map<SinkName, Sink>, settings = SETTINGS) =>
  deliverAlertsOnce(db, { sinks, settings, batchSize: 50, now, redactor, log });

t.test('an alert owes each sink a delivery when it opens and when it resolves; a recurrence or an acknowledgement does not page again', async (t) => {
  const { db } = await testDatabase(t);
  const id = await openAlert(db, 'dl:1');
  t.same((await deliveries(db, id)).map((d) => `${d.event}/${d.sink}/${d.status}`), ['opened/email/pending', 'opened/log/pending', 'opened/webhook/pending']);
  const { rows: [job] } = await db.query(`select count(*)::int n from graphile_worker.jobs where task_identifier = 'deliver_alerts' and key = 'deliver_alerts'`);
  t.equal(job.n, 1, 'the trigger woke deliver_alerts (one job, by key)');
  await db.query(`update ballast.alerts set occurrences = occurrences + 1, last_seen_at = now() where id = $1`, [id]);
  await db.query(`update ballast.alerts set status = 'acknowledged', acknowledged_at = now() where id = $1`, [id]);
  t.equal((await deliveries(db, id)).length, 3, 'a recurrence and an acknowledgement owe nothing');
  await db.query(`update ballast.alerts set status = 'resolved', resolved_at = now() where id = $1`, [id]);
  await db.query(`update ballast.alerts set note = 'done' where id = $1`, [id]);
  t.same((await deliveries(db, id)).filter((d) => d.event === 'resolved').map((d) => d.sink), ['email', 'log', 'webhook'], 'resolving owes each sink once');
  const { rows: [jobs] } = await db.query(`select count(*)::int n from graphile_worker.jobs where task_identifier = 'deliver_alerts'`);
  t.equal(jobs.n, 1, 'still one waiting job');
});

t.test('the webhook delivers signed alerts our receiver verifies; an unconfigured sink is skipped', async (t) => {
  const { db } = await testDatabase(t);
  const rx = await startSinkReceiver(t);
  const id = await openAlert(db, 'dl:2');
  const r = await deliver(db, new Date(), sinksWith(rx.url));
  t.match(r, { taken: 3, delivered: 2, skipped: 1, failed: 0, dead: 0 });
  t.same((await deliveries(db, id)).map((d) => `${d.sink}/${d.status}`), ['email/skipped', 'log/delivered', 'webhook/delivered']);
  t.equal(rx.received.length, 1, 'one request, its signature verified by lib/ingest/signature.ts');
  t.same(rx.rejected, []);
  t.match(rx.received[0], { body: { type: 'alert.opened', data: { id, rule: 'dead_letters_present', event: 'opened' } } });
  const { rows: [d] } = await db.query(`select id::text from ballast.alert_deliveries where alert_id = $1 and sink = 'webhook'`, [id]);
  t.equal(rx.received[0]!.id, `alert_delivery_${d.id}`, 'webhook-id is the delivery, the same on every attempt');
  t.match(await attempts(db, id), [{ attempt: 1, outcome: 'delivered', http_status: 200, error: null }]);
  t.match(await deliver(db, new Date(), sinksWith(rx.url)), { taken: 0 }, 'nothing is sent twice');

  // A receiver with another secret refuses the signature: a failed attempt, not a delivery.
  const other = await openAlert(db, 'dl:3');
  await deliver(db, new Date(), sinksWith(rx.url, newSecret()));
  t.match(await attempts(db, other), [{ outcome: 'failed', http_status: 401 }]);
  t.same(rx.rejected, ['no webhook-signature matches']);
});

t.test('a 500 and a refused connection are retried with backoff until the sink takes the alert', async (t) => {
  const { db } = await testDatabase(t);
  const rx = await startSinkReceiver(t);
  const sinks = sinksWith(rx.url);
  const id = await openAlert(db, 'dl:4');
  rx.state.status = 500;
  t.match(await deliver(db, at(0), sinks), { delivered: 1, failed: 1 }, 'the log line goes out; the webhook answers 500');
  t.match(await attempts(db, id), [{ attempt: 1, outcome: 'failed', http_status: 500, next_attempt_at: at(30_000) }]);
  t.match(await deliver(db, at(29_999), sinks), { taken: 0 }, 'not due before its backoff');

  await rx.close();
  t.match(await deliver(db, at(30_000), sinks), { failed: 1 }, 'a refused connection');
  const second = (await attempts(db, id))[1];
  t.match(second, { attempt: 2, outcome: 'failed', http_status: null, next_attempt_at: at(30_000 + 60_000) }, 'the backoff doubles');
  t.match(second.error, /ECONNREFUSED/);
  t.match(await deliveries(db, id), [{ sink: 'email' }, { sink: 'log', status: 'delivered' }, { sink: 'webhook', status: 'pending', attempts: 2 }], 'the row waits');

  const back = await startSinkReceiver(t, rx.port);
  t.match(await deliver(db, at(90_000), sinks), { delivered: 1 });
  t.match(await attempts(db, id), [{ outcome: 'failed' }, { outcome: 'failed' }, { attempt: 3, outcome: 'delivered', http_status: 200 }]);
  t.equal(back.received.length, 1);
  t.equal(rx.received.length, 0, 'the 500 was not counted as received');
});

t.test('a sink down past the last attempt: the row stays, a dead letter and one alert about the sink; delivery resumes when it is back', async (t) => {
  const { db } = await testDatabase(t);
  const rx = await startSinkReceiver(t);
  const port = rx.port;
  await rx.close();
  const sinks = sinksWith(rx.url);
  const first = await openAlert(db, 'dl:5');
  const second = await openAlert(db, 'search:drift', 'search_drift');
  let now = 0;
  const rounds = [];
  for (let i = 0; i < 3; i++) {
    const { delivered, failed, dead } = await deliver(db, at(now), sinks);
    rounds.push({ delivered, failed, dead });
    now += 10 * 60_000;
  }
  t.same(rounds, [{ delivered: 2, failed: 2, dead: 0 }, { delivered: 0, failed: 2, dead: 0 }, { delivered: 0, failed: 0, dead: 2 }],
    'the log lines go out at once; the webhook fails three times');
  for (const id of [first, second]) {
    t.match(await attempts(db, id), [{ outcome: 'failed' }, { outcome: 'failed' }, { attempt: 3, outcome: 'dead', next_attempt_at: null }], `alert ${id}: three attempts`);
    t.match((await deliveries(db, id)).find((d) => d.sink === 'webhook'), { status: 'dead', attempts: 3 }, 'the delivery row is kept');
  }
  const { rows: dls } = await db.query(`select interaction_id, failing_function, error_code, context->>'delivery_id' as delivery_id, next_retry_at, http_status
    from ballast.pipeline_failures where failing_function = 'deliver_alerts' order by interaction_id`);
  t.same(dls.map((d) => d.interaction_id), [`alert:${first}:opened:webhook`, `alert:${second}:opened:webhook`].sort(), 'one dead letter per dead delivery');
  t.match(dls[0], { failing_function: 'deliver_alerts', error_code: 'DOWNSTREAM_CALL_FAILED', next_retry_at: null, http_status: null }, 'not replayed automatically: the row is retried when the sink is back');
  const sinkAlerts = async () => (await db.query(`select id::text, rule, severity, status, occurrences, subject, evidence from ballast.alerts where dedupe_key = $1`, [sinkDownKey('webhook')])).rows;
  const down = await sinkAlerts();
  t.match(down, [{ rule: 'alert_sink_down', severity: 'critical', status: 'open', occurrences: 2, subject: { sink: 'webhook' } }], 'one open alert about the sink, bumped');
  t.ok(down[0].evidence.dead_letter_id, 'its evidence names the dead letter');
  t.match(await deliveries(db, down[0].id), [{ sink: 'email' }, { sink: 'log', status: 'pending' }, { sink: 'webhook', status: 'pending' }], 'the sink alert itself is owed');
  const { rows: [left] } = await db.query(`select count(*)::int n from ballast.alerts where id = any($1::bigint[])`, [[first, second]]);
  t.equal(left.n, 2, 'the alerts are all still there');

  // The sink is back: the next delivery (the sink-down alert) succeeds, the dead rows are due again, the sink alert resolves.
  const back = await startSinkReceiver(t, port);
  const r = await deliver(db, at(now), sinks);
  t.match(r, { delivered: 2, revived: 2 }, 'the sink alert goes out to the log and the webhook; the two dead rows get a new budget');
  t.match(await sinkAlerts(), [{ status: 'resolved' }]);
  await deliver(db, at(now), sinks);
  for (const id of [first, second]) {
    t.match((await deliveries(db, id)).find((d) => d.sink === 'webhook'), { status: 'delivered', attempts: 4 }, `alert ${id} delivered after the sink came back`);
  }
  t.same(new Set(back.received.map((x) => `${x.body.type}:${x.body.data.id}`)),
    new Set([`alert.opened:${down[0].id}`, `alert.opened:${first}`, `alert.opened:${second}`, `alert.resolved:${down[0].id}`]), 'opened, and the sink alert resolved');
});

t.test('`ballast alerts test`: an outcome, an attempt row, and a success puts dead deliveries back in line', async (t) => {
  const { db } = await testDatabase(t);
  const rx = await startSinkReceiver(t);
  const id = await openAlert(db, 'dl:6');
  await db.query(`update ballast.alert_deliveries set status = 'dead', attempts = 3, attempts_left = 0 where alert_id = $1 and sink = 'webhook'`, [id]);
  const ok = await sendTestAlert(db, sinksWith(rx.url).get('webhook')!, { settings: SETTINGS, redactor, actor: 'cli:test', now: at(0) });
  t.match(ok, { ok: true, httpStatus: 200, revived: 1 });
  t.match(rx.received, [{ body: { type: 'alert.test', data: { rule: 'alert_sink_test', event: 'test' } } }]);
  t.match((await deliveries(db, id)).find((d) => d.sink === 'webhook'), { status: 'pending' });
  await rx.close();
  const failed = await sendTestAlert(db, sinksWith(rx.url).get('webhook')!, { settings: SETTINGS, redactor, actor: 'cli:test', now: at(0) });
  t.match(failed, { ok: false, revived: 0, error: /ECONNREFUSED/ });
  const { rows } = await db.query(`select sink, outcome, delivery_id from ballast.alert_delivery_attempts where alert_id is null order by id`);
  t.same(rows, [{ sink: 'webhook', outcome: 'delivered', delivery_id: null }, { sink: 'webhook', outcome: 'failed', delivery_id: null }]);
});

t.test('a real worker, as ballast_worker: an alert that opens is delivered within seconds, woken by its trigger', async (t) => {
  const { db, url } = await testDatabase(t);
  const rx = await startSinkReceiver(t);
  const config = loadConfig({ ...process.env, BALLAST_ALERT_WEBHOOK_URL: rx.url, BALLAST_ALERT_WEBHOOK_SECRET: SECRET });
  const worker = await startWorker({ connectionString: withRole(url, ROLES.worker), stages: [deliverAlerts], config, concurrency: 2,
    handleSignals: false, pollIntervalMs: 100, redactor });
  t.teardown(async () => { await worker.stop(); await worker.done; });
  const id = await openAlert(db, 'dl:worker');
  const got = await waitFor('the webhook to receive the alert', async () => rx.received.find((r) => r.body.data.id === id));
  t.match(got, { body: { type: 'alert.opened' } });
  await waitFor('the delivery row to be settled', async () =>
    (await deliveries(db, id)).every((d) => d.status === (d.sink === 'email' ? 'skipped' : 'delivered')));
  const run = await waitFor('the run row', async () =>
    (await db.query(`select outcome, counts from ballast.maintenance_runs where task = 'deliver_alerts' order by id limit 1`)).rows[0]);
  t.match(run, { outcome: 'succeeded', counts: { delivered: 2, skipped: 1 } }, 'the run is recorded');
});

t.test('the e-mail sink feeds the message to its command on stdin; a failing command is a failed attempt', async (t) => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-mail-'));
  t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
  const out = path.join(dir, 'mail.txt');
  const alert = { ...testAlert(new Date(), 'cli:test'), event: 'opened' as const, severity: 'critical' as const };
  const ok = await emailSink({ command: `cat > '${out}'; printf '%s' "$1" > '${out}.subject'` }).send({ id: 'd1', alert });
  t.same(ok, { ok: true });
  t.match(await fs.readFile(out, 'utf8'), /^\[ballast CRITICAL\] alert_sink_test: .*\n[\s\S]*npx ballast alerts show 0/);
  t.equal(await fs.readFile(`${out}.subject`, 'utf8'), alertHeadline(alert));
  const failed = await emailSink({ command: `echo 'no mail relay' >&2; exit 3` }).send({ id: 'd2', alert });
  t.same(failed, { ok: false, error: 'exit status 3: no mail relay' });
});
