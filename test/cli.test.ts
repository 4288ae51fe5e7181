/** The `ballast` command itself, before any command: its version. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from './helpers/cluster.ts';

t.test('--version and -V print the version in package.json, with no database and no configuration', async (t) => {
  const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  // An invalid setting: the version is printed before any configuration is read.
  const env = { ...process.env, DATABASE_URL: 'not a url' };
  for (const flag of ['--version', '-V']) {
    const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/ballast.js'), flag], { cwd: ROOT, env });
    t.equal(stdout, `${version}\n`, flag);
  }
});
