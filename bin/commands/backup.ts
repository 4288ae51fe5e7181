/**
 * `ballast backup` and `ballast drill restore` (lib/restore). Both connect as
 * the login user, as `migrate` does: pg_dump must read every table (the audit
 * ledger included), and a drill creates, restores into and drops a scratch
 * database. The drill's report is recorded as ballast_owner.
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { loadConfig } from '../../lib/config/index.ts';
import { resolveDatabase } from '../../lib/embedded/index.ts';
import { runDrill, takeBackup } from '../../lib/restore/index.ts';

const progress = (msg: string) => { if (process.stderr.isTTY) process.stderr.write(`${msg}\n`); };

export async function backupCommand(opts: { out?: string; json?: boolean }): Promise<void> {
  const config = loadConfig();
  const handle = await resolveDatabase(config);
  try {
    const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
    const out = opts.out ?? path.join(config.dataDir, 'backups', stamp);
    const r = await takeBackup(handle.url, { out, pgDump: config.PG_DUMP, embedded: Boolean(handle.embedded), onProgress: progress });
    const m = r.manifest;
    if (opts.json) {
      console.log(JSON.stringify({ dir: r.dir, seconds: r.seconds, manifest: m }, null, 2));
      return;
    }
    const rows = Object.values(m.tables).reduce((n, t) => n + t.rows, 0);
    console.log(`backup written to ${r.dir} in ${r.seconds.toFixed(1)} s: ${m.dump.file} (${m.dump.bytes} bytes, sha256 ${m.dump.sha256}), ` +
      `manifest.json (${Object.keys(m.tables).length} tables, ${rows} rows, ${m.migrations.applied.length} migrations, audit head ${m.audit.head ?? '(empty chain)'})`);
  } finally {
    await handle.release();
  }
}

export async function drillRestoreCommand(opts: { backup?: string; target?: string; database?: string; keep?: boolean; jobs?: number }): Promise<void> {
  const config = loadConfig();
  const handle = await resolveDatabase(config);
  try {
    const report = await runDrill({
      config, sourceUrl: handle.url, embedded: Boolean(handle.embedded), onProgress: progress,
      ...(opts.backup ? { backup: opts.backup } : {}), ...(opts.target ? { target: opts.target } : {}),
      ...(opts.database ? { database: opts.database } : {}), ...(opts.jobs ? { jobs: opts.jobs } : {}), keep: Boolean(opts.keep),
    });
    console.log(JSON.stringify(report, null, 2));
    if (report.status !== 'passed') process.exitCode = 1;
  } finally {
    await handle.release();
  }
}

export function registerBackupCommands(program: Command, positiveInt: (v: string, name: string) => number): void {
  program.command('backup')
    .description('logical backup: pg_dump -Fc and a manifest (migrations, row counts and content hashes of every table, audit chain head, outbox and reconcile state) of one snapshot; needs PG_DUMP of the server\'s version')
    .option('--out <dir>', 'directory to write ballast.dump and manifest.json to (default <data dir>/backups/<UTC time>)')
    .option('--json', 'print the manifest as JSON')
    .action(backupCommand);
  program.command('drill')
    .description('game-day drills (ops/runbooks/restore.md)')
    .command('restore')
    .description('restore a backup into a scratch database and check it: migrations, counts and hashes, audit chain, search repopulation, a receiver and a worker completing a signed event, forensic queries; prints a JSON report, records it in ballast.restore_drills, exits 1 on any mismatch')
    .option('--backup <path>', 'a backup directory (or its manifest.json); default: take a fresh backup first')
    .option('--target <url>', 'server to restore on, as a login user who may create databases (default: the source\'s server; roles are cluster-wide, see the runbook for another server)')
    .addOption(new Option('--database <name>', 'the scratch database (default ballast_drill_<time>_<random>)'))
    .option('--keep', 'keep the scratch database (and a fresh backup) afterwards')
    .option('--jobs <n>', 'parallel pg_restore jobs (default 2)', (v) => positiveInt(v, '--jobs'))
    .action(drillRestoreCommand);
}
