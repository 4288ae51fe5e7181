/**
 * `ballast alerts check`: the alerts' health for a monitor outside the fleet.
 * Alert rules are evaluated by a worker task (evaluate_alerts, every minute),
 * so a fleet with no live worker, or none that runs that task, raises no
 * alert at all. This check reads what the evaluations left behind instead:
 * when the last one succeeded, and which alerts are open. Its exit status
 * follows the monitoring-plugin convention (0 ok, 1 warning, 2 critical).
 */
import type { Db } from '../db/index.ts';

export interface AlertsCheck {
  /** 0 ok, 1 warning, 2 critical. */
  status: 0 | 1 | 2;
  /** One line per finding, most severe first; one `OK` line when there is none. */
  lines: string[];
}

interface Facts {
  last_evaluated: Date | null;
  evaluated_ago: number | null;
  open: { rule: string; severity: string; status: string; n: number }[];
}

/**
 * What a monitor should know: critical when no evaluation has succeeded for
 * `maxAgeSeconds` (alerts cannot fire), or when a critical alert is open and
 * not acknowledged; warning when a warning alert is. Acknowledged alerts are
 * named but do not raise the status: somebody is on them. Times are the
 * database's.
 */
export async function checkAlerts(db: Db, opts: { maxAgeSeconds: number }): Promise<AlertsCheck> {
  const facts = await db.readOnly(async (tx) => (await tx.query<Facts>(
    `select e.last_evaluated, extract(epoch from now() - e.last_evaluated)::int as evaluated_ago,
            coalesce((select jsonb_agg(o order by o.severity = 'critical' desc, o.rule, o.status)
                        from (select rule, severity, status, count(*)::int as n from ballast.alerts
                               where status <> 'resolved' group by rule, severity, status) o), '[]') as open
       from (select max(finished_at) as last_evaluated from ballast.maintenance_runs
              where task = 'evaluate_alerts' and outcome = 'succeeded') e`)).rows[0]!);
  const findings: [0 | 1 | 2, string][] = [];
  if (facts.evaluated_ago === null || facts.evaluated_ago > opts.maxAgeSeconds) {
    const when = facts.last_evaluated === null ? 'no evaluation has ever succeeded'
      : `the last succeeded ${facts.evaluated_ago}s ago (${facts.last_evaluated.toISOString()})`;
    findings.push([2, `CRITICAL alert rules are not being evaluated: ${when}, so no alert can fire; `
      + 'is a worker running evaluate_alerts? (`ballast workers`, `ballast stuck`)']);
  }
  for (const a of facts.open) {
    const level = a.status === 'acknowledged' ? 0 : a.severity === 'critical' ? 2 : a.severity === 'warning' ? 1 : 0;
    const label = level === 2 ? 'CRITICAL' : level === 1 ? 'WARNING' : 'NOTE';
    findings.push([level, `${label} ${a.n} ${a.status} ${a.severity} alert(s) of rule ${a.rule} (\`ballast alerts list --open\`)`]);
  }
  const status = Math.max(0, ...findings.map(([s]) => s)) as 0 | 1 | 2;
  if (status === 0) {
    const open = findings.length === 0 ? 'no open alert' : 'no open alert that nobody has acknowledged';
    findings.unshift([0, `OK alert rules evaluated ${facts.evaluated_ago}s ago, ${open}`]);
  }
  findings.sort((a, b) => b[0] - a[0]);
  return { status, lines: findings.map(([, line]) => line) };
}
