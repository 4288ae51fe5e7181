/**
 * `ballast drill restore` (seed 003, phase 3): restores a backup into a
 * scratch database and proves it whole and serving. The report is JSON, one
 * entry per check (pass/fail/skip, its mismatches, its seconds), with the RTO:
 * seconds from the start of the restore to the end of the last check. It is
 * recorded in ballast.restore_drills of the source database, and a failed
 * drill raises the restore_drill_failed alert there.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { evaluateAlerts } from '../alerts/index.ts';
import { makeDirectory, type Config } from '../config/index.ts';
import { Db, ROLES, describeTarget, withRole } from '../db/index.ts';
import { qdrantClient } from '../search/index.ts';
import { readBackup, sha256File, takeBackup } from './backup.ts';
import { checkAudit, checkData, checkForensics, checkMigrations, checkSearch, type CheckOutcome } from './checks.ts';
import { checkFleet } from './fleet-check.ts';
import { checkTool, connectionArgs, runTool, serverMajor } from './tools.ts';

/** The seed's restore SLO: RTO at most 60 minutes. */
export const RTO_TARGET_SECONDS = 3600;

export interface CheckResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  seconds: number;
  mismatches: string[];
  detail?: Record<string, unknown>;
}

export interface DrillReport {
  status: 'passed' | 'failed';
  /** ballast.restore_drills.id, once recorded. */
  drill_id: number | null;
  started_at: string;
  backup: string;
  target: string;
  database: string;
  kept: boolean;
  rto_seconds: number;
  rto_target_seconds: number;
  mismatches: number;
  checks: CheckResult[];
}

export interface DrillOptions {
  config: Config;
  /** The source database, as the login user: fresh backups come from it, the report is recorded in it. */
  sourceUrl: string;
  /** A backup directory (or its manifest.json). @defaultValue a fresh backup of the source */
  backup?: string;
  /** A server to restore on, as a login user who may create databases. @defaultValue the source's server */
  target?: string;
  /** The scratch database. @defaultValue `ballast_drill_<time>_<random>` */
  database?: string;
  /** Keep the scratch database (and a fresh backup) afterwards. @defaultValue false */
  keep?: boolean;
  /** The source is the embedded server (changes only error messages). */
  embedded?: boolean;
  /** Parallel pg_restore jobs. @defaultValue 2 */
  jobs?: number;
  rtoTargetSeconds?: number;
  /** Progress lines (to stderr in the CLI: stdout is the report). */
  onProgress?: (msg: string) => void;
}

const withDatabase = (url: string, database: string) => {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
};

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url, application_name: 'ballast drill restore' });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

