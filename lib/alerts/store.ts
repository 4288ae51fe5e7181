/**
 * What operators do with alerts and rules (`ballast alerts ...`): list,
 * show with the next command to run, acknowledge, resolve, and change a
 * rule (the owner's). Every change is audited (011_alerts).
 */
import type { Db } from '../db/index.ts';
import { hasCondition } from './conditions.ts';
import { loadRules, type AlertRule } from './evaluate.ts';

export interface AlertRow {
  id: string; rule: string; severity: string; subject: Record<string, unknown>; message: string; dedupe_key: string;
  status: 'open' | 'acknowledged' | 'resolved'; first_seen_at: Date; last_seen_at: Date; occurrences: number;
  acknowledged_at: Date | null; resolved_at: Date | null; note: string | null; trace_id: string | null;
  correlation_id: string | null; evidence: Record<string, unknown>;
}

/** Alerts, newest activity first; `open`: not resolved (open or acknowledged). */
export async function listAlerts(db: Db, opts: { open?: boolean; limit?: number } = {}): Promise<AlertRow[]> {
  return db.readOnly(async (tx) => (await tx.query<AlertRow>(
    `select id::text, rule, severity, subject, message, dedupe_key, status, first_seen_at, last_seen_at, occurrences,
            acknowledged_at, resolved_at, note, trace_id, correlation_id, evidence
       from ballast.alerts where (not $1 or status <> 'resolved')
      order by status = 'resolved', last_seen_at desc, id desc limit $2`, [opts.open ?? false, opts.limit ?? 100])).rows);
}

export async function getAlert(db: Db, id: string): Promise<AlertRow | null> {
  return db.readOnly(async (tx) => (await tx.query<AlertRow>(`select *, id::text from ballast.alerts where id = $1`, [id])).rows[0] ?? null);
}

/** Runbook sections that cover more than one rule, by their heading's anchor. */
const SHARED_SECTIONS: Record<string, string> = { usage_warning: 'usage_warning-usage_blocked', usage_blocked: 'usage_warning-usage_blocked' };

/**
 * Where the runbook says what an alert of `rule` means and what to check
 * first: its section's anchor as GitHub makes it from the heading (the rule's
 * name, underscores kept).
 */
export const alertRunbook = (rule: string): string => `ops/runbooks/alerts.md#${SHARED_SECTIONS[rule] ?? rule}`;

/**
 * What to run next for an alert of `rule`: the commands that show the evidence
 * or fix it; none for a rule whose first step is its runbook (`alertRunbook`).
 */
export function nextCommand(a: Pick<AlertRow, 'rule' | 'subject' | 'trace_id' | 'correlation_id' | 'evidence'>): string[] {
  const component = typeof a.subject.component === 'string' ? a.subject.component : undefined;
  const traced = a.trace_id ?? a.correlation_id;
  const agent = typeof a.subject.agent === 'string' ? a.subject.agent : '<agent>';
  const steps: Record<string, string[]> = {
    trace_id_policy_violation: ['npx ballast policy', ...(traced ? [`npx ballast trace ${traced}`] : [])],
    dead_letters_present: component === 'search_sync'
      ? ['npx ballast search-health', 'npx ballast reconcile search']
      : [`npx ballast dlq list${component ? ` --function ${component}` : ''}`, 'npx ballast dlq show <id>', 'npx ballast dlq requeue <id>'],
    outbox_freshness: ['npx ballast search-health', 'npx ballast workers'],
    search_drift: ['npx ballast search-health', 'npx ballast reconcile search'],
    stuck_attempts: ['npx ballast stuck', 'npx ballast workers'],
    usage_warning: [`npx ballast usage show ${agent}`],
    usage_blocked: [`npx ballast usage show ${agent}`, `npx ballast usage set-limit ${agent} --hard-minutes <n> --reason <the account owner's decision>`,
      'npx ballast inbox replay --status quarantined --reason usage_blocked --note <why>'],
    usage_reconciliation_mismatch: [
      `npx ballast reconcile usage --day ${typeof a.subject.usage_day === 'string' ? a.subject.usage_day : '<day>'}`],
    error_spike: traced ? [`npx ballast trace ${traced}`, 'npx ballast dlq list --age 1h'] : ['npx ballast dlq list --age 1h'],
  };
  return steps[a.rule] ?? [];
}

