/**
 * The one redactor: it masks secrets and personal data before anything is
 * stored or logged (log lines, error envelopes, dead letters, diagnostics,
 * decision snapshots). It masks values under sensitive key names, and
 * substrings that look like e-mail addresses, tokens, card numbers, social
 * security numbers or phone numbers wherever they appear.
 *
 * A mask is `[redacted:<kind>:<hash>]`. The hash is an HMAC-SHA256 of the
 * value under the install's redaction key, so the same value gets the same
 * mask everywhere (a dead letter's phone number can be matched with the one
 * in a log line), but nobody without the key can recompute it, so a masked
 * phone number can't be brute-forced back. The key comes from configuration
 * (see `redactorFromConfig`); nothing here reads the environment.
 */
import { createHmac, randomBytes } from 'node:crypto';

/** Key names whose values are always masked (compared lower-case, ignoring `-` and `_`). */
export const DEFAULT_REDACT_KEYS = [
  'password', 'passwd', 'secret', 'token', 'accesstoken', 'refreshtoken', 'apikey', 'authorization', 'auth',
  'cookie', 'setcookie', 'session', 'sessionid', 'privatekey', 'clientsecret', 'ssn', 'creditcard', 'cardnumber',
  'cvv', 'email', 'phone', 'phonenumber', 'webhooksignature', 'signature', 'connectionstring', 'databaseurl',
];

/** Identifiers that look like tokens but are not secrets. */
const NEVER_MASKED = new Set(['traceid', 'spanid', 'parentspanid', 'correlationid', 'errorid', 'inputhash', 'webhookid']);

export type MaskKind = 'email' | 'token' | 'card' | 'ssn' | 'phone' | 'secret';

/** Tokens: prefixed keys, bearer credentials, JWTs, 32 or more hex digits (any case). */
const TOKEN_SHAPES = [
  /\b(?:whsec|sk|pk|rk|ghp|gho|xox[abpr])_[A-Za-z0-9+/=_-]{8,}/gi,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
  // A JWT's first part ends before another `-eyJ` (where the next try starts), so it is not read again from there.
  /\beyJ(?:[A-Za-z0-9_]|-(?!eyJ)){10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*/gi,
  /\b[a-f0-9]{32,}\b/gi,
];

/**
 * First match wins, in this order: a token may hold digits, a card number looks like a phone number.
 * Hostile text reaches these patterns, so each runs in time linear in the text: no try reads a run of
 * characters that the try at the next character would read again (an e-mail address starts where a
 * run of address characters starts).
 */
const PATTERNS: [MaskKind, RegExp][] = [
  ['email', /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g],
  ['token', new RegExp(TOKEN_SHAPES.map((re) => re.source).join('|'), 'gi')],
  // Where card numbers are looked for (`cardsIn` judges): digit groups joined by single spaces or dashes, 13 characters
  // or more (short numbers are passed over cheaply), not part of a word or of a decimal number
  // (`894.6227863000001ms`): no `<digit>.` before, no `.<digit>` after. The length is looked ahead from a digit, not
  // from every blank of a long run of blanks.
  ['card', /(?<![\w+]|\d\.)\d(?=[\d -]{12})\d*(?:[ -]\d+)*(?!\d|\.\d)/g],
  ['ssn', /(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])/g],
  // E.164 (separators allowed), North-American (555) 123-4567 / 555.123.4567, local 555-1234; not dates, not plain ids,
  // not part of a decimal number (no `<digit>.` before, no `.<digit>` after), and not a decimal number itself
  // (`123.4567 ms`, `+3.14159265`: `DECIMAL` judges).
  ['phone', /\+[1-9](?:[\s.-]?\(?\d\)?){6,14}(?!\d|\.\d)|(?<!\w|\d\.)\(?\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}(?!\d|\.\d)|(?<![\w-]|\d\.)\d{3}[.-]\d{4}(?![\w-]|\.\d)/g],
];

/** Digits around one dot, nothing else: a decimal number, though it has the shape of a phone number. */
const DECIMAL = /^[+-]?\d+\.\d+$/;

/**
 * Long runs of token characters that mix digits, upper and lower case: the
 * shape of generated keys (AWS, base64, random ids) whatever their prefix.
 * Candidates are found by one linear pattern and judged in code.
 */
const RANDOM_RUN = /(?<![A-Za-z0-9+/_-])[A-Za-z0-9+/_-]{24,}={0,2}/g;
const looksRandom = (s: string) => /\d/.test(s) && /[A-Z]/.test(s) && /[a-z]/.test(s);

/** A sensitive key in raw JSON-like text (`"password": "..."`, possibly cut off), and its value. */
const QUOTED_PAIR = /(["'])([A-Za-z][A-Za-z0-9_-]{0,63})\1(\s*:\s*)("(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s,;}\]]+)/g;

