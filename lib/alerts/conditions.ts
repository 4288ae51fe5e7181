/**
 * Alert conditions: one named query per rule, `sql/alerts/<rule>.sql`, read
 * by operators as it runs. Each returns one row per firing subject (`key`,
 * `subject`, `message`, `trace_id`, `correlation_id`, `evidence`) and takes
 * `$1` the rule's threshold, `$2` the evaluation's "now" (so tests pass a
 * clock) and `$3` its window in seconds; a condition may use fewer.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ALERTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sql/alerts');

const NAME = /^[a-z][a-z0-9_]*$/;

/** Whether `sql/alerts/<rule>.sql` exists: a rule without one waits for its condition to ship. */
export function hasCondition(rule: string): boolean {
  return NAME.test(rule) && fs.existsSync(path.join(ALERTS_DIR, `${rule}.sql`));
}

export interface Condition {
  text: string;
  /** How many of $1 (threshold), $2 (now), $3 (window) the query uses. */
  params: number;
}

/** The condition of `rule`; throws when it has not shipped. */
export function conditionQuery(rule: string): Condition {
  if (!hasCondition(rule)) throw new Error(`alert rule ${rule} has no condition (sql/alerts/${rule}.sql)`);
  const text = fs.readFileSync(path.join(ALERTS_DIR, `${rule}.sql`), 'utf8');
  const code = text.split('\n').filter((l) => !l.trimStart().startsWith('--')).join('\n');
  const params = Math.max(0, ...[...code.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  if (params > 3) throw new Error(`sql/alerts/${rule}.sql uses $${params}; a condition takes $1 threshold, $2 now, $3 window`);
  return { text, params };
}

/** A row a condition returns: one firing subject. */
export interface Firing {
  key: string;
  subject: Record<string, unknown>;
  message: string;
  trace_id: string | null;
  correlation_id: string | null;
  evidence: Record<string, unknown>;
}
