/**
 * `ballast send-sample` run as a newcomer runs it, against a real receiver:
 * a number that is not E.164 is refused before anything is sent, and a
 * receiver that cannot be reached is named, with the reason.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { freePort } from '../../lib/embedded/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { AGENT_NUMBER, SECRET, startTestReceiver } from '../helpers/pipeline.ts';

const sendSample = (...args: string[]) => promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'send-sample', ...args],
  { cwd: ROOT, env: { ...process.env, BALLAST_WEBHOOK_SECRETS: `telephony=${SECRET}`, LOG_LEVEL: 'warn' } })
  .then((r) => ({ code: 0, ...r }), (e: { code: number; stdout: string; stderr: string }) => e);

t.test('--to must be an E.164 number: anything else is refused and nothing reaches the receiver', async (t) => {
  const { db } = await testDatabase(t);
  const receiver = await startTestReceiver(t, db);
  const bad = await sendSample('--url', receiver.url, '--to', 'garbage');
  t.equal(bad.code, 1);
  t.match(bad.stderr, /^ballast: --to must be an E\.164 number \(\+ and 7 to 15 digits, the first not 0\), got "garbage"\n/);
  t.equal((await db.query('select count(*)::int as n from ingest.webhook_events')).rows[0].n, 0, 'nothing was sent');
  const good = await sendSample('--url', receiver.url, '--to', AGENT_NUMBER);
  t.equal(good.code, 0, good.stderr);
  t.match(good.stdout, /-> 200 .*Read its story: {2}npx ballast trace msg_/s);
  t.equal((await db.query('select count(*)::int as n from ingest.webhook_events')).rows[0].n, 1);
});

t.test('a receiver that cannot be reached is named, with the reason', async (t) => {
  const url = `http://127.0.0.1:${await freePort()}`; // free: nobody listens there
  const r = await sendSample('--url', url);
  t.equal(r.code, 1);
  t.match(r.stderr, `ballast: could not reach ${url}/webhooks/telephony: ECONNREFUSED: is a receiver running there? (\`npm start\` starts one; --url names another)\n`);
});
