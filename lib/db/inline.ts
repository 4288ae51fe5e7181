/**
 * Inlines `$n` parameters as quoted literals, so a parameterized statement can
 * ride in the same round trip as `BEGIN` (the simple query protocol takes no
 * parameters). Every value becomes an untyped quoted literal, exactly as
 * node-postgres sends parameters (text, type unknown), so the server infers
 * the same types. Quoted strings, identifiers, comments and dollar-quoted
 * bodies are left alone.
 */
import { createRequire } from 'node:module';
import pg from 'pg';

// node-postgres's own parameter serialisation (Dates, arrays, JSON), so literals match parameters.
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue(v: unknown): unknown };

/** A value as a quoted SQL literal, serialised the way node-postgres sends it as a parameter. */
export function sqlLiteral(v: unknown): string {
  const p = prepareValue(v);
  if (p === null || p === undefined) return 'NULL';
  if (Buffer.isBuffer(p)) return `'\\x${p.toString('hex')}'`;
  return pg.escapeLiteral(String(p));
}

/**
 * Walks SQL text: `code` gets each stretch outside quoted strings,
 * identifiers, comments and dollar-quoted bodies (which go to `other` as
 * they are), and `param` each `$n` placeholder.
 */
function walk(text: string, on: { code(s: string): void; other(s: string): void; param(k: number): void }): void {
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    let end = i + 1;
    let quoted = true;
    if (c === "'" || c === '"') {
      // quoted literal or identifier; a doubled quote is an escaped one
      end = i + 1;
      const backslashes = c === "'" && (text[i - 1] === 'E' || text[i - 1] === 'e');
      while (end < n) {
        if (backslashes && text[end] === '\\') { end += 2; continue; }
        if (text[end] === c) { if (text[end + 1] === c) { end += 2; continue; } end += 1; break; }
        end += 1;
      }
    } else if (c === '-' && next === '-') {
      end = text.indexOf('\n', i);
      end = end < 0 ? n : end;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      end = i + 2;
      while (end < n && depth > 0) {
        if (text.startsWith('/*', end)) { depth++; end += 2; } else if (text.startsWith('*/', end)) { depth--; end += 2; } else end++;
      }
    } else if (c === '$') {
      const param = /^\$(\d+)/.exec(text.slice(i, i + 8));
      const prev = text[i - 1] ?? ' ';
      if (param && !/[\w$]/.test(prev)) {
        on.param(Number(param[1]));
        i += param[0].length;
        continue;
      }
      const tag = /^\$([A-Za-z_][\w]*)?\$/.exec(text.slice(i));
      if (tag && !/[\w$]/.test(prev)) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        end = close < 0 ? n : close + tag[0].length;
      } else quoted = false;
    } else quoted = false;
    (quoted ? on.other : on.code)(text.slice(i, end));
    i = end;
  }
}

/** `text` with `$1..$n` replaced by literals of `values`. */
export function inlineParams(text: string, values: readonly unknown[]): string {
  let out = '';
  const keep = (s: string) => { out += s; };
  walk(text, {
    code: keep,
    other: keep,
    param(k) {
      if (k < 1 || k > values.length) throw new Error(`query references $${k} but has ${values.length} values`);
      out += sqlLiteral(values[k - 1]);
    },
  });
  return out;
}

/**
 * Does `text` hold more than one statement (a `;` outside quotes and
 * comments with something other than blanks after it)? Such text cannot be
 * a prepared statement.
 */
export function isMultiStatement(text: string): boolean {
  if (!text.includes(';')) return false;
  let seenEnd = false;
  let multi = false;
  walk(text, {
    code(s) {
      for (const ch of s) {
        if (ch === ';') seenEnd = true;
        else if (seenEnd && !/\s/.test(ch)) multi = true;
      }
    },
    other(s) { if (seenEnd && !s.startsWith('--') && !s.startsWith('/*')) multi = true; },
    param() { if (seenEnd) multi = true; },
  });
  return multi;
}
