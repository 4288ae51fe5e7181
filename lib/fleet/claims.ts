/**
 * What `ballast up` claims before it starts anything: its data dir (one `up`
 * per data dir, so a second one cannot start a second search engine there or
 * take over the first one's receiver.json and engine.json) and its receiver's
 * port (so a port held by another program fails at once, instead of the
 * receiver child failing to listen and being restarted for ever).
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { makeDirectory } from '../config/index.ts';

/** True if a process with this pid exists (and this process may signal it). */
export function processAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** Where a running process can be reached (`ballast up`'s receiver.json, the local search engine's engine.json). */
export interface ProcessRecord { url: string; pid: number }

/**
 * The record in `file` while its process is alive; null when there is none
 * or its process is gone (left by one that crashed). A file that is not such
 * a record (cut short by a full disk) is named, for the operator to delete.
 */
export async function readProcessRecord(file: string): Promise<ProcessRecord | null> {
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  let record: Partial<ProcessRecord> | null = null;
  try { record = JSON.parse(text) as Partial<ProcessRecord> | null; } catch { /* named below */ }
  if (typeof record?.url !== 'string' || !Number.isInteger(record.pid)) {
    throw new Error(`${file} is not a record of a running process ({"url", "pid"}): delete it`);
  }
  return processAlive(record.pid!) ? record as ProcessRecord : null;
}

export interface DataDirClaim {
  file: string;
  /** Removes the pid file, if it still names this process. */
  release(): Promise<void>;
}

/** Where `ballast up` records its pid: `<data dir>/up.pid`. */
export const upPidFile = (dataDir: string): string => path.join(dataDir, 'up.pid');

/**
 * Claims `dataDir` for this `ballast up` by creating `<data dir>/up.pid`
 * (exclusively) with this process's pid. A pid file whose pid is not alive,
 * or is this process's own (a container restarted with the same pid), was
 * left by an `up` that crashed, and is taken over. A pid reused by another
 * program is not detected: the error then names the file to delete. Two
 * `up`s taking over the same stale file at the same instant are not told
 * apart either (the takeover is remove, then create).
 */
export async function claimDataDir(dataDir: string): Promise<DataDirClaim> {
  makeDirectory(dataDir);
  const file = upPidFile(dataDir);
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw e;
    }
    const holder = Number((await fs.readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
      throw new Error(`another \`ballast up\` (pid ${holder}) is running on the data dir ${dataDir}: stop it first, or set BALLAST_DATA_DIR to another directory (if pid ${holder} is not ballast, delete ${file})`);
    }
    await fs.rm(file, { force: true });
  }
  return {
    file,
    async release() {
      const holder = await fs.readFile(file, 'utf8').catch(() => '');
      if (holder.trim() === String(process.pid)) await fs.rm(file, { force: true });
    },
  };
}

/**
 * Throws a one-line error if nothing can listen on `host:port` now, e.g.
 * because another program holds the port. The port is free again when this
 * returns; a program that takes it before the receiver does is caught by
 * `up`'s readiness check (its receiver child exits).
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true }, () => resolve());
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`the receiver's port ${port} on ${host} is already in use by another program: stop it, or choose another port with --port or BALLAST_HTTP_PORT`);
    throw new Error(`the receiver cannot listen on port ${port} on ${host} (${code ?? (e as Error).message}): choose another port with --port or BALLAST_HTTP_PORT`);
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
