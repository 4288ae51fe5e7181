/**
 * What the receiver checks in a signed body before it is stored, so that a
 * body that can never succeed is refused with a 400 (a Content-Type or
 * Content-Encoding it does not take: 415) and kept as a `rejected` row, never answered 503, and never
 * refused by the database (whose error would print a prefix of the body into
 * the server log).
 *
 * The raw body is stored as received: as text when its bytes are valid UTF-8
 * without NUL (a UTF8 database stores that text byte for byte), else as the
 * bytes themselves (`raw_bytes`, rejected). It is never parsed and serialised
 * again: the `payload` column is PostgreSQL's own parse of the same text.
 */
import { parse as parseContentType } from 'content-type';

/** The inbox's limit on `webhook-id` (a check constraint on ingest.webhook_events). */
export const MAX_WEBHOOK_ID_LENGTH = 200;

/** Why a signed body is refused: the answer's `error` and a message that quotes nothing of the body. */
export interface BodyProblem {
  error: 'unsupported_media_type' | 'invalid_utf8' | 'nul_byte' | 'too_deep' | 'malformed_json' | 'unstorable_json';
  message: string;
}

export type InspectedBody =
  | { ok: true; text: string }
  /** `text` is null when the bytes are not storable as text: keep them as `raw_bytes`. */
  | { ok: false; text: string | null; problem: BodyProblem };

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** PostgreSQL's numeric holds 131,072 digits before the point; far less is any sane payload. */
const MAX_NUMBER_CHARS = 1000;
const MAX_EXPONENT = 10_000;

/** The media types a body is taken under: JSON (RFC 8259) and JSON-based `+json` types (RFC 6839), such as application/cloudevents+json. */
export const ACCEPTED_MEDIA_TYPES = ['application/json', 'application/*+json'] as const;

const TOKEN = "[!#$%&'*+.^_`|~0-9a-z-]+"; // RFC 9110 token
const JSON_TYPE = new RegExp(`^application/(?:${TOKEN}\\+)?json$`);
const MEDIA_TYPE = new RegExp(`^${TOKEN}/${TOKEN}$`);
const CHARSET = new RegExp(`^${TOKEN}$`, 'i');

/** The WHATWG encoding a charset label names (`utf8` and `UTF-8` both name utf-8), or null when it names none. */
function encodingOf(label: string): string | null {
  try {
    return new TextDecoder(label).encoding;
  } catch {
    return null;
  }
}

/** A value from the header for a message: only when it is a well-formed token, never more than 100 characters of it. */
const shown = (value: string, form: RegExp) => (form.test(value) && value.length <= 100 ? value : '(unreadable)');

/**
 * Why a request's Content-Type is refused, or null when its body is taken as
 * JSON: a JSON type with no charset or UTF-8, or no Content-Type at all
 * (senders omit it; the body checks still judge it as JSON). A charset other
 * than UTF-8 is refused rather than read as UTF-8: the stored text would be
 * other characters than the sender meant.
 */
export function contentTypeProblem(header: string | undefined): BodyProblem | null {
  if (header === undefined || header.trim() === '') return null;
  const { type, parameters } = parseContentType(header);
  const charset = parameters.charset;
  let refused: string;
  if (!JSON_TYPE.test(type)) refused = `content type ${shown(type, MEDIA_TYPE)}`;
  else if (charset !== undefined && encodingOf(charset) !== 'utf-8') refused = `charset ${shown(charset, CHARSET)}`;
  else return null;
  return { error: 'unsupported_media_type', message: `unsupported ${refused}; send ${ACCEPTED_MEDIA_TYPES.join(' or ')} in UTF-8` };
}

const CODINGS = new RegExp(`^${TOKEN}(?:, ${TOKEN})*$`, 'i');

/**
 * Why a request's Content-Encoding is refused, or null when it has none (or
 * only `identity`). A compressed body is not decompressed: the bytes are not
 * JSON as they stand, and inflating them is a decompression bomb waiting to
 * happen; the sender can send them as they are.
 */
