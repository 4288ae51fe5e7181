/**
 * One evaluation of the alert rules (the evaluate_alerts task): each enabled
 * rule's condition runs; each firing subject keeps one open alert per dedupe
 * key (`<rule>:<key>`) once it has held for the rule's `for_seconds`; an
 * alert whose key stops firing resolves if its rule auto-resolves.
 *
 * Two evaluators at once (two workers) never duplicate an alert: the open
 * alert is written with INSERT ... ON CONFLICT on the partial unique index
 * of not-resolved dedupe keys, which serialises on the key.
 */
import type { Db, Tx } from '../db/index.ts';
import { conditionQuery, hasCondition, type Firing } from './conditions.ts';

export interface AlertRule {
  name: string;
  severity: 'info' | 'warning' | 'critical';
  threshold: number;
  window_seconds: number;
  for_seconds: number;
  enabled: boolean;
  auto_resolve: boolean;
  description: string;
}

export interface EvaluateOptions {
  /** The evaluation's "now", passed to every condition as $2. @defaultValue `new Date()` */
  now?: Date;
  /** Only these rules (tests; an operator replaying one rule). @defaultValue every enabled rule */
  rules?: string[];
  /** The actor the audit ledger records. @defaultValue `maintenance:evaluate_alerts` */
  actor?: string;
}

export interface RuleOutcome {
  rule: string;
  /** Subjects the condition returned. */
  firing: number;
  /** Alerts opened (new) and bumped (already open) by this evaluation. */
  opened: number;
  bumped: number;
  /** Firing, but not yet for `for_seconds`. */
  pending: number;
  resolved: number;
  /** The condition failed (its error); the other rules still ran. */
  error: string | null;
}

export interface EvaluateResult {
  rules: number;
  opened: number;
  bumped: number;
  pending: number;
  resolved: number;
  failed: number;
  outcomes: RuleOutcome[];
}

export const EVALUATOR_ACTOR = 'maintenance:evaluate_alerts';

export async function loadRules(db: Db | Tx): Promise<AlertRule[]> {
  const { rows } = await db.query(
    `select name, severity, threshold::float8 as threshold, window_seconds, for_seconds, enabled, auto_resolve, description
       from ballast.alert_rules order by name`);
  return rows as AlertRule[];
}

/** Evaluates every enabled rule (or `opts.rules`), one transaction per rule. */
export async function evaluateAlerts(db: Db, opts: EvaluateOptions = {}): Promise<EvaluateResult> {
  const now = opts.now ?? new Date();
  const actor = opts.actor ?? EVALUATOR_ACTOR;
  const rules = (await loadRules(db)).filter((r) => r.enabled && (!opts.rules || opts.rules.includes(r.name)));
  const outcomes: RuleOutcome[] = [];
  for (const rule of rules) {
    try {
      outcomes.push(await db.atomicWrite((tx) => evaluateRule(tx, rule, now), { actor }));
    } catch (e) {
      outcomes.push({ rule: rule.name, firing: 0, opened: 0, bumped: 0, pending: 0, resolved: 0, error: (e as Error).message });
    }
  }
  const sum = (k: 'opened' | 'bumped' | 'pending' | 'resolved') => outcomes.reduce((n, o) => n + o[k], 0);
  return { rules: rules.length, opened: sum('opened'), bumped: sum('bumped'), pending: sum('pending'), resolved: sum('resolved'),
    failed: outcomes.filter((o) => o.error).length, outcomes };
}

async function evaluateRule(tx: Tx, rule: AlertRule, now: Date): Promise<RuleOutcome> {
  if (!hasCondition(rule.name)) throw new Error(`rule ${rule.name} is enabled but has no condition (sql/alerts/${rule.name}.sql)`);
  const cond = conditionQuery(rule.name);
  // In key order, so concurrent evaluators lock the same rows in the same order (no deadlock).
  const firing = ((await tx.query(cond.text, [rule.threshold, now, rule.window_seconds].slice(0, cond.params))).rows as Firing[])
    .sort((x, y) => (String(x.key) < String(y.key) ? -1 : String(x.key) > String(y.key) ? 1 : 0));
  const out: RuleOutcome = { rule: rule.name, firing: firing.length, opened: 0, bumped: 0, pending: 0, resolved: 0, error: null };
  const keys = firing.map((f) => `${rule.name}:${f.key}`);

  // Since when each condition has held; a cleared one is forgotten.
  await tx.query(`delete from ballast.alert_conditions where rule = $1 and not (dedupe_key = any ($2::text[]))`, [rule.name, keys]);
  const { rows: held } = await tx.query<{ dedupe_key: string; first_seen_at: Date }>(
    `insert into ballast.alert_conditions as c (dedupe_key, rule, first_seen_at, last_seen_at)
     select k, $2, $3, $3 from unnest($1::text[]) k
     on conflict (dedupe_key) do update set last_seen_at = greatest(c.last_seen_at, excluded.last_seen_at)
     returning dedupe_key, first_seen_at`, [keys, rule.name, now]);
  const since = new Map(held.map((h) => [h.dedupe_key, h.first_seen_at]));

  for (const [i, f] of firing.entries()) {
    const key = keys[i]!;
    const first = since.get(key) ?? now;
    // Another evaluator's clock may have put first_seen_at a moment after this one's now.
    if (rule.for_seconds > 0 && now.getTime() - first.getTime() < rule.for_seconds * 1000) { out.pending++; continue; }
    const { rows: [a] } = await tx.query<{ opened: boolean }>(
      `insert into ballast.alerts as a (rule, severity, subject, message, dedupe_key, first_seen_at, last_seen_at, trace_id, correlation_id, evidence)
       values ($1, $2, $3, $4, $5, $10, $6, $7, $8, $9)
       on conflict (dedupe_key) where status <> 'resolved' do update
          set last_seen_at = greatest(a.last_seen_at, excluded.last_seen_at),
              occurrences = a.occurrences + 1,
              message = excluded.message,
              severity = excluded.severity,
              evidence = excluded.evidence,
              trace_id = coalesce(excluded.trace_id, a.trace_id),
              correlation_id = coalesce(excluded.correlation_id, a.correlation_id)
       returning (xmax = 0) as opened`,
      [rule.name, rule.severity, f.subject ?? {}, f.message, key, now, f.trace_id ?? null, f.correlation_id ?? null, f.evidence ?? {},
       // An alert was first seen when its condition first held, not when its "for" duration ran out.
       first < now ? first : now]);
    if (a!.opened) out.opened++; else out.bumped++;
  }

  if (rule.auto_resolve) {
    const { rowCount } = await tx.query(
      `update ballast.alerts set status = 'resolved', resolved_at = $3, resolved_by = 'alerts:auto',
              note = coalesce(note || '; ', '') || 'resolved: its condition cleared'
        where rule = $1 and status <> 'resolved' and not (dedupe_key = any ($2::text[]))`, [rule.name, keys, now]);
    out.resolved = rowCount ?? 0;
  }
  return out;
}
