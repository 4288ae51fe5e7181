/**
 * Unauthenticated clients cost little and page nobody, over real sockets: a
 * stalled header block or body gets 408 after the configured timeout, an
 * aborted upload is a counted debug event (no envelope, no error line),
 * connections beyond the cap are closed on accept, and refused signatures
 * write at most one diagnostic per configured interval, carrying the counts
 * since the last.
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import t from 'tap';
import { ClientEvents, sign } from '../../lib/ingest/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { SECRET, startTestReceiver } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const { db } = await testDatabase(t);
const lines: { level: number; msg: string }[] = [];
const log = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } }), redactor);
let now = 1_000_000;
const events = new ClientEvents(60_000, () => now);
// Rows a fake minute apart are written within one real second: do not let the table's window merge them.
await db.query(`update ballast.failure_settings set diagnostic_window = interval '1 millisecond'`);
const receiver = await startTestReceiver(t, db, {
  log, clientEvents: events, headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 300, maxConnections: 3,
});
const { port } = new URL(receiver.url);

/** Opens a socket, writes `data`, and resolves with everything the server sent once it closes the connection. */
function exchange(data: string, opts: { destroyAfterWrite?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), '127.0.0.1', () => {
      s.write(data);
      if (opts.destroyAfterWrite) s.destroy();
    });
    let got = '';
    s.on('data', (c) => { got += c; });
    s.on('close', () => resolve(got));
    s.on('error', (e) => (opts.destroyAfterWrite ? resolve(got) : reject(e)));
  });
}
const envelopes = async () => (await db.query(`select count(*)::int as n from ballast.error_envelopes`)).rows[0].n;
const loud = () => lines.filter((l) => l.level >= 50);

t.test('a header block that stalls is answered 408 after the headers timeout', async (t) => {
  const answer = await exchange('POST /webhooks/telephony HTTP/1.1\r\nHost: x\r\ncontent-type: appl');
  t.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  t.match(answer, /"error":"request_timeout"/);
  t.equal(receiver.clientEvents.timed_out, 1);
});

t.test('a connection that sends nothing is answered 408 after the headers timeout', async (t) => {
  t.match(await exchange(''), /^HTTP\/1\.1 408 /);
  t.equal(receiver.clientEvents.timed_out, 2);
});

t.test('a body that stalls after 10 bytes is answered 408 after the request timeout, and costs no envelope', async (t) => {
  const before = await envelopes();
  const answer = await exchange('POST /webhooks/telephony HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"type": "');
  t.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  t.equal(receiver.clientEvents.timed_out, 3);
  t.equal(receiver.clientEvents.aborted, 0, 'a timed-out request is not also counted as aborted');
  t.equal(await envelopes(), before);
  t.same(loud(), [], 'no error line');
});

t.test('a client that aborts its upload mid-body is a debug event: no envelope, no error line, no answer', async (t) => {
  const before = await envelopes();
  await exchange('POST /webhooks/telephony HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{"type": "', { destroyAfterWrite: true });
  await waitFor('the abort to be counted', async () => receiver.clientEvents.aborted === 1);
  t.equal(await envelopes(), before, 'no envelope');
  t.same(loud(), [], 'no error or critical line');
  t.ok(lines.some((l) => l.level === 20 && /went away/.test(l.msg)), 'a debug line says the client went away');
});

t.test('connections beyond the cap are closed on accept, and the receiver serves again once one closes', async (t) => {
  const open: net.Socket[] = [];
  t.teardown(() => open.forEach((s) => s.destroy()));
  for (let i = 0; i < 3; i++) {
    open.push(await new Promise<net.Socket>((resolve) => { const s = net.connect(Number(port), '127.0.0.1', () => resolve(s)); s.on('error', () => {}); }));
  }
  await waitFor('three connections held', async () => (await new Promise<number>((r) => receiver.server.getConnections((_e, n) => r(n)))) === 3);
  const refused = await exchange('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  t.equal(refused, '', 'closed without an answer');
  t.equal(receiver.clientEvents.dropped, 1);
  open.forEach((s) => s.destroy());
  await waitFor('the connections to close', async () => (await new Promise<number>((r) => receiver.server.getConnections((_e, n) => r(n)))) === 0);
  t.equal((await fetch(`${receiver.url}/healthz`)).status, 200);
});

t.test('refused signatures write at most one diagnostic per interval, each carrying the counts since the last', async (t) => {
  const diagnostics = async () => (await db.query(
    `select message, metadata from ballast.diagnostic_logs where code = 'AUTH_FAILED' order by id`)).rows;
  const bad = async () => {
    const body = '{"type":"message.received"}';
    const ts = Math.floor(Date.now() / 1000);
    const res = await fetch(`${receiver.url}/webhooks/telephony`, { method: 'POST', body,
      headers: { 'webhook-id': 'msg_forged', 'webhook-timestamp': String(ts), 'webhook-signature': sign('whsec_' + Buffer.from('not the secret').toString('base64'), 'msg_forged', ts, body) } });
    t.equal(res.status, 401);
  };
  for (let i = 0; i < 5; i++) await bad();
  const [first] = await waitFor('the first diagnostic', async () => { const d = await diagnostics(); return d.length === 1 ? d : null; });
  t.match(first.metadata, { sampled: true, counts_since_last: { auth_failed: 1, timed_out: 3, aborted: 1, dropped: 1 } },
    'it carries what came before it');
  t.equal(receiver.clientEvents.auth_failed, 5, 'every refusal is counted');

  now += 60_000;
  await bad();
  const next = await waitFor('a second diagnostic an interval later', async () => { const d = await diagnostics(); return d.length === 2 ? d : null; });
  t.match(next[1].metadata, { counts_since_last: { auth_failed: 5, timed_out: 0 } }, 'four suppressed and this one');
  t.equal((await diagnostics()).length, 2, 'six refusals, two rows');
  t.same(loud(), [], 'refused signatures page nobody');
});
