/**
 * The `ballast` command fails the way an operator can act on: one line,
 * `ballast: <what and where>`, an exit code (78 for configuration, 1 for the
 * rest), no stack trace and no secret.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { ROOT, readCluster, withDatabase } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';

const STACK_FRAME = /^ {4}at /m;

interface Outcome { code: number; stdout: string; stderr: string }

/**
 * Runs `bin/ballast.js` of `root` to its end; never rejects. Without a
 * DATABASE_URL in `env`, one where nothing listens, so no command starts an
 * embedded server.
 */
async function ballast(args: string[], env: Record<string, string>, root = ROOT): Promise<Outcome> {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: `postgres://ops@127.0.0.1:${await closedPort()}/none`, ...env };
  for (const k of ['BALLAST_DEBUG', 'QDRANT_URL', 'BALLAST_WEBHOOK_SECRETS']) if (!(k in env)) delete base[k];
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(root, 'bin/ballast.js'), ...args], { cwd: root, env: base });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

/** A port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A copy of the code (node_modules linked) whose `tasks/<file>` `edit` rewrites. */
function treeWithTask(t: Test, file: string, edit: (source: string) => string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-tree-'));
  t.teardown(() => fs.rmSync(root, { recursive: true, force: true }));
  for (const entry of ['bin', 'lib', 'tasks', 'sql', 'ops', 'package.json', 'tsconfig.json']) {
    fs.cpSync(path.join(ROOT, entry), path.join(root, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  const task = path.join(root, 'tasks', file);
  const source = fs.readFileSync(task, 'utf8');
  const edited = edit(source);
  if (edited === source) throw new Error(`the edit changed nothing in tasks/${file}`);
  fs.writeFileSync(task, edited);
  return root;
}

function oneLine(t: Test, out: Outcome, code: number, line: RegExp, what: string): void {
  t.equal(out.code, code, `${what}: exit code`);
  t.match(out.stderr, line, `${what}: the message`);
  t.equal(out.stderr.trimEnd().split('\n').length, 1, `${what}: one line`);
  t.notMatch(out.stderr, STACK_FRAME, `${what}: no stack trace`);
}

t.test('a stage that declares a bad version or output stops every command with one line naming its file and stage (exit 78)', async (t) => {
  const env = { BALLAST_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-data-')) };
  t.teardown(() => fs.rmSync(env.BALLAST_DATA_DIR, { recursive: true, force: true }));
  const badVersion = treeWithTask(t, 'detect_striking.ts', (s) => s.replace(`version: '1.0.0'`, `version: 'notaversion'`));
  const line = /^ballast: tasks\/detect_striking\.ts:\d+: stage detect_striking: version must be a version like 1\.2\.3 \(or 1, 1\.2, 1\.2\.3-rc\.1\), got "notaversion"\n$/;
  for (const args of [['dlq', 'list'], ['migrate'], ['--help']]) {
    oneLine(t, await ballast(args, env, badVersion), 78, line, args.join(' '));
  }
  const debug = await ballast(['dlq', 'list'], { ...env, BALLAST_DEBUG: '1' }, badVersion);
  t.match(debug.stderr, STACK_FRAME, 'BALLAST_DEBUG adds the stack');

  const badOutput = treeWithTask(t, 'extract_claims.ts', (s) => s.replace(/outputs: \[[^\]]*\]/, `outputs: ['claims']`));
  oneLine(t, await ballast(['dlq', 'list'], env, badOutput), 78,
    /^ballast: tasks\/extract_claims\.ts:\d+: stage extract_claims: output "claims" is not a schema\.table name\n$/, 'bad output');
});

t.test('a task module that throws while loading is named with its line, in one line (exit 1)', async (t) => {
  const root = treeWithTask(t, 'audit_seal.ts', (s) => `${s}\n(undefined as unknown as { x: number }).x;\n`);
  oneLine(t, await ballast(['dlq', 'list'], {}, root), 1,
    /^ballast: cannot load tasks\/audit_seal\.ts:\d+: TypeError: Cannot read properties of undefined \(reading 'x'\) \(BALLAST_DEBUG=1 prints the stack\)\n$/, 'load');
});

t.test('a DATABASE_URL whose server is down names the server and DATABASE_URL, never the password (exit 1)', async (t) => {
  const port = await closedPort();
  const env = { DATABASE_URL: `postgres://ops:s3cret-pw@127.0.0.1:${port}/ballast` };
  for (const args of [['trace', 'abc'], ['migrate']]) {
    const out = await ballast(args, env);
    oneLine(t, out, 1, new RegExp(`^ballast: the database at 127\\.0\\.0\\.1:${port}/ballast \\(DATABASE_URL\\) is unavailable: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}\\n$`), args.join(' '));
    t.notMatch(out.stdout + out.stderr, /s3cret-pw/, `${args.join(' ')}: no password`);
  }
});

t.test('a DATABASE_URL with a wrong password or database is refused by the server: a configuration error (exit 78), no password shown', async (t) => {
  const cluster = await readCluster();
  const real = new URL(cluster.adminUrl);
  const wrong = new URL(cluster.adminUrl);
  wrong.password = 'wr0ng-pw';
  const where = `${real.hostname}:${real.port || '5432'}`.replace(/\./g, '\\.');
  for (const [url, db, why] of [
    [wrong.toString(), real.pathname.slice(1), `password authentication failed for user "${real.username}"`],
    [withDatabase(cluster.adminUrl, 'ballast_no_such_db'), 'ballast_no_such_db', 'database "ballast_no_such_db" does not exist'],
  ] as const) {
    for (const args of [['dlq', 'list'], ['migrate']]) {
      const out = await ballast(args, { DATABASE_URL: url });
      oneLine(t, out, 78, new RegExp(`^ballast: the database at ${where}/${db} \\(DATABASE_URL\\) refused the connection: ${why}\\n$`), `${why}: ${args.join(' ')}`);
      for (const secret of ['wr0ng-pw', decodeURIComponent(real.password)].filter(Boolean)) {
        t.notOk((out.stdout + out.stderr).includes(secret), `${why}: ${args.join(' ')}: no password`);
      }
    }
  }
});

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
