/**
 * What `ballast` says when its own code does not load: a stage in tasks/
 * with a bad declaration, or a task module that throws. One line naming the
 * file, no stack trace, whatever the command.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ballast, oneLine, STACK_FRAME, treeWithTask } from '../helpers/cli.ts';

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

t.test('two stages under one name stop every command with one line naming both files (exit 78), not only the worker', async (t) => {
  const env = { BALLAST_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'ballast-data-')) };
  t.teardown(() => fs.rmSync(env.BALLAST_DATA_DIR, { recursive: true, force: true }));
  // A stage copied from another that keeps the original's name.
  const twice = treeWithTask(t, 'extract_claims.ts', (s) => s.replace(`task: 'extract_claims'`, `task: 'detect_striking'`));
  const line = /^ballast: tasks\/index\.ts:\d+: two stages are named detect_striking \(tasks\/extract_claims\.ts and tasks\/detect_striking\.ts\)\n$/;
  for (const args of [['dlq', 'list'], ['migrate'], ['--help']]) oneLine(t, await ballast(args, env, twice), 78, line, args.join(' '));
});
