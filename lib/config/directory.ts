/**
 * Creating the directories ballast keeps its files in (the data dir, the
 * archive and backup directories, and those under them).
 */
import fs from 'node:fs';
import path from 'node:path';

/**
 * Creates `dir` and its missing parents, one level at a time, and throws an
 * error naming the level that could not be created. Node's recursive mkdir
 * is not used: when a parent exists but refuses a child with ENOENT (as
 * /proc does), it retries for ever, and the command hangs.
 * @param mode of each directory created. @defaultValue 0o777 less the umask
 */
export function makeDirectory(dir: string, mode?: number): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  for (const d of missing) {
    try {
      fs.mkdirSync(d, { mode });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EEXIST' && fs.statSync(d).isDirectory()) continue; // made meanwhile by another process
      throw new Error(`cannot create the directory ${d}: ${err.message.split(',')[0]}`);
    }
  }
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${path.resolve(dir)} is not a directory`);
}
