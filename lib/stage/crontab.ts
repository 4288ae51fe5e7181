/** The fleet's crontab lives in `ops/crontab`, where operators read it. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CRONTAB_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../ops/crontab');

/** The crontab text, or undefined when it has no entries. */
export function readCrontab(file = CRONTAB_FILE): string | undefined {
  const text = fs.readFileSync(file, 'utf8');
  return text.split('\n').some((l) => l.trim() && !l.trim().startsWith('#')) ? text : undefined;
}
