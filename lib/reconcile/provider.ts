/**
 * The provider side of the usage reconciliation: what an adapter returns,
 * and the one mapping from a provider's usage rows to ballast's units.
 *
 * Glossary:
 * - usage day: a UTC calendar day (`YYYY-MM-DD`), the day app.billed_usage_daily groups by;
 * - provider row: one row the provider reported (an API record, a CSV line, a JSON object);
 * - attribution: which agent a row belongs to: ballast's `agent_id` if the provider
 *   knows it, else the provider's id of the number (`app.agents.provider_number_id`),
 *   else the number itself (`app.agents.phone_number`).
 */
import { PermanentError } from '../failures/index.ts';

/** One provider row, in ballast's units, with what it came from. */
export interface ProviderUsage {
  /** ballast's agent id, when the provider row names it. */
  agent_id?: string | undefined;
  /** The provider's id of the number (matched against `app.agents.provider_number_id`). */
  number_id?: string | undefined;
  /** The number, E.164 (matched against `app.agents.phone_number`; personal data, never stored unmasked). */
  phone_number?: string | undefined;
  calls: number;
  call_minutes: number;
  sms: number;
  /** The provider's row as received (redacted before it is stored as evidence). */
  raw: Record<string, unknown>;
}

/** Reports progress while an adapter reads: pages or rows done so far. */
export type ReadProgress = (done: number) => void;

/** A source of the provider's daily usage per agent (or per number, mapped to an agent). */
export interface UsageProvider {
  /** `http` or `file`: stored on the run row. */
  readonly kind: 'http' | 'file';
  /** Where it reads from, for the run row and errors: a base URL (never credentials) or a file name. */
  readonly source: string;
  /** The provider's usage of `day` (`YYYY-MM-DD`). Throws a classified error (lib/failures) when it cannot be read. */
  dailyUsage(day: string, opts?: { signal?: AbortSignal; onProgress?: ReadProgress }): Promise<ProviderUsage[]>;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `day` if it is a real calendar day `YYYY-MM-DD`; throws otherwise. */
export function parseDay(day: string): string {
  const at = new Date(`${day}T00:00:00Z`);
  if (!DAY.test(day) || Number.isNaN(at.getTime()) || at.toISOString().slice(0, 10) !== day) {
    throw new PermanentError(`"${day}" is not a day; expected YYYY-MM-DD`, 'INPUT_INVALID');
  }
  return day;
}

/** The UTC day before `now`: what a nightly run reconciles. */
export function yesterday(now: Date): string {
  return new Date(now.getTime() - 86_400_000).toISOString().slice(0, 10);
}

/** Keys compared lower-case with spaces and dashes as underscores (`Start Date` = `start_date`). */
const normKey = (k: string) => k.trim().toLowerCase().replace(/[\s-]+/g, '_');

/**
 * The provider's categories ballast bills, and the units each feeds. Only the
 * totals are read: a provider's sub-categories (`calls-inbound`,
 * `sms-outbound`, ...) repeat what the totals hold, so reading them too would
 * count twice. Every other category (prices, recordings, ...) is not billed
 * per unit by ballast and is left out.
 */
const CATEGORIES: Record<string, (count: number, usage: number) => Pick<ProviderUsage, 'calls' | 'call_minutes' | 'sms'>> = {
  calls: (count, usage) => ({ calls: count, call_minutes: usage, sms: 0 }),
  sms: (count) => ({ calls: 0, call_minutes: 0, sms: count }),
};

function amount(row: Record<string, unknown>, key: string, where: string): number {
  const v = row[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : v == null || v === '' ? 0 : NaN;
  if (!Number.isFinite(n) || n < 0) throw new PermanentError(`${where}: ${key} ${JSON.stringify(v)} is not a non-negative number`, 'PROVIDER_ROW_INVALID');
  return n;
}

function text(row: Record<string, unknown>, key: string): string | undefined {
  const v = row[key];
  return typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined;
}

/**
 * The one mapping from provider rows to ballast's units. A row is either
 * record-shaped, like a telephony provider's usage record (`category`,
 * `count`, `usage` in minutes, `start_date`), or wide (`calls`,
 * `call_minutes`, `sms`). Rows of another day (`start_date`, `usage_day` or
 * `day`) and of categories ballast does not bill are left out. A row without
 * attribution, or with a value that is not a number, fails the read: a
 * reconciliation that skipped it would report a match it never checked.
 */
export function usageFromRows(rows: readonly unknown[], day: string, where: string): ProviderUsage[] {
  const out: ProviderUsage[] = [];
  rows.forEach((given, i) => {
    const at = `${where} row ${i + 1}`;
    if (!given || typeof given !== 'object' || Array.isArray(given)) throw new PermanentError(`${at}: not an object`, 'PROVIDER_ROW_INVALID');
    const row = Object.fromEntries(Object.entries(given).map(([k, v]) => [normKey(k), v]));
    const rowDay = text(row, 'start_date') ?? text(row, 'usage_day') ?? text(row, 'day');
    if (rowDay !== undefined && rowDay.slice(0, 10) !== day) return;
    let units: Pick<ProviderUsage, 'calls' | 'call_minutes' | 'sms'>;
    if ('category' in row) {
      const map = CATEGORIES[String(row.category).trim().toLowerCase()];
      if (!map) return;
      units = map(amount(row, 'count', at), amount(row, 'usage', at));
    } else {
      units = { calls: amount(row, 'calls', at), call_minutes: amount(row, 'call_minutes', at), sms: amount(row, 'sms', at) };
    }
    const agent_id = text(row, 'agent_id');
    const number_id = text(row, 'phone_number_sid') ?? text(row, 'number_id');
    const phone_number = text(row, 'phone_number');
    if (!agent_id && !number_id && !phone_number) {
      throw new PermanentError(`${at}: names no agent (agent_id, phone_number_sid or phone_number)`, 'PROVIDER_ROW_INVALID');
    }
    out.push({ agent_id, number_id, phone_number, ...units, raw: given as Record<string, unknown> });
  });
  return out;
}
