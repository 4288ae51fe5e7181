/**
 * pg_dump and pg_restore: found, versioned, and run without a password on
 * their command line. pg_dump must be at least the server's major version
 * (an older one refuses a newer server), and the embedded PostgreSQL ships
 * neither tool, so the error says exactly what to set.
 */
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { childEnvironment } from '../config/index.ts';

const exec = promisify(execFile);

/** A PostgreSQL client tool is missing or too old for the server; the message says what to set. */
export class BackupToolError extends Error {
  override name = 'BackupToolError';
}

export interface ToolCheck {
  /** The binary as configured (PG_DUMP / PG_RESTORE). */
  bin: string;
  /** Its major version. */
  major: number;
}

/** The major version `bin --version` prints, or null when it cannot be run. */
export async function toolMajor(bin: string): Promise<number | null> {
  const out = await exec(bin, ['--version']).catch(() => null);
  const m = out && /\(PostgreSQL\)\s+(\d+)/.exec(out.stdout);
  return m ? Number(m[1]) : null;
}

/**
 * Checks that `bin` (PG_DUMP or PG_RESTORE, named by `variable`) runs and is
 * at least `serverMajor`; throws a BackupToolError saying what to set.
 * `embedded` says the server is ballast's embedded one, which ships no client tools.
 */
export async function checkTool(bin: string, variable: 'PG_DUMP' | 'PG_RESTORE', serverMajor: number, embedded: boolean): Promise<ToolCheck> {
  const major = await toolMajor(bin);
  if (major !== null && major >= serverMajor) return { bin, major };
  const found = major === null ? `${variable} (${bin}) was not found or did not run` : `${variable} (${bin}) is PostgreSQL ${major}'s, older than the server`;
  const where = embedded
    ? `the embedded PostgreSQL ${serverMajor} ships no pg_dump or pg_restore, and ${found}`
    : `${found}`;
  throw new BackupToolError(
    `backups need pg_dump and pg_restore of PostgreSQL ${serverMajor} or newer (the server's version): ${where}. ` +
    `Set PG_DUMP and PG_RESTORE to PostgreSQL ${serverMajor}'s client tools (e.g. /usr/lib/postgresql/${serverMajor}/bin/pg_dump), ` +
    `or set DATABASE_URL to a server your tools can read` +
    (major !== null ? ` (PostgreSQL ${major} or older)` : '') + '.');
}

/** The server's major version. */
export async function serverMajor(query: (sql: string) => Promise<{ rows: any[] }>): Promise<number> {
  const { rows: [r] } = await query('show server_version_num');
  return Math.floor(Number(r.server_version_num) / 10000);
}

/**
 * `url` without its password, and the environment that carries it instead
 * (PGPASSWORD), so it never shows in a process list.
 */
export function connectionArgs(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  return { dbname: u.toString(), env: childEnvironment(password ? { PGPASSWORD: password } : {}) };
}

/** Runs a client tool to completion; rejects with the tail of its stderr. */
export function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => { err = (err + c).slice(-4000); });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`${bin} exited with ${code ?? signal}: ${err.trim()}`));
    });
  });
}
