/** `ballast alerts list|show|ack|resolve|rules|check`: alerts and their rules, for operators and monitors. */
import type { Command } from 'commander';
import { checkAlerts, acknowledgeAlert, alertRunbook, getAlert, listAlerts, loadRules, nextCommand, parseRuleSetting, resolveAlert, setRule, type AlertRow } from '../../lib/alerts/index.ts';
import { ROLES } from '../../lib/db/index.ts';
import { withSession } from './context.ts';

function checkId(id: string): string {
  if (!/^\d+$/.test(id)) throw new Error(`"${id}" is not an alert id (a number; see \`ballast alerts list\`)`);
  return id;
}
const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const component = (a: AlertRow) => Object.values(a.subject ?? {}).filter((v) => typeof v === 'string').join(' ');

export async function alertsList(opts: { open?: boolean; limit: number; json?: boolean }) {
  await withSession(async ({ db }) => {
    const rows = await listAlerts(db, { open: opts.open ?? false, limit: opts.limit });
    if (opts.json) console.log(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) console.log(opts.open ? 'no open alerts' : 'no alerts');
    else console.table(rows.map((a) => ({ id: a.id, status: a.status, severity: a.severity, rule: a.rule, subject: component(a),
      occurrences: a.occurrences, last_seen_at: iso(a.last_seen_at), message: a.message.slice(0, 100) })));
  });
}

export async function alertsShow(id: string, opts: { json?: boolean }) {
  await withSession(async ({ db }) => {
    const a = await getAlert(db, checkId(id));
    if (!a) throw new Error(`no alert ${id}`);
    const next = nextCommand(a);
    const runbook = alertRunbook(a.rule);
    if (opts.json) { console.log(JSON.stringify({ ...a, next, runbook }, null, 2)); return; }
    console.log(`alert ${a.id}  ${a.severity}  ${a.status}  ${a.rule}`);
    console.log(`  ${a.message}`);
    console.log(`  subject:     ${JSON.stringify(a.subject)}`);
    console.log(`  seen:        ${iso(a.first_seen_at)} .. ${iso(a.last_seen_at)} (${a.occurrences} evaluation${a.occurrences === 1 ? '' : 's'})`);
    if (a.acknowledged_at) console.log(`  acknowledged ${iso(a.acknowledged_at)}`);
    if (a.resolved_at) console.log(`  resolved     ${iso(a.resolved_at)}`);
    if (a.note) console.log(`  note:        ${a.note}`);
    if (a.trace_id || a.correlation_id) console.log(`  trace:       ${a.trace_id ?? '-'}  correlation: ${a.correlation_id ?? '-'}`);
    console.log(`  evidence:    ${JSON.stringify(a.evidence)}`);
    console.log('\nnext:');
    for (const c of next) console.log(`  ${c}`);
    console.log(`  runbook: ${runbook}`);
  });
}

export async function alertsAck(id: string, opts: { note: string }) {
  await withSession(async ({ db, config }) => {
    const done = await acknowledgeAlert(db, checkId(id), opts.note, config.cliActor);
    if (!done) throw new Error(`alert ${id} not found or not open (see \`ballast alerts list --open\`)`);
    console.log(`alert ${id} acknowledged`);
  });
}

export async function alertsResolve(id: string, opts: { note: string }) {
  await withSession(async ({ db, config }) => {
    const done = await resolveAlert(db, checkId(id), opts.note, config.cliActor);
    if (!done) throw new Error(`alert ${id} not found or already resolved (see \`ballast alerts list --open\`)`);
    console.log(`alert ${id} resolved`);
  });
}

/** Lists the rules; with `--set`, changes them first (as the owner; reading alone needs no more than forensics). */
export async function alertsRules(opts: { set?: string[]; json?: boolean }) {
  const settings = (opts.set ?? []).map(parseRuleSetting);
  await withSession(async ({ db, config }) => {
    for (const s of settings) {
      const r = await setRule(db, s, config.cliActor);
      console.log(`${r.name}.${s.field} = ${String(r[s.field])}`);
    }
    const rules = await loadRules(db);
    if (opts.json) console.log(JSON.stringify(rules, null, 2));
    else console.table(rules.map((r) => ({ name: r.name, severity: r.severity, threshold: r.threshold, window_s: r.window_seconds,
      for_s: r.for_seconds, enabled: r.enabled, auto_resolve: r.auto_resolve })));
  }, settings.length ? { role: ROLES.owner } : { role: ROLES.forensics });
}

/** `ballast alerts check`: for a monitor outside the fleet (lib/alerts/check.ts); exit 0 ok, 1 warning, 2 critical. */
export function registerAlertCheckCommand(alerts: Command, positiveInt: (v: string, name: string) => number): void {
  alerts.command('check')
    .description('for a monitor outside the fleet: critical when alert rules have not been evaluated lately (no worker runs them) or a critical alert is open; exit 0 ok, 1 warning, 2 critical')
    .option('--max-age <seconds>', 'how old the last successful evaluation may be', (v) => positiveInt(v, '--max-age'), 180)
    .action(async (opts: { maxAge: number }) => {
      await withSession(async ({ db }) => {
        const r = await checkAlerts(db, { maxAgeSeconds: opts.maxAge });
        for (const line of r.lines) console.log(line);
        process.exitCode = r.status;
      });
    });
}