export function contentEncodingProblem(header: string | undefined): BodyProblem | null {
  const codings = (header ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return null;
  return { error: 'unsupported_media_type', message: `unsupported content encoding ${shown(codings.join(', '), CODINGS)}; send the body uncompressed, without Content-Encoding` };
}

/**
 * Checks a signed body: its Content-Encoding (`contentEncodingProblem`) and
 * Content-Type (`contentTypeProblem`), UTF-8, no
 * NUL byte, nesting within `maxDepth`, JSON syntax, and what PostgreSQL's
 * jsonb refuses although JavaScript accepts it (`\u0000`, unpaired
 * surrogates, numbers beyond numeric's range). A refused Content-Encoding,
 * else a refused Content-Type, is the problem named even when the bytes are
 * wrong too; they decide only whether the body is kept as text or as bytes.
 */
export function inspectBody(body: Buffer, maxDepth: number, contentType?: string, contentEncoding?: string): InspectedBody {
  const refusedType = contentEncodingProblem(contentEncoding) ?? contentTypeProblem(contentType);
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, text: null, problem: refusedType ?? { error: 'invalid_utf8', message: 'body is not valid UTF-8; it is kept as bytes' } };
  }
  if (body.includes(0)) {
    return { ok: false, text: null, problem: refusedType ?? { error: 'nul_byte', message: 'body contains a NUL byte; it is kept as bytes' } };
  }
  if (refusedType) return { ok: false, text, problem: refusedType };
  const scan = scanJson(text, maxDepth);
  if (scan.tooDeep) {
    return { ok: false, text, problem: { error: 'too_deep', message: `JSON nests deeper than ${maxDepth} levels` } };
  }
  try {
    JSON.parse(text);
  } catch (e) {
    // V8's message quotes the body; say only where it broke.
    const at = /position (\d+)/.exec((e as Error).message)?.[1];
    return { ok: false, text, problem: { error: 'malformed_json', message: `body is not valid JSON${at ? ` (at character ${at})` : ''}` } };
  }
  if (scan.unstorable) return { ok: false, text, problem: { error: 'unstorable_json', message: scan.unstorable } };
  return { ok: true, text };
}

/**
 * One pass over JSON text, without recursion: the deepest nesting (stopping
 * past `maxDepth`), and the first escape or number jsonb would refuse.
 * Tolerant of malformed text; JSON.parse judges the syntax.
 */
function scanJson(s: string, maxDepth: number): { tooDeep: boolean; unstorable: string | null } {
  let depth = 0;
  let unstorable: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7b || c === 0x5b) { // { [
      if (++depth > maxDepth) return { tooDeep: true, unstorable };
    } else if (c === 0x7d || c === 0x5d) { // } ]
      depth--;
    } else if (c === 0x22) { // a string: walk its escapes
      for (i++; i < s.length && s.charCodeAt(i) !== 0x22; i++) {
        if (s.charCodeAt(i) !== 0x5c) continue;
        i++;
        if (s[i] !== 'u' || unstorable) continue;
        const code = parseInt(s.slice(i + 1, i + 5), 16);
        if (code === 0) unstorable = `JSON contains \\u0000 (at character ${i - 1}), which PostgreSQL cannot store in jsonb`;
        else if (code >= 0xd800 && code <= 0xdbff) {
          const next = s.slice(i + 5, i + 7) === '\\u' ? parseInt(s.slice(i + 7, i + 11), 16) : NaN;
          if (!(next >= 0xdc00 && next <= 0xdfff)) unstorable = `JSON contains an unpaired surrogate escape (at character ${i - 1})`;
          else i += 6;
        } else if (code >= 0xdc00 && code <= 0xdfff) unstorable = `JSON contains an unpaired surrogate escape (at character ${i - 1})`;
        i += 4;
      }
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) { // a number
      const start = i;
      while (i + 1 < s.length && /[0-9eE.+-]/.test(s[i + 1]!)) i++;
      if (unstorable) continue;
      const token = s.slice(start, i + 1);
      const exp = /[eE]([+-]?\d+)$/.exec(token)?.[1];
      if (token.length > MAX_NUMBER_CHARS || (exp !== undefined && Math.abs(Number(exp)) > MAX_EXPONENT)) {
        unstorable = `JSON contains a number PostgreSQL cannot store (at character ${start})`;
      }
    }
  }
  return { tooDeep: false, unstorable };
}

/**
 * A short excerpt of a body for a dead letter, before masking: text jsonb can
 * hold (NUL and unpaired surrogates replaced), at most `chars` long.
 */
export function bodyExcerpt(body: Buffer, text: string | null, chars = 200): string {
  const s = (text ?? body.toString('utf8')).slice(0, chars * 8);
  return s.replace(/\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