/** open -> acknowledged. False when it is not open. */
export async function acknowledgeAlert(db: Db, id: string, note: string, actor: string): Promise<boolean> {
  if (!note.trim()) throw new Error('a note is required');
  const { rowCount } = await db.atomicWrite((tx) => tx.query(
    `update ballast.alerts set status = 'acknowledged', acknowledged_at = now(), acknowledged_by = $3,
            note = coalesce(note || '; ', '') || $2
      where id = $1 and status = 'open'`, [id, note, actor]), { actor, reason: note });
  return (rowCount ?? 0) > 0;
}

/**
 * open | acknowledged -> resolved, by hand. False when it is already
 * resolved. If its condition still holds, the next evaluation opens a new alert.
 */
export async function resolveAlert(db: Db, id: string, note: string, actor: string): Promise<boolean> {
  if (!note.trim()) throw new Error('a note is required');
  const { rowCount } = await db.atomicWrite((tx) => tx.query(
    `update ballast.alerts set status = 'resolved', resolved_at = now(), resolved_by = $3,
            note = coalesce(note || '; ', '') || $2
      where id = $1 and status <> 'resolved'`, [id, note, actor]), { actor, reason: note });
  return (rowCount ?? 0) > 0;
}


const SETTABLE = {
  threshold: (v: string) => finite(v),
  window_seconds: (v: string) => positiveInt(v),
  for_seconds: (v: string) => { const n = Number(v); if (!Number.isInteger(n) || n < 0) throw new Error(`expected whole seconds >= 0, got "${v}"`); return n; },
  enabled: (v: string) => bool(v),
  auto_resolve: (v: string) => bool(v),
  severity: (v: string) => { if (!['info', 'warning', 'critical'].includes(v)) throw new Error(`severity is info, warning or critical, got "${v}"`); return v; },
} as const;
export type RuleField = keyof typeof SETTABLE;

/** Parses `name.field=value` (`--set`). */
export function parseRuleSetting(s: string): { rule: string; field: RuleField; value: unknown } {
  const m = /^([a-z][a-z0-9_]*)\.([a-z_]+)=(.*)$/.exec(s.trim());
  if (!m) throw new Error(`--set takes rule.field=value (fields: ${Object.keys(SETTABLE).join(', ')}), got "${s}"`);
  const field = m[2] as RuleField;
  if (!Object.hasOwn(SETTABLE, field)) throw new Error(`unknown rule field "${m[2]}" (fields: ${Object.keys(SETTABLE).join(', ')})`);
  return { rule: m[1]!, field, value: SETTABLE[field](m[3]!) };
}

/** Changes one field of one rule (the owner's). Enabling a rule whose condition has not shipped is refused. */
export async function setRule(db: Db, setting: { rule: string; field: RuleField; value: unknown }, actor: string): Promise<AlertRule> {
  if (setting.field === 'enabled' && setting.value === true && !hasCondition(setting.rule)) {
    throw new Error(`rule ${setting.rule} has no condition yet (sql/alerts/${setting.rule}.sql arrives with its feature); it stays disabled`);
  }
  // The column is one of SETTABLE's keys, checked above; the value is a parameter.
  const { rowCount } = await db.atomicWrite((tx) => tx.query(
    `update ballast.alert_rules set ${setting.field} = $2 where name = $1`, [setting.rule, setting.value]),
  { actor, reason: `alerts rules --set ${setting.rule}.${setting.field}` });
  if (!rowCount) throw new Error(`no alert rule ${setting.rule} (see \`ballast alerts rules\`)`);
  return (await loadRules(db)).find((r) => r.name === setting.rule)!;
}

function finite(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`expected a number, got "${v}"`);
  return n;
}
function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`expected a positive whole number, got "${v}"`);
  return n;
}
function bool(v: string): boolean {
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`expected true or false, got "${v}"`);
}
