/**
 * Where archives go: a small interface an S3-compatible store could
 * implement (put = PutObject, get = GetObject, list = ListObjectsV2, exists =
 * HeadObject), and the directory store behind the `local` name.
 *
 * Keys are relative paths with `/` separators (`<table>/<partition>.copy.gz`).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makeDirectory } from '../config/index.ts';

export interface ArchiveStore {
  /** The name retention policies use (`ballast.retention_policies.store`). */
  readonly name: string;
  /** Where it is, for messages and manifests (a directory, a bucket URL). */
  readonly location: string;
  /** Writes `body` under `key`, whole or not at all (a reader never sees half a file). */
  put(key: string, body: Readable | Buffer | string): Promise<void>;
  /** The object under `key`; rejects when there is none. */
  get(key: string): Promise<Readable>;
  /** Every key that starts with `prefix`, sorted. */
  list(prefix?: string): Promise<string[]>;
  exists(key: string): Promise<boolean>;
}

const KEY = /^(?!\/)(?!.*(?:^|\/)\.\.?(?:\/|$))[A-Za-z0-9._\/-]+$/;

function checkKey(key: string): string {
  if (!KEY.test(key)) throw new Error(`archive key ${JSON.stringify(key)} is not a relative path of [A-Za-z0-9._-] segments`);
  return key;
}

/** The `local` store: files under one directory (BALLAST_ARCHIVE_DIR). */
export class DirectoryStore implements ArchiveStore {
  readonly name: string;
  readonly location: string;

  constructor(dir: string, name = 'local') {
    this.location = path.resolve(dir);
    this.name = name;
  }

  private file(key: string): string {
    return path.join(this.location, ...checkKey(key).split('/'));
  }

  async put(key: string, body: Readable | Buffer | string): Promise<void> {
    const file = this.file(key);
    makeDirectory(path.dirname(file));
    // Written beside its final name, then renamed: a crash leaves a .partial, never half an archive.
    const partial = `${file}.${process.pid}.partial`;
    try {
      if (typeof body === 'string' || Buffer.isBuffer(body)) {
        await fs.writeFile(partial, body);
      } else {
        await pipeline(body, createWriteStream(partial));
      }
      const h = await fs.open(partial, 'r');
      await h.sync().finally(() => h.close());
      await fs.rename(partial, file);
    } catch (e) {
      await fs.rm(partial, { force: true });
      throw e;
    }
  }

  async get(key: string): Promise<Readable> {
    const file = this.file(key);
    await fs.access(file);
    return createReadStream(file);
  }

  async list(prefix = ''): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string, rel: string): Promise<void> => {
      const entries = await fs.readdir(dir, { withFileTypes: true }).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return [];
        throw e;
      });
      for (const e of entries) {
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(dir, e.name), key);
        else if (e.isFile() && !e.name.endsWith('.partial') && key.startsWith(prefix)) out.push(key);
      }
    };
    await walk(this.location, '');
    return out.sort();
  }

  async exists(key: string): Promise<boolean> {
    return fs.access(this.file(key)).then(() => true, () => false);
  }
}

/** The stores an install has, by name: `local` is BALLAST_ARCHIVE_DIR. */
export function archiveStores(config: { archiveDir: string }): Map<string, ArchiveStore> {
  return new Map([['local', new DirectoryStore(config.archiveDir)]]);
}
