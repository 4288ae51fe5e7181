/**
 * The weekly drill's system crontab entry (ops/cron.d/ballast-restore-drill),
 * parsed, for the tests that check it against its systemd unit and run it.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ROOT } from '../helpers/cluster.ts';

export interface CronEntry { schedule: string[]; user: string; command: string }

export async function drillCronEntry(): Promise<CronEntry> {
  const text = await fs.readFile(path.join(ROOT, 'ops/cron.d/ballast-restore-drill'), 'utf8');
  const jobs = text.split('\n').filter((l) => l.trim() && !l.startsWith('#') && !/^[A-Z_]+=/.test(l));
  if (jobs.length !== 1) throw new Error(`ops/cron.d/ballast-restore-drill should hold one job line, not ${jobs.length}`);
  const fields = jobs[0]!.trim().split(/\s+/);
  return { schedule: fields.slice(0, 5), user: fields[5]!, command: fields.slice(6).join(' ') };
}
