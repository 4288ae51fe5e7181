/**
 * Persistence of the local engine under `<dir>/<collection>/`: `config.json`
 * and an append-only `points.log` (one JSON entry per line, vectors as base64
 * float32). An update is acknowledged only after its entries are appended; on
 * open the log is replayed and compacted to one line per live point.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { LocalCollection, type CollectionConfig, type LogEntry } from './collection.ts';
import { makeDirectory } from '../../config/index.ts';

export class CollectionLog {
  private chain: Promise<void> = Promise.resolve();
  constructor(readonly file: string) {}

  /** Appends entries in order; concurrent callers are serialized. */
  append(entries: LogEntry[]): Promise<void> {
    const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n';
    const next = this.chain.then(() => fsp.appendFile(this.file, text));
    this.chain = next.catch(() => undefined);
    return next;
  }
}

const safeName = (name: string) => encodeURIComponent(name);

export async function createStored(dir: string, name: string, config: CollectionConfig): Promise<LocalCollection> {
  const cdir = path.join(dir, safeName(name));
  await fsp.rm(cdir, { recursive: true, force: true });
  makeDirectory(cdir);
  await fsp.writeFile(path.join(cdir, 'config.json'), JSON.stringify(config));
  await fsp.writeFile(path.join(cdir, 'points.log'), '');
  return new LocalCollection(name, config, new CollectionLog(path.join(cdir, 'points.log')));
}

export async function dropStored(dir: string, name: string): Promise<void> {
  await fsp.rm(path.join(dir, safeName(name)), { recursive: true, force: true });
}

/** Loads every collection under `dir`, replaying and compacting its log. */
export async function loadAll(dir: string): Promise<LocalCollection[]> {
  makeDirectory(dir);
  const out: LocalCollection[] = [];
  for (const entry of await fsp.readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const cdir = path.join(dir, entry.name);
    const config = JSON.parse(await fsp.readFile(path.join(cdir, 'config.json'), 'utf8')) as CollectionConfig;
    const logFile = path.join(cdir, 'points.log');
    const c = new LocalCollection(decodeURIComponent(entry.name), config, new CollectionLog(logFile));
    const text = fs.existsSync(logFile) ? await fsp.readFile(logFile, 'utf8') : '';
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        c.apply(JSON.parse(line) as LogEntry);
      } catch {
        break; // a torn last line from a crash mid-append: everything before it was acknowledged
      }
    }
    await compact(cdir, c);
    out.push(c);
  }
  return out;
}

async function compact(cdir: string, c: LocalCollection): Promise<void> {
  await fsp.writeFile(path.join(cdir, 'config.json'), JSON.stringify(c.config));
  const tmp = path.join(cdir, 'points.log.tmp');
  const lines = [...c.points.values()].map((p) => JSON.stringify({
    op: 'upsert', id: p.id, v: Buffer.from(p.vector.buffer, p.vector.byteOffset, p.vector.byteLength).toString('base64'),
    payload: p.payload, version: p.version,
  } satisfies LogEntry));
  await fsp.writeFile(tmp, lines.length ? lines.join('\n') + '\n' : '');
  await fsp.rename(tmp, path.join(cdir, 'points.log'));
}