export async function runDrill(opts: DrillOptions): Promise<DrillReport> {
  const say = opts.onProgress ?? (() => undefined);
  const startedAt = new Date();
  const target = opts.target ?? opts.sourceUrl;
  const stamp = startedAt.toISOString().replace(/\D/g, '').slice(0, 14);
  const database = opts.database ?? `ballast_drill_${stamp}_${randomBytes(3).toString('hex')}`;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`--database ${database}: expected a lowercase identifier`);
  const scratchDir = path.join(opts.config.dataDir, 'drills', database);
  const checks: CheckResult[] = [];
  let restoreStart = 0;
  let created = false;

  const run = async (name: string, fn: () => Promise<CheckOutcome>): Promise<boolean> => {
    const t0 = performance.now();
    say(`check ${name}`);
    let outcome: CheckOutcome;
    try {
      outcome = await fn();
    } catch (e) {
      outcome = { mismatches: [`${name} check failed to run: ${(e as Error).message}`] };
    }
    const seconds = Math.round(performance.now() - t0) / 1000;
    checks.push({ name, status: outcome.mismatches.length ? 'fail' : 'pass', seconds, mismatches: outcome.mismatches, ...(outcome.detail ? { detail: outcome.detail } : {}) });
    return outcome.mismatches.length === 0;
  };
  const skip = (...names: string[]) => names.forEach((name) => checks.push({ name, status: 'skip', seconds: 0, mismatches: [] }));

  let backupDir = opts.backup ?? path.join(scratchDir, 'backup');
  try {
    if (!opts.backup) {
      say(`taking a fresh backup into ${backupDir}`);
      backupDir = (await takeBackup(opts.sourceUrl, { out: backupDir, pgDump: opts.config.PG_DUMP, embedded: opts.embedded ?? false, onProgress: say })).dir;
    }
    const { dir, manifest } = await readBackup(backupDir);
    backupDir = dir;
    const dumpFile = path.join(dir, manifest.dump.file);
    const intact = await run('backup', async () => {
      const sha = await sha256File(dumpFile).catch((e) => `unreadable (${(e as Error).message})`);
      return { mismatches: sha === manifest.dump.sha256 ? [] : [`${manifest.dump.file}: sha256 ${sha}, the manifest has ${manifest.dump.sha256}`], detail: { bytes: manifest.dump.bytes, created_at: manifest.created_at } };
    });
    const restored = withDatabase(target, database);
    restoreStart = performance.now();
    const ok = intact && await run('restore', async () => {
      const major = Math.max(await serverMajor((q) => adminQuery(target, q)), Number(manifest.pg_dump));
      const tool = await checkTool(opts.config.PG_RESTORE, 'PG_RESTORE', major, opts.embedded ?? false);
      await adminQuery(target, `create database ${database} template template0`);
      created = true;
      const { dbname, env } = connectionArgs(restored);
      say(`restoring into ${describeTarget(restored)}`);
      await runTool(tool.bin, ['--exit-on-error', `--jobs=${opts.jobs ?? 2}`, `--dbname=${dbname}`, dumpFile], env);
      return { mismatches: [], detail: { pg_restore: tool.major } };
    });
    if (!ok) {
      skip(...(intact ? [] : ['restore']), 'migrations', 'data', 'audit', 'search', 'fleet', 'forensics');
    } else {
      const forensics = new Db({ connectionString: withRole(restored, ROLES.forensics), max: 2, applicationName: 'ballast drill restore' });
      const worker = new Db({ connectionString: withRole(restored, ROLES.worker), max: 4, applicationName: 'ballast drill restore', actor: 'restore-drill' });
      // Agents are provisioned by the owner alone (docs/agents.md).
      const operator = new Db({ connectionString: withRole(restored, ROLES.owner), max: 1, applicationName: 'ballast drill restore', actor: 'restore-drill' });
      try {
        await run('migrations', () => checkMigrations(forensics, manifest));
        // Before anything below writes to the restore.
        await run('data', () => checkData(restored, manifest));
        await run('audit', () => checkAudit(forensics, manifest));
        const scratch: Config = { ...opts.config, dataDir: scratchDir, BALLAST_SEARCH_COLLECTION: `${database}_search` };
        makeDirectory(scratchDir);
        await run('search', () => checkSearch(worker, scratch));
        let webhookId: string | null = null;
        await run('fleet', async () => {
          const r = await checkFleet({ url: restored, db: operator, dataDir: scratchDir, collection: scratch.BALLAST_SEARCH_COLLECTION });
          webhookId = r.status ? r.webhook_id : null;
          return { mismatches: r.mismatches, detail: { webhook_id: r.webhook_id, status: r.status } };
        });
        await run('forensics', () => checkForensics(forensics, webhookId));
      } finally {
        await Promise.all([forensics.close(), worker.close(), operator.close()]);
        // The local engine's collections go with the scratch dir; a real Qdrant keeps them until deleted.
        if (opts.config.QDRANT_URL) {
          await qdrantClient({ url: opts.config.QDRANT_URL, apiKey: opts.config.QDRANT_API_KEY }).deleteCollection(`${database}_search`).catch(() => undefined);
        }
      }
    }
  } catch (e) {
    // A backup that cannot be taken or read: the drill fails, and says why.
    if (!checks.some((c) => c.name === 'backup')) checks.push({ name: 'backup', status: 'fail', seconds: 0, mismatches: [(e as Error).message] });
    else throw e;
    skip('restore', 'migrations', 'data', 'audit', 'search', 'fleet', 'forensics');
  } finally {
    if (created && !opts.keep) await adminQuery(target, `drop database if exists ${database} with (force)`).catch(() => undefined);
    if (!opts.keep) await fs.rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
  }

  const rto = restoreStart ? Math.round(performance.now() - restoreStart) / 1000 : 0;
  const rtoTarget = opts.rtoTargetSeconds ?? RTO_TARGET_SECONDS;
  // Nothing restored (no usable backup, or pg_restore failed): no recovery time to judge.
  if (!checks.some((c) => c.name === 'restore' && c.status === 'pass')) skip('rto');
  else checks.push({ name: 'rto', status: rto <= rtoTarget ? 'pass' : 'fail', seconds: 0,
    mismatches: rto <= rtoTarget ? [] : [`RTO ${rto} s exceeds the target of ${rtoTarget} s`] });
  const mismatches = checks.reduce((n, c) => n + c.mismatches.length, 0);
  const report: DrillReport = {
    status: mismatches === 0 ? 'passed' : 'failed', drill_id: null, started_at: startedAt.toISOString(),
    backup: backupDir, target: describeTarget(withDatabase(target, database)), database, kept: Boolean(opts.keep),
    rto_seconds: rto, rto_target_seconds: rtoTarget, mismatches, checks,
  };
  report.drill_id = await recordDrill(opts, report, startedAt);
  return report;
}

/** Records the report in the source database as the owner; a failed drill raises its alert at once. */
async function recordDrill(opts: DrillOptions, report: DrillReport, startedAt: Date): Promise<number> {
  const db = new Db({ connectionString: withRole(opts.sourceUrl, ROLES.owner), max: 1, applicationName: 'ballast drill restore', actor: opts.config.cliActor });
  try {
    const id = await db.atomicWrite(async (tx) => Number((await tx.query(
      `insert into ballast.restore_drills (started_at, status, backup, target, rto_seconds, mismatches, report)
       values ($1, $2, $3, $4, $5, $6, $7) returning id`,
      [startedAt, report.status, report.backup, report.target, report.rto_seconds, report.mismatches, JSON.stringify({ ...report, drill_id: undefined })])).rows[0].id));
    if (report.status === 'failed') await evaluateAlerts(db, { rules: ['restore_drill_failed'] });
    return id;
  } finally {
    await db.close();
  }
}
