/** `ballast retention show|set|run`: the retention policies, and one retention pass by hand. */
import { archiveStores, listPolicies, runRetention, setPolicy, VERIFY_DEPTHS, type PolicyChange, type VerifyDepth } from '../../lib/archive/index.ts';
import type { Command } from 'commander';
import { withSession } from './context.ts';

const noPolicy = (table: string) => new Error(`no retention policy for ${table} (\`ballast retention show\` lists them)`);

export async function retentionShow(table: string | undefined, opts: { json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => {
    const rows = (await listPolicies(db)).filter((p) => !table || p.table_name === table);
    if (table && rows.length === 0) throw noPolicy(table);
    if (opts.json) console.log(JSON.stringify(rows, null, 2));
    else console.table(rows.map((p) => ({ table: p.table_name, hot: p.hot_window, warm: p.warm_window, archive_after: p.archive_after,
      purge_after: p.purge_after, store: p.store, verify: p.verify, enabled: p.enabled, updated_by: p.updated_by })));
  });
}

export interface RetentionSetOptions {
  hot?: string;
  warm?: string;
  archiveAfter?: string;
  purgeAfter?: string;
  store?: string;
  verify?: string;
  enable?: boolean;
  disable?: boolean;
  create?: boolean;
}

export async function retentionSet(table: string, opts: RetentionSetOptions): Promise<void> {
  if (opts.enable && opts.disable) throw new Error('--enable and --disable contradict each other');
  if (opts.verify !== undefined && !VERIFY_DEPTHS.includes(opts.verify as VerifyDepth)) {
    throw new Error(`--verify must be one of ${VERIFY_DEPTHS.join(', ')}, not ${opts.verify}`);
  }
  const change: PolicyChange = {
    ...(opts.hot !== undefined ? { hot_window: opts.hot } : {}),
    ...(opts.warm !== undefined ? { warm_window: opts.warm } : {}),
    ...(opts.archiveAfter !== undefined ? { archive_after: opts.archiveAfter } : {}),
    ...(opts.purgeAfter !== undefined ? { purge_after: opts.purgeAfter } : {}),
    ...(opts.store !== undefined ? { store: opts.store } : {}),
    ...(opts.verify !== undefined ? { verify: opts.verify as VerifyDepth } : {}),
    ...(opts.enable ? { enabled: true } : opts.disable ? { enabled: false } : {}),
  };
  await withSession(async ({ db, config }) => {
    const p = await setPolicy(db, table, change, { actor: config.cliActor, ...(opts.create ? { create: true } : {}) });
    console.log(`${p.table_name}: hot ${p.hot_window}, warm ${p.warm_window}, archive after ${p.archive_after}, purge after ${p.purge_after}, ` +
      `store ${p.store}, verify ${p.verify}, ${p.enabled ? 'enabled' : 'disabled'} (the change is in audit.ledger as ${config.cliActor})`);
  });
}

/** What the archive_partitions cron task does, now, as the same role. */
export async function retentionRun(opts: { table?: string; maxSteps: number; json?: boolean }): Promise<void> {
  await withSession(async ({ db, config, log }) => {
    // runRetention passes over a table without a policy: all-zero counts would read as "nothing to do".
    if (opts.table && !(await listPolicies(db)).some((p) => p.table_name === opts.table)) throw noPolicy(opts.table);
    const counts = await runRetention(db, { now: new Date(), stores: archiveStores(config), actor: config.cliActor, maxSteps: opts.maxSteps, log,
      ...(opts.table ? { table: opts.table } : {}) });
    if (opts.json) console.log(JSON.stringify(counts));
    else console.log(Object.entries(counts).map(([k, v]) => `${k}=${v}`).join(' ') + '  (each step: `ballast archive list`, ballast.archive_runs)');
    if (counts.failed > 0) process.exitCode = 1;
  });
}

/** Declares `ballast retention show|set|run`. */
export function registerRetentionCommands(program: Command, positiveInt: (v: string, name: string) => number): void {
  const retention = program.command('retention')
    .description('retention policies (ballast.retention_policies): hot, warm (compressed), archive after, purge after, store; docs/retention.md');
  retention.command('show').description('the policies, or one table\'s').argument('[table]', 'schema.table, e.g. ingest.webhook_events')
    .option('--json', 'print rows as JSON').action(retentionShow);
  retention.command('set').description('change a table\'s policy (the owner\'s; audited); windows are intervals, e.g. "30 days"')
    .argument('<table>', 'schema.table')
    .option('--hot <interval>', 'partitions younger than this (by their upper bound) are left as they are')
    .option('--warm <interval>', 'after the hot window, how long a partition stays warm (compressed) in place')
    .option('--archive-after <interval>', 'export and verify partitions this old (at least --hot)')
    .option('--purge-after <interval>', 'drop partitions this old, once their archive is verified (at least --archive-after)')
    .option('--store <name>', 'archive store (`local`: BALLAST_ARCHIVE_DIR)')
    .option('--verify <depth>', 'how deep the nightly verification goes: file (sha256, row count and shape, live hash) or rows (also reloads and rehashes the rows)')
    .option('--enable', 'turn the policy on').option('--disable', 'turn the policy off: the table is left alone')
    .option('--create', 'add a policy for a table that has none (every window required)')
    .action(retentionSet);
  retention.command('run').description('one retention pass now, as the nightly archive_partitions task does (compress, hold, export, verify, purge)')
    .option('--table <table>', 'only this table')
    .option('--max-steps <n>', 'steps at most', (v) => positiveInt(v, '--max-steps'), 50)
    .option('--json', 'print the counts as JSON')
    .action(retentionRun);
}
