/**
 * The weekly restore drill's system crontab entry says what its systemd unit
 * and timer say: the same time, user, environment files, data directory and
 * command. (drill.test.ts runs the entry's command through /bin/sh.)
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { ROOT } from '../helpers/cluster.ts';
import { drillCronEntry } from './cron-entry.ts';

const unit = async (name: string) => (await fs.readFile(path.join(ROOT, 'ops/systemd', name), 'utf8')).split('\n');
const values = (lines: string[], key: string) => lines.filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

t.test('the cron entry runs the drill weekly, at the timer\'s time, as the unit does', async (t) => {
  const cron = await drillCronEntry();
  const service = await unit('ballast-restore-drill.service');
  const timer = await unit('ballast-restore-drill.timer');

  const [calendar] = values(timer, 'OnCalendar');
  const m = /^Sun \*-\*-\* (\d\d):(\d\d):00$/.exec(calendar ?? '');
  t.ok(m, `the timer fires weekly on Sundays (${calendar})`);
  t.same(cron.schedule, [String(Number(m![2])), String(Number(m![1])), '*', '*', '0'], 'the cron entry: the same minute and hour, Sundays, every week');

  t.equal(cron.user, values(service, 'User')[0], 'as the same user');
  const [workdir] = values(service, 'WorkingDirectory');
  t.ok(cron.command.startsWith(`cd ${workdir} && set -a && `), 'in the same directory, exporting what it sources');
  const sourced = [...cron.command.matchAll(/\. (\S+)/g)].map((x) => x[1]);
  t.same(sourced, values(service, 'EnvironmentFile'), 'the same environment files, in the same order');
  const dataDir = values(service, 'Environment').find((e) => e.startsWith('BALLAST_DATA_DIR='))!.replace('%S', '/var/lib');
  t.ok(cron.command.includes(` ${dataDir} `), `the same data directory (${dataDir})`);
  t.ok(cron.command.includes(` ${values(service, 'ExecStart')[0]} >> `), 'the same command, its output appended to a log');
});
