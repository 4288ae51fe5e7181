/**
 * Masks secrets and personal data before anything is stored or logged:
 * values under sensitive key names, and string values that look like phone
 * numbers, e-mail addresses or tokens wherever they appear.
 */

/** Key names whose values are always masked (compared lower-case, ignoring `-` and `_`). */
export const DEFAULT_REDACT_KEYS = [
  'password', 'passwd', 'secret', 'token', 'accesstoken', 'refreshtoken', 'apikey', 'authorization', 'auth',
  'cookie', 'setcookie', 'session', 'sessionid', 'privatekey', 'clientsecret', 'ssn', 'creditcard', 'cardnumber',
  'cvv', 'email', 'phone', 'phonenumber', 'webhooksignature', 'signature',
];

/** Identifiers that look like tokens but are not secrets. */
const NEVER_MASKED = new Set(['traceid', 'spanid', 'parentspanid', 'correlationid', 'errorid', 'inputhash', 'webhookid']);

const PATTERNS: [string, RegExp][] = [
  ['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g],
  ['token', /\b(?:whsec|sk|pk|rk|ghp|gho|xox[abpr])_[A-Za-z0-9+/=_-]{8,}|\bBearer\s+[A-Za-z0-9._~+/=-]{8,}|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/g],
  // E.164, or North-American style (555) 123-4567 / 555.123.4567; not dates, not plain ids.
  ['phone', /\+[1-9]\d{6,14}\b|(?<![\d\w])\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d)/g],
];

const norm = (k: string) => k.toLowerCase().replace(/[-_]/g, '');

export class Redactor {
  private readonly keys: Set<string>;

  constructor(extraKeys: string[] = []) {
    this.keys = new Set([...DEFAULT_REDACT_KEYS, ...extraKeys].map(norm));
  }

  /** Masks sensitive substrings of free text. */
  text(s: string): string {
    let out = s;
    for (const [kind, re] of PATTERNS) out = out.replace(re, `[redacted:${kind}]`);
    return out;
  }

  /** A deep copy of `value` with sensitive keys and values masked. */
  value<T>(value: T): T {
    return this.walk(value, undefined) as T;
  }

  private walk(v: unknown, key: string | undefined): unknown {
    const k = key === undefined ? undefined : norm(key);
    if (k && this.keys.has(k) && v !== null && v !== undefined) return '[redacted]';
    if (typeof v === 'string') return k && NEVER_MASKED.has(k) ? v : this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.walk(x, undefined));
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, this.walk(vv, kk)]));
    }
    return v;
  }
}

/** Extra key names from BALLAST_REDACT_KEYS (comma-separated). */
export const redactor = new Redactor((process.env.BALLAST_REDACT_KEYS ?? '').split(',').map((s) => s.trim()).filter(Boolean));
