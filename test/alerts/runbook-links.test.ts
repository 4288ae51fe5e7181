import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { alertRunbook } from '../../lib/alerts/index.ts';
import { ROOT } from '../helpers/cluster.ts';

/** The anchor GitHub gives a heading: lower case, punctuation but `-` and `_` dropped, spaces to dashes. */
const anchor = (heading: string) => heading.trim().toLowerCase().replace(/[^a-z0-9 _-]/g, '').replaceAll(' ', '-');

t.test('every alert rule links to a section the runbook has', async (t) => {
  const runbook = fs.readFileSync(path.join(ROOT, 'ops', 'runbooks', 'alerts.md'), 'utf8');
  const anchors = new Set([...runbook.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
  const rules = fs.readdirSync(path.join(ROOT, 'sql', 'alerts')).filter((f) => f.endsWith('.sql')).map((f) => f.replace(/\.sql$/, ''));
  t.ok(rules.length >= 10, 'the rules are read from sql/alerts');
  for (const rule of rules) {
    const [file, section] = alertRunbook(rule).split('#');
    t.equal(file, 'ops/runbooks/alerts.md');
    t.ok(anchors.has(section!), `${rule} -> #${section}`);
  }
});
