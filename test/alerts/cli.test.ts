/**
 * `ballast alerts ...` run as the operator runs it: list, show with the
 * evidence and the next command, ack and resolve with a note, and the rules,
 * changed only with --set (as the owner; audited).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { evaluateAlerts } from '../../lib/alerts/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';

const run = promisify(execFile);
const ballast = async (url: string, ...args: string[]) => (await run(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args],
  { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops' } })).stdout;
const fails = (url: string, ...args: string[]) => ballast(url, ...args).then(() => { throw new Error('expected a failure'); }, (e) => e as { code: number; stdout: string; stderr: string });

t.test('list, show, ack and resolve an alert; list and change the rules', async (t) => {
  const { db, url } = await testDatabase(t);
  await db.query(`update ballast.alert_rules set for_seconds = 0 where name = 'dead_letters_present'`);
  const { rows: [dl] } = await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, context)
    values ('i', 'extract_claims', '{"correlation_id": "corr-9"}') returning id`);
  await evaluateAlerts(db, { rules: ['dead_letters_present'] });
  const { rows: [a] } = await db.query(`select id::text from ballast.alerts`);

  t.match(await ballast(url, 'alerts', 'list', '--open'), new RegExp(`${a.id}.*open.*warning.*dead_letters_present.*extract_claims`));
  t.match(JSON.parse(await ballast(url, 'alerts', 'list', '--json')), [{ id: a.id, rule: 'dead_letters_present', occurrences: 1 }]);
  const shown = await ballast(url, 'alerts', 'show', a.id);
  t.match(shown, /1 unresolved dead letter\(s\) of extract_claims/);
  t.match(shown, new RegExp(`evidence:.*"ids":\\["${dl.id}"\\].*"table":"ballast.pipeline_failures"`), 'the evidence rows');
  t.match(shown, /next:\n  npx ballast dlq list --function extract_claims/, 'the next command to run');
  t.equal(shown.split('ops/runbooks/alerts.md#dead_letters_present').length - 1, 1, 'the runbook, once');

  t.match(await ballast(url, 'alerts', 'ack', a.id, '--note', 'on it'), /acknowledged/);
  t.match((await fails(url, 'alerts', 'ack', a.id, '--note', 'again')).code, 1, 'only an open alert is acknowledged');
  t.match((await fails(url, 'alerts', 'resolve', a.id)).stderr, /--note/, 'a note is required');
  t.match(await ballast(url, 'alerts', 'resolve', a.id, '--note', 'requeued it'), /resolved/);
  t.match((await db.query(`select status, note, acknowledged_by, resolved_by from ballast.alerts where id = $1`, [a.id])).rows[0],
    { status: 'resolved', note: 'on it; requeued it', acknowledged_by: 'cli:ops', resolved_by: 'cli:ops' });
  t.match(await ballast(url, 'alerts', 'list', '--open'), /no open alerts/);
  t.match((await fails(url, 'alerts', 'show', 'x')).stderr, /not an alert id/);

  const rules = await ballast(url, 'alerts', 'rules');
  t.match(rules, /stuck_attempts.*warning.*300/);
  t.match(rules, /archive_failed.*critical.*true/);
  t.match(await ballast(url, 'alerts', 'rules', '--set', 'stuck_attempts.threshold=600', '--set', 'error_spike.for_seconds=120'),
    /stuck_attempts.threshold = 600\nerror_spike.for_seconds = 120/);
  t.match((await db.query(`select threshold::int, updated_by from ballast.alert_rules where name = 'stuck_attempts'`)).rows[0], { threshold: 600, updated_by: 'cli:ops' });
  const { rows: [audit] } = await db.query(`select actor, db_role from audit.ledger where entity_type = 'ballast.alert_rules' order by id desc limit 1`);
  t.same(audit, { actor: 'cli:ops', db_role: 'ballast_owner' }, 'changed as the owner, audited');
  // A rule whose condition has not shipped (sql/alerts/<name>.sql) cannot be turned on.
  await db.query(`insert into ballast.alert_rules (name, severity, threshold, enabled, description) values ('not_shipped_yet', 'info', 1, false, 'test')`);
  t.match((await fails(url, 'alerts', 'rules', '--set', 'not_shipped_yet.enabled=true')).stderr, /has no condition yet/);
  t.match((await fails(url, 'alerts', 'rules', '--set', 'stuck_attempts.query=drop')).stderr, /unknown rule field/);
  t.match((await fails(url, 'alerts', 'rules', '--set', 'nope.threshold=1')).stderr, /no alert rule nope/);
});

t.test('show names the runbook once, for a rule whose first step is its runbook too', async (t) => {
  const { db, url } = await testDatabase(t);
  const { rows: [a] } = await db.query(`insert into ballast.alerts (rule, severity, message, dedupe_key)
    values ('archive_failed', 'critical', 'archive of app.x failed', 'archive_failed:app.x') returning id::text`);
  const shown = await ballast(url, 'alerts', 'show', a.id);
  t.equal(shown.split('ops/runbooks/alerts.md#archive_failed').length - 1, 1, 'the runbook, once');
  t.match(shown, /next:\n  runbook: ops\/runbooks\/alerts.md#archive_failed\n$/);
  t.match(JSON.parse(await ballast(url, 'alerts', 'show', a.id, '--json')), { next: [], runbook: 'ops/runbooks/alerts.md#archive_failed' });
});
