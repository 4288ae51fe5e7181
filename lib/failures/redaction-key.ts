/**
 * The install's redaction key, kept like the development webhook secret:
 * `BALLAST_REDACTION_KEY` when set, else a key generated once into
 * `<data dir>/redaction-key` (mode 0600) and shared by every process that
 * uses that data dir.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeDirectory, type Config } from '../config/index.ts';
import { Redactor } from './redact.ts';

export const redactionKeyFile = (config: Pick<Config, 'dataDir'>): string => path.join(config.dataDir, 'redaction-key');

/** The configured key, or the data dir's generated one (created on first use). */
export function redactionKey(config: Pick<Config, 'dataDir' | 'BALLAST_REDACTION_KEY'>): { key: string; generated: boolean } {
  if (config.BALLAST_REDACTION_KEY) return { key: config.BALLAST_REDACTION_KEY, generated: false };
  const file = redactionKeyFile(config);
  makeDirectory(config.dataDir);
  if (!fs.existsSync(file)) {
    // Written aside and linked into place, so a concurrent process never reads a half-written key.
    const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    fs.writeFileSync(tmp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    try {
      fs.linkSync(tmp, file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // another process won the race: use its key
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const key = fs.readFileSync(file, 'utf8').trim();
  if (key.length < 32) throw new Error(`${file} holds no usable redaction key (at least 32 characters); delete it to generate one`);
  return { key, generated: true };
}

/** The redactor every log line, envelope, dead letter and decision snapshot of this install goes through. */
export function redactorFromConfig(config: Pick<Config, 'dataDir' | 'BALLAST_REDACTION_KEY' | 'redactKeys'>): Redactor {
  return new Redactor({ key: redactionKey(config).key, extraKeys: config.redactKeys });
}
