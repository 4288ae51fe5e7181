/**
 * The `ballast` command fails the way an operator can act on: one line,
 * `ballast: <what and where>`, an exit code (78 for configuration, 1 for the
 * rest), no stack trace and no secret.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ballast, closedPort, oneLine } from '../helpers/cli.ts';
import { testDatabase } from '../helpers/db.ts';

t.test('a malformed BALLAST_WEBHOOK_SECRETS is named by position, never by what may be the secret (exit 78)', async (t) => {
  for (const value of ['whsec_c2VjcmV0LXNlY3JldA', 'whsec_c2VjcmV0LXNlY3JldA=', 'telephony=whsec_ok, whsec_c2VjcmV0LXNlY3JldA']) {
    const out = await ballast(['dlq', 'list'], { BALLAST_WEBHOOK_SECRETS: value });
    const pair = value.includes(',') ? 2 : 1;
    oneLine(t, out, 78, new RegExp(`^ballast: BALLAST_WEBHOOK_SECRETS: pair ${pair} is not "source=secret"`), value);
    t.notMatch(out.stderr, /whsec_c2V/, `${value}: no part of the secret`);
  }
});

t.test('a search engine that does not answer is named by its address, not just "fetch failed" (exit 1)', async (t) => {
  const { url } = await testDatabase(t);
  const port = await closedPort();
  const out = await ballast(['search', 'refund'], { DATABASE_URL: url, QDRANT_URL: `http://127.0.0.1:${port}` });
  oneLine(t, out, 1, new RegExp(`^ballast: fetch failed: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`), 'search');
});

t.test('replay --from-file names the file it cannot read or use (exit 1)', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-snap-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const missing = path.join(dir, 'missing.json');
  oneLine(t, await ballast(['replay', 'decision', '--from-file', missing], {}), 1,
    new RegExp(`^ballast: cannot read --from-file ${missing} \\(ENOENT\\)`), 'missing');
  for (const [name, text] of [['not-json.json', '{bad'], ['null.json', 'null']] as const) {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    oneLine(t, await ballast(['replay', 'decision', '--from-file', file], {}), 1,
      new RegExp(`^ballast: --from-file ${file}: not a decision snapshot file \\(expected format ballast\\.decision-snapshot/1\\)\\n$`), name);
  }
});

t.test('resolving or acknowledging what is not there fails on stderr, with the command to look (exit 1)', async (t) => {
  const { url } = await testDatabase(t);
  const env = { DATABASE_URL: url, USER: 'ops' };
  const none = '00000000-0000-0000-0000-000000000000';
  for (const [args, line] of [
    [['dlq', 'resolve', none, '--note', 'x'], `^ballast: dead letter ${none} not found or already resolved \\(see \`ballast dlq list\`\\)\\n$`],
    [['alerts', 'ack', '999999', '--note', 'x'], '^ballast: alert 999999 not found or not open \\(see `ballast alerts list --open`\\)\\n$'],
    [['alerts', 'resolve', '999999', '--note', 'x'], '^ballast: alert 999999 not found or already resolved \\(see `ballast alerts list --open`\\)\\n$'],
    [['inbox', 'dismiss', '+15555550999', '--note', 'x'], '^ballast: no open events for \\+15555550999 \\(see `ballast inbox unknown`\\)\\n$'],
  ] as const) {
    const out = await ballast([...args], env);
    oneLine(t, out, 1, new RegExp(line), args.slice(0, 2).join(' '));
    t.equal(out.stdout, '', `${args.slice(0, 2).join(' ')}: nothing on stdout`);
  }
});

t.test('a receiver.json, engine.json or dev-webhook-secrets.json cut short is named, to be deleted, not reported as a JSON parse error (exit 1)', async (t) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-data-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dataDir, 'qdrant'));
  for (const file of ['receiver.json', 'qdrant/engine.json']) fs.writeFileSync(path.join(dataDir, file), '{"url": "http://127.0.0.1:87');
  const env = { BALLAST_DATA_DIR: dataDir };
  const named = (file: string) => new RegExp(`^ballast: ${path.join(dataDir, file)} is not a record of a running process \\(\\{"url", "pid"\\}\\): delete it\\n$`);
  oneLine(t, await ballast(['send-sample'], env), 1, named('receiver.json'), 'send-sample');
  oneLine(t, await ballast(['search', 'refund'], env), 1, named('qdrant/engine.json'), 'search');
  fs.writeFileSync(path.join(dataDir, 'dev-webhook-secrets.json'), '{"telephony": "whsec_c2VjcmV0');
  const secrets = await ballast(['send-sample', '--url', `http://127.0.0.1:${await closedPort()}`], env);
  oneLine(t, secrets, 1, new RegExp(`^ballast: ${path.join(dataDir, 'dev-webhook-secrets.json')} holds no webhook secrets \\(a JSON object of source: secret\\): delete it`), 'dev secrets');
  t.notMatch(secrets.stderr, /whsec_c2V/, 'dev secrets: no part of the secret');
});
