import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { Command } from 'commander';
import { program } from '../../bin/ballast.ts';
import { COMMAND_ROLES, LEAST_ROLE, ROLES, roleForCommand } from '../../lib/db/index.ts';
import { ROOT } from '../helpers/cluster.ts';

/** Full names (`dlq list`) of the commands that run something: the leaves of the tree. */
function leafCommands(cmd: Command, prefix = ''): string[] {
  return cmd.commands.flatMap((c) => {
    const name = `${prefix}${c.name()}`;
    return c.commands.length ? leafCommands(c, `${name} `) : [name];
  });
}
const commands = leafCommands(program);

t.test('every command of the CLI declares its database role', async (t) => {
  t.ok(commands.length > 20, `found the commands (${commands.length})`);
  t.same(commands.filter((c) => !Object.hasOwn(COMMAND_ROLES, c)), [], 'no command is left to the fallback');
  t.same(Object.keys(COMMAND_ROLES).filter((c) => !commands.includes(c)), [], 'no declaration names a command that is gone');
});

t.test('a command resolves to its declared role, by its full name', async (t) => {
  t.equal(roleForCommand('worker'), ROLES.worker);
  t.equal(roleForCommand('worker', '--concurrency'), ROLES.worker, 'options after the command do not matter');
  t.equal(roleForCommand('ingest'), ROLES.ingest);
  t.equal(roleForCommand('migrate'), ROLES.owner);
  t.equal(roleForCommand('policy'), ROLES.owner, 'setting the trace-id policy writes a setting');
  t.equal(roleForCommand('trace', '0af7651916cd43dd8448eb211c80319c'), ROLES.forensics, 'an argument is not a subcommand');
  t.equal(roleForCommand('audit', 'verify'), ROLES.forensics);
  t.equal(roleForCommand('audit', 'seal'), ROLES.owner, 'the operator seals as the owner');
  t.equal(roleForCommand('dlq', 'list'), ROLES.forensics);
});

t.test('a command that declares no role gets the least privileged one, never the owner', async (t) => {
  t.equal(LEAST_ROLE, ROLES.forensics);
  for (const [command, sub] of [['no-such-command'], [undefined], ['audit', 'no-such-sub'], ['audit'], ['dlq'], ['toString'], ['constructor'], ['__proto__']] as [string | undefined, string?][]) {
    t.equal(roleForCommand(command, sub), ROLES.forensics, `${command} ${sub ?? ''}`);
  }
});

t.test('only the commands that migrate or change settings or data by hand act as the owner', async (t) => {
  const owners = commands.filter((c) => roleForCommand(...(c.split(' ') as [string, string?])) === ROLES.owner).sort();
  // `alerts rules` acts as the owner only with --set; listing them connects as forensics (bin/commands/alerts.ts).
  // `usage set-*` change limits, tiers and prices: settings (016_usage).
  t.same(owners, ['agents activate', 'agents add', 'agents retire', 'agents suspend', 'alerts rules', 'archive discard', 'archive restore', 'audit purge-interaction', 'audit seal', 'backup', 'drill restore', 'errors cleanup', 'migrate', 'policy', 'retention set', 'schema dump', 'up', 'usage set-limit', 'usage set-prices', 'usage set-tier']);
});

t.test('on a server never migrated, a command says so and what to run, not that its role does not exist', async (t) => {
  // A fresh embedded server of its own (the test cluster's roles exist: they are the server's, not a database's).
  const dataDir = t.testdir();
  fs.chmodSync(dataDir, 0o755); // run as root, the server runs as postgres and must reach its directory
  const { DATABASE_URL: _, ...env } = process.env;
  const r = await promisify(execFile)(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'trace', 'abc'],
    { cwd: ROOT, env: { ...env, BALLAST_DATA_DIR: dataDir, LOG_LEVEL: 'warn' } })
    .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => e);
  t.equal(r.code, 1);
  t.equal(r.stderr, 'ballast: the database is not migrated: run `ballast migrate` (as the database owner) first, or `npm start`, which migrates ' +
    '(role "ballast_forensics" does not exist)\n');
});