/**
 * A secret named in free text or a form: `password is ...`, `api key: ...`, `pin=...`. The blanks
 * after `is` are read one way only (`\s*(?:[:=]\s*)?`), not split between two `\s*` in every way.
 */
const NAMED_SECRET = /(?<!\[redacted:)\b(pass(?:word|wd|phrase|code)|pin|secret|token|(?:api|access|auth|refresh|secret)[\s_-]?(?:key|token)|private[\s_-]?key|client[\s_-]?secret)(\s*[:=]\s*|\s+(?:is|was)\s*(?:[:=]\s*)?)([^\s"'&,;]{4,})/gi;

/** The same patterns, matching a whole value. */
const WHOLE: [MaskKind, RegExp][] = PATTERNS.map(([kind, re]) => [kind, new RegExp(`^(?:${re.source})$`, re.flags.replace('g', ''))]);

/** What a key name's value is, for its mask. */
const KEY_KINDS: Record<string, MaskKind> = { email: 'email', phone: 'phone', phonenumber: 'phone', ssn: 'ssn', creditcard: 'card', cardnumber: 'card' };

/** A value this redactor (or one with another key) already masked. */
const MASK = /^\[redacted:[a-z]+:[0-9a-f]{12}\]$/;

/** Every pattern the redactor reads text with, the token shapes one by one (its tests check that each runs in linear time). */
export const REDACTOR_PATTERNS: readonly RegExp[] = [QUOTED_PAIR, NAMED_SECRET, ...TOKEN_SHAPES,
  ...PATTERNS.filter(([kind]) => kind !== 'token').map(([, re]) => re), DECIMAL, RANDOM_RUN, ...WHOLE.map(([, re]) => re), MASK];

/** Card numbers pass the Luhn check; other long digit runs (timestamps, ids) are left alone. */
function luhn(s: string): boolean {
  const digits = s.replace(/\D/g, '');
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card number: 13 to 19 digits (separators aside) that pass the Luhn check. */
function isCard(s: string): boolean {
  const digits = s.replace(/\D/g, '').length;
  return digits >= 13 && digits <= 19 && luhn(s);
}

/**
 * `run` (digit groups joined by single spaces or dashes) with the card
 * numbers in it masked: windows of whole groups, leftmost first, then
 * longest. The whole run is not enough: `4111 1111 1111 1111 12/27` has 18
 * digits and fails the Luhn check, but holds a card number. Each window's
 * Luhn sum comes from prefix sums, so a hostile run of thousands of short
 * groups costs a few steps per group, not a pass over every window.
 */
export function cardsIn(run: string, mask: (card: string) => string): string {
  const groups = [...run.matchAll(/\d+/g)].map((g) => ({ from: g.index, to: g.index + g[0].length }));
  const luhnSum = luhnSums(run.replace(/\D/g, ''));
  const firstDigit: number[] = [];
  groups.reduce((n, g, i) => { firstDigit[i] = n; return n + g.to - g.from; }, 0);
  let out = '';
  let done = 0;
  for (let i = 0; i < groups.length; i++) {
    const from = groups[i]!.from;
    let end = -1;
    let digits = 0;
    for (let j = i; j < groups.length; j++) {
      digits += groups[j]!.to - groups[j]!.from;
      if (digits > 19) break;
      if (digits >= 13 && luhnSum(firstDigit[i]!, firstDigit[i]! + digits) % 10 === 0) end = j;
    }
    if (end < 0) continue;
    out += run.slice(done, from) + mask(run.slice(from, groups[end]!.to));
    done = groups[end]!.to;
    i = end;
  }
  return out + run.slice(done);
}

/**
 * The Luhn sum of any window `[a, b)` of `digits`, in constant time: a digit
 * is doubled when an odd number of digits follow it in the window, so with
 * running totals of each digit as it is and doubled, kept apart by the
 * parity of its position, a window's sum is four subtractions.
 */
function luhnSums(digits: string): (a: number, b: number) => number {
  const plain = [[0], [0]];
  const doubled = [[0], [0]];
  for (let k = 0; k < digits.length; k++) {
    const d = digits.charCodeAt(k) - 48;
    for (const parity of [0, 1]) {
      const mine = k % 2 === parity;
      plain[parity]!.push(plain[parity]!.at(-1)! + (mine ? d : 0));
      doubled[parity]!.push(doubled[parity]!.at(-1)! + (mine ? (d * 2 > 9 ? d * 2 - 9 : d * 2) : 0));
    }
  }
  return (a, b) => {
    const last = (b - 1) % 2; // the window's last digit counts as it is, and so does every second one before it
    const other = 1 - last;
    return plain[last]![b]! - plain[last]![a]! + doubled[other]![b]! - doubled[other]![a]!;
  };
}

const norm = (k: string) => k.toLowerCase().replace(/[-_]/g, '');

/** The same e-mail address or phone number in another spelling gets the same mask. */
function canonical(kind: MaskKind, s: string): string {
  if (kind === 'phone' || kind === 'card' || kind === 'ssn') return s.replace(/\D/g, '');
  if (kind === 'email') return s.trim().toLowerCase();
  return s;
}

export interface RedactorOptions {
  /** The HMAC key: at least 32 bytes (or characters) of secret. */
  key: Buffer | string;
  /** Key names masked besides `DEFAULT_REDACT_KEYS`. @defaultValue none */
  extraKeys?: readonly string[];
}

export class Redactor {
  private readonly key: Buffer;
  private readonly keys: Set<string>;

  constructor(opts: RedactorOptions) {
    this.key = Buffer.isBuffer(opts.key) ? opts.key : Buffer.from(opts.key, 'utf8');
    if (this.key.length < 32) throw new Error('a redaction key needs at least 32 bytes');
    this.keys = new Set([...DEFAULT_REDACT_KEYS, ...(opts.extraKeys ?? [])].map(norm));
  }

  /**
   * A redactor with a random key that lives as long as the process: for a
   * logger nobody configured. Its masks match nothing stored.
   */
  static ephemeral(): Redactor {
    return new Redactor({ key: randomBytes(32) });
  }

  /** Keyed hash (hex HMAC-SHA256, `length` characters) of `text`. */
  digest(text: string, length = 64): string {
    return createHmac('sha256', this.key).update(text, 'utf8').digest('hex').slice(0, length);
  }

  /** The mask of one value of a kind. */
  mask(kind: MaskKind, value: string): string {
    return `[redacted:${kind}:${this.digest(canonical(kind, value), 12)}]`;
  }

  /**
   * Masks sensitive substrings of free text: values under sensitive key
   * names in raw JSON-like text, secrets named in words (`my password is
   * ...`), then e-mail addresses, tokens, card numbers, SSNs and phone
   * numbers, then long random-looking runs of token characters.
   */
  text(s: string): string {
    let out = s.replace(QUOTED_PAIR, (m, _q: string, key: string, _sep: string, value: string) => {
      const k = norm(key);
      if (!this.keys.has(k)) return m;
      const quote = value[0] === '"' || value[0] === "'" ? value[0] : '';
      const inner = quote ? value.slice(1, value.length > 1 && value.endsWith(quote) ? -1 : undefined) : value;
      if (MASK.test(inner)) return m;
      const closed = quote && value.length > 1 && value.endsWith(quote) ? quote : '';
      return `${m.slice(0, m.length - value.length)}${quote}${this.maskWhole(k, inner)}${closed}`;
    });
    out = out.replace(NAMED_SECRET, (m, name: string, sep: string, value: string) =>
      (MASK.test(value) || value.startsWith('[redacted:') ? m : `${name}${sep}${this.mask('secret', value)}`));
    for (const [kind, re] of PATTERNS) out = out.replace(re, (m) => this.maskFound(kind, m));
    return out.replace(RANDOM_RUN, (m) => (looksRandom(m) ? this.mask('token', m) : m));
  }

  /** A deep copy of `value` with sensitive keys and values masked. */
  value<T>(value: T): T {
    return this.redact(value).value;
  }

  /** Like `value`, and says whether anything was masked. */
  redact<T>(value: T): { value: T; changed: boolean } {
    let changed = false;
    const walk = (v: unknown, key: string | undefined): unknown => {
      const k = key === undefined ? undefined : norm(key);
      if (typeof v === 'string' && MASK.test(v)) return v;
      if (k && this.keys.has(k) && v !== null && v !== undefined) {
        changed = true;
        return this.maskWhole(k, v);
      }
      if (typeof v === 'string') {
        if (k && NEVER_MASKED.has(k)) return v;
        const out = this.text(v);
        if (out !== v) changed = true;
        return out;
      }
      if (Array.isArray(v)) return v.map((x) => walk(x, undefined));
      // An Error's own fields are not enumerable: keep its name and (masked) message.
      if (v instanceof Error) return { type: v.name, message: walk(v.message, undefined) };
      if (v && typeof v === 'object' && !(v instanceof Date)) {
        return Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, walk(vv, kk)]));
      }
      return v;
    };
    return { value: walk(value, undefined) as T, changed };
  }

  /** What a pattern of `kind` found, masked: the card numbers in a digit run; a phone number unless it is a decimal. */
  private maskFound(kind: MaskKind, found: string): string {
    if (kind === 'card') return cardsIn(found, (card) => this.mask('card', card));
    if (kind === 'phone' && DECIMAL.test(found)) return found;
    return this.mask(kind, found);
  }

  /** A value under a sensitive key: the kind its text shows, else the key's, else `secret`. */
  private maskWhole(key: string, v: unknown): string {
    const s = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v);
    const seen = WHOLE.find(([kind, re]) => re.test(s.trim()) && (kind !== 'card' || isCard(s))
      && (kind !== 'phone' || !DECIMAL.test(s.trim())));
    return this.mask(seen?.[0] ?? KEY_KINDS[key] ?? 'secret', s.trim());
  }
}
