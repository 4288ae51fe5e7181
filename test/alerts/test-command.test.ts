/**
 * `ballast alerts test <sink>`, run as the operator runs it: a real process
 * sends a signed test alert to a real receiver and prints the outcome; a sink
 * that is down or not configured fails with exit status 1 and says why.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { newSecret, unixSeconds, verify } from '../../lib/ingest/signature.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';

const run = promisify(execFile);
const SECRET = newSecret();
const ballast = (env: Record<string, string>, ...args: string[]) => run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
  { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env } });

t.test('`ballast alerts test webhook` delivers a signed test alert, records the attempt, and fails clearly when it cannot', async (t) => {
  const { db, url } = await testDatabase(t);
  const received: unknown[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      verify(SECRET, req.headers as Record<string, string>, body, unixSeconds());
      received.push(JSON.parse(body.toString('utf8')));
      res.writeHead(204, { connection: 'close' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
  const env = { DATABASE_URL: url, BALLAST_ALERT_WEBHOOK_URL: hook, BALLAST_ALERT_WEBHOOK_SECRET: SECRET };

  const ok = await ballast(env, 'alerts', 'test', 'webhook');
  t.match(ok.stdout, /^webhook: delivered test alert alert_test_[0-9a-f]+ in \d+ ms \(HTTP 204\)/);
  t.match(received, [{ type: 'alert.test', data: { rule: 'alert_sink_test', event: 'test' } }], 'the signature verified');

  await new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); });
  const down = await ballast(env, 'alerts', 'test', 'webhook').then(() => null, (e: { code: number; stdout: string }) => e);
  t.match(down, { code: 1, stdout: /^webhook: FAILED after \d+ ms: .*ECONNREFUSED/ });
  const { rows } = await db.query(`select sink, outcome, http_status from ballast.alert_delivery_attempts order by id`);
  t.same(rows, [{ sink: 'webhook', outcome: 'delivered', http_status: 204 }, { sink: 'webhook', outcome: 'failed', http_status: null }]);

  const unset = await ballast({ DATABASE_URL: url }, 'alerts', 'test', 'email').then(() => null, (e: { code: number; stderr: string }) => e);
  t.match(unset, { code: 1, stderr: /the email sink is not configured: set BALLAST_ALERT_EMAIL_COMMAND/ });
  t.match((await ballast({ DATABASE_URL: url }, 'alerts', 'test', 'log')).stdout, /^log: delivered test alert/);
});
