import { spawnSync } from 'node:child_process';
import path from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';

// The benches parse their options before they start anything, so these runs touch no database.
const bench = (file: string, ...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'bench', file), ...args], { cwd: ROOT, encoding: 'utf8' });

t.test('--help lists every option with its default, and the internal ones stay out', async (t) => {
  const r = bench('e2e.ts', '--help');
  t.equal(r.status, 0, r.stderr);
  t.match(r.stdout, /^usage: npm run bench:e2e -- \[options\]/);
  t.match(r.stdout, /--receiver-senders <value> {2}\(default: 8,32\)/);
  t.match(r.stdout, /--statements\n/);
  t.notMatch(r.stdout, /--role|--secret/);
  for (const [file, script] of [['chaos.ts', 'chaos'], ['restore-drill.ts', 'bench:restore']] as const) {
    const h = bench(file, '-h');
    t.equal(h.status, 0, `${file}: ${h.stderr}`);
    t.match(h.stdout, `usage: npm run ${script} -- [options]`);
  }
});

t.test('an unknown option is one line and exit 2, not a stack trace', async (t) => {
  const r = bench('e2e.ts', '--workerz', '2');
  t.equal(r.status, 2);
  t.match(r.stderr.trim(), /^bench:e2e: Unknown option '--workerz'[^\n]*\(--help lists the options\)$/);
});
