/**
 * Usage periods are UTC calendar months, named by their first day
 * (`2026-11-01`), as app.usage_period() computes them in SQL.
 */

/** The period an instant belongs to: its month's first day, `YYYY-MM-01`. */
export function periodOf(at: Date): string {
  return `${at.toISOString().slice(0, 7)}-01`;
}

/** The period after `period`. */
export function nextPeriod(period: string): string {
  const d = new Date(`${period}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  return periodOf(d);
}

/** Parses `YYYY-MM` or `YYYY-MM-01` into a period; anything else is a clear error. */
export function parsePeriod(s: string): string {
  const m = /^(\d{4})-(0[1-9]|1[0-2])(?:-01)?$/.exec(s.trim());
  if (!m) throw new Error(`a period is a month, YYYY-MM (e.g. 2026-11), got "${s}"`);
  return `${m[1]}-${m[2]}-01`;
}
