/**
 * Running the real `ballast` command in tests of how it fails: its exit code,
 * its one line on stderr, and no stack trace.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Test } from 'tap';
import { ROOT } from './cluster.ts';

export const STACK_FRAME = /^ {4}at /m;

export interface Outcome { code: number; stdout: string; stderr: string }

/**
 * Runs `bin/ballast.js` of `root` to its end; never rejects. Without a
 * DATABASE_URL in `env`, one where nothing listens, so no command starts an
 * embedded server.
 */
export async function ballast(args: string[], env: Record<string, string>, root = ROOT): Promise<Outcome> {
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
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A copy of the code (node_modules linked) whose `tasks/<file>` `edit` rewrites. */
export function treeWithTask(t: Test, file: string, edit: (source: string) => string): string {
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

/** `out` exited with `code` and printed just `line` on stderr, with no stack frame. */
export function oneLine(t: Test, out: Outcome, code: number, line: RegExp, what: string): void {
  t.equal(out.code, code, `${what}: exit code`);
  t.match(out.stderr, line, `${what}: the message`);
  t.equal(out.stderr.trimEnd().split('\n').length, 1, `${what}: one line`);
  t.notMatch(out.stderr, STACK_FRAME, `${what}: no stack trace`);
}
