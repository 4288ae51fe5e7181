/**
 * Redaction of decision inputs before they are stored: identifiers and
 * secrets become typed placeholders (`[EMAIL]`, `[PHONE]`, ...). What cannot
 * be kept is represented by the hash of the original input.
 */

const PATTERNS: [RegExp, string][] = [
  [/\b(?:whsec|sk|pk|rk)_[A-Za-z0-9+/=_-]{8,}/g, '[SECRET]'],
  [/\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, 'Bearer [SECRET]'],
  [/\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g, '[EMAIL]'],
  [/\b(?:\d[ -]?){12,18}\d\b/g, '[CARD]'],
  [/(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)[\s.-]?)?\d{3}[\s.-]?\d{3,4}(?:[\s.-]?\d{2,4})?\b/g, '[PHONE]'],
  [/\b\d{3}-\d{2}-\d{4}\b/g, '[SSN]'],
  [/\b[a-f0-9]{32,}\b/gi, '[TOKEN]'],
];

/** `text` with identifiers and secrets replaced. */
export function redactText(text: string): string {
  let out = text;
  for (const [re, placeholder] of PATTERNS) out = out.replace(re, placeholder);
  return out;
}

/** Redacts every string in a JSON value; `changed` says whether anything was replaced. */
export function redactValue<T>(value: T): { value: T; changed: boolean } {
  let changed = false;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = redactText(v);
      if (r !== v) changed = true;
      return r;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(value) as T;
  return { value: out, changed };
}
