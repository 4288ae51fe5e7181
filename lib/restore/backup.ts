/**
 * `ballast backup`: a logical backup (`pg_dump -Fc`) and its manifest, both
 * of one snapshot. The manifest is computed in a repeatable-read transaction
 * that exports its snapshot, and pg_dump reads that same snapshot
 * (`--snapshot`), so every count and hash describes exactly the rows in the dump
 * even while the fleet keeps writing.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { databaseState, MANIFEST_VERSION, STABLE_SETTINGS, type Manifest } from './manifest.ts';
import { checkTool, connectionArgs, runTool, serverMajor } from './tools.ts';
import { describeTarget } from '../db/index.ts';
import { makeDirectory } from '../config/index.ts';

export const DUMP_FILE = 'ballast.dump';
export const MANIFEST_FILE = 'manifest.json';

export interface BackupOptions {
  /** Directory to write `ballast.dump` and `manifest.json` to (created; must not hold a backup yet). */
  out: string;
  /** PG_DUMP. @defaultValue `pg_dump` */
  pgDump?: string;
  /** The server is the embedded one (changes only the error message). */
  embedded?: boolean;
  onProgress?: (msg: string) => void;
}

export interface BackupResult {
  dir: string;
  manifest: Manifest;
  seconds: number;
}

/** sha256 of a file, streamed. */
export async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Backs up the database at `url` (the login user, who must be able to read every table). */
export async function takeBackup(url: string, opts: BackupOptions): Promise<BackupResult> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url, application_name: 'ballast backup' });
  await client.connect();
  try {
    const tool = await checkTool(opts.pgDump ?? 'pg_dump', 'PG_DUMP', await serverMajor((q) => client.query(q)), opts.embedded ?? false);
    const dir = path.resolve(opts.out);
    makeDirectory(dir);
    const dumpFile = path.join(dir, DUMP_FILE);
    if (await fs.stat(path.join(dir, MANIFEST_FILE)).catch(() => null)) throw new Error(`${dir} already holds a backup; choose another --out`);
    await client.query('begin isolation level repeatable read read only');
    const { rows: [{ snapshot }] } = await client.query('select pg_export_snapshot() as snapshot');
    await client.query(STABLE_SETTINGS);
    opts.onProgress?.('computing the manifest');
    const state = await databaseState(client);
    opts.onProgress?.('running pg_dump');
    const { dbname, env } = connectionArgs(url);
    await runTool(tool.bin, ['--format=custom', `--snapshot=${snapshot}`, `--file=${dumpFile}`, `--dbname=${dbname}`], env).catch(async (e) => {
      await fs.rm(dumpFile, { force: true }); // half a dump is no backup
      throw e;
    });
    await client.query('commit');
    const manifest: Manifest = {
      version: MANIFEST_VERSION,
      created_at: new Date().toISOString(),
      source: describeTarget(url),
      pg_dump: String(tool.major),
      dump: { file: DUMP_FILE, sha256: await sha256File(dumpFile), bytes: (await fs.stat(dumpFile)).size },
      ...state,
    };
    await fs.writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    return { dir, manifest, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

/** Reads a backup directory's manifest (or the manifest file itself). */
export async function readBackup(where: string): Promise<{ dir: string; manifest: Manifest }> {
  const file = (await fs.stat(where)).isDirectory() ? path.join(where, MANIFEST_FILE) : where;
  const manifest = JSON.parse(await fs.readFile(file, 'utf8')) as Manifest;
  if (manifest.version !== MANIFEST_VERSION || !manifest.dump?.file || !manifest.tables) {
    throw new Error(`${file} is not a ballast backup manifest (version ${MANIFEST_VERSION})`);
  }
  return { dir: path.dirname(file), manifest };
}
