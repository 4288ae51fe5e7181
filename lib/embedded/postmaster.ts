/**
 * The embedded server's postmaster run as a child of this process (the
 * `child` option of startEmbedded, which `ballast up` uses) instead of
 * detached under pg_ctl. Its exit is then an event of this process, and this
 * process reaps it: a postmaster detached under pg_ctl belongs to PID 1 once
 * pg_ctl exits, and where PID 1 reaps no orphans (`npm start` as a
 * container's first process) a killed postmaster stays a zombie, which still
 * looks alive to a kill(pid, 0) probe, PostgreSQL's own lock-file check
 * included, so it could neither be noticed nor started again.
 *
 * The child has its own session, like pg_ctl's, so a terminal's Ctrl-C does
 * not reach it; it keeps running if this process dies, and whoever comes
 * next finds it through postmaster.pid.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import pg from 'pg';

/** Seconds a start may take before it counts as failed. */
export const START_TIMEOUT_S = 60;

export interface PostmasterSpec {
  /** The `postgres` binary. */
  postgres: string;
  pgdata: string;
  /** Its arguments after `-D <pgdata>`: `-p <port>` and `-c name=value` settings. */
  args: string[];
  /** File that receives its output (appended). */
  logFile: string;
  /** User and group to run as (the `postgres` user when this process is root). */
  ids: { uid?: number; gid?: number };
  /** A connection string that works once the server accepts connections. */
  readyUrl: string;
}

export interface PostmasterExit { pid: number; code: number | null; signal: NodeJS.Signals | null }

export interface Postmaster {
  /** The pid of the postmaster started last. */
  readonly pid: number;
  /** Resolves when the postmaster started last exits. */
  exited(): Promise<PostmasterExit>;
  /** Starts it again (same data dir, port and settings); throws, with what it logged, if it exits or times out before it accepts connections. */
  restart(): Promise<void>;
}

/** The last 15 lines of a server log, of what it got after byte `from` ('' if it cannot be read). */
export async function logTail(logFile: string, from = 0): Promise<string> {
  const text = (await fs.readFile(logFile).catch(() => Buffer.alloc(0))).subarray(from).toString('utf8');
  return text.trimEnd().split('\n').slice(-15).join('\n');
}

/** True if a client can log in at `url` now. */
export async function canConnect(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Starts the postmaster as a child of this process and waits until it accepts connections. */
export async function startPostmaster(spec: PostmasterSpec): Promise<Postmaster> {
  let current = await launch(spec);
  return {
    get pid() { return current.pid; },
    exited: () => current.exited,
    async restart() { current = await launch(spec); },
  };
}

const ownsPidFile = async (pgdata: string, pid: number) =>
  (await fs.readFile(`${pgdata}/postmaster.pid`, 'utf8').catch(() => '')).split('\n')[0] === String(pid);

async function launch(spec: PostmasterSpec): Promise<{ pid: number; exited: Promise<PostmasterExit> }> {
  const out = await fs.open(spec.logFile, 'a');
  const from = (await out.stat()).size; // what this start writes comes after
  const child = spawn(spec.postgres, ['-D', spec.pgdata, ...spec.args], { ...spec.ids, detached: true, stdio: ['ignore', out.fd, out.fd] });
  await out.close();
  child.unref(); // this process may end while the server runs on; `stop()` is pg_ctl's
  let exit = null as PostmasterExit | null; // set by the handlers below
  const exited = new Promise<PostmasterExit>((resolve) => {
    child.once('error', () => resolve(exit = { pid: child.pid ?? 0, code: null, signal: null })); // could not be spawned
    child.once('exit', (code, signal) => resolve(exit = { pid: child.pid!, code, signal }));
  });
  const deadline = Date.now() + START_TIMEOUT_S * 1000;
  for (;;) {
    if (exit) {
      const how = exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
      throw new Error(`PostgreSQL exited (${how}) before it accepted connections; it logged:\n${await logTail(spec.logFile, from)}`);
    }
    // Its own pid in postmaster.pid: the server answering is this one, not another on the same port.
    if (await ownsPidFile(spec.pgdata, child.pid!) && await canConnect(spec.readyUrl)) return { pid: child.pid!, exited };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await exited;
      throw new Error(`PostgreSQL did not accept connections within ${START_TIMEOUT_S} s; it logged:\n${await logTail(spec.logFile, from)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
