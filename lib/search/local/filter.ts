/**
 * Qdrant filter semantics over one point: `must` (all), `should` (at least
 * one), `must_not` (none), `min_should`; field conditions with `match`
 * (value, any, except, text), `range`, `is_empty`, `is_null`; `has_id`;
 * nested filters. Array payload values match when any element matches,
 * as in Qdrant.
 */
import type { Schemas } from '@qdrant/js-client-rest';

type Filter = Schemas['Filter'];
type Condition = Schemas['Condition'];
export type PointId = number | string;
export type Payload = Record<string, unknown>;

export class FilterError extends Error {}

const list = <T>(v: T | T[] | null | undefined | Record<string, unknown>): T[] =>
  v == null ? [] : Array.isArray(v) ? v : [v as T];

/** Values at a dotted path (`a.b`, `a[].b`), flattening arrays on the way. */
export function valuesAt(payload: Payload, key: string): unknown[] {
  let current: unknown[] = [payload];
  for (const part of key.replace(/\[\]/g, '').split('.')) {
    const next: unknown[] = [];
    for (const c of current) {
      if (c && typeof c === 'object' && !Array.isArray(c) && part in (c as object)) {
        const v = (c as Record<string, unknown>)[part];
        if (Array.isArray(v)) next.push(...v);
        else next.push(v);
      }
    }
    current = next;
  }
  return current;
}

function matchValue(match: Record<string, unknown>, v: unknown): boolean {
  if ('value' in match) return v === match.value;
  if ('any' in match) return (match.any as unknown[]).includes(v as never);
  if ('except' in match) return !(match.except as unknown[]).includes(v as never);
  if ('text' in match) return typeof v === 'string' && v.includes(String(match.text));
  if ('text_any' in match) {
    return typeof v === 'string' && String(match.text_any).split(/\s+/).filter(Boolean).some((w) => v.includes(w));
  }
  if ('phrase' in match) return typeof v === 'string' && v.includes(String(match.phrase));
  throw new FilterError(`unsupported match: ${JSON.stringify(match)}`);
}

function inRange(range: Record<string, unknown>, v: unknown): boolean {
  const n = typeof v === 'number' ? v : typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? Date.parse(v) : NaN;
  if (Number.isNaN(n)) return false;
  const bound = (b: unknown) => (typeof b === 'string' ? Date.parse(b) : (b as number));
  if (range.lt != null && !(n < bound(range.lt))) return false;
  if (range.lte != null && !(n <= bound(range.lte))) return false;
  if (range.gt != null && !(n > bound(range.gt))) return false;
  if (range.gte != null && !(n >= bound(range.gte))) return false;
  return true;
}

function fieldMatches(c: Schemas['FieldCondition'], payload: Payload): boolean {
  const values = valuesAt(payload, c.key);
  if (c.is_empty != null) return (values.filter((v) => v != null).length === 0) === c.is_empty;
  if (c.is_null != null) return values.some((v) => v === null) === c.is_null;
  if (c.match) {
    const m = c.match as Record<string, unknown>;
    // `except` holds when no value is excluded (Qdrant: a missing field matches).
    if ('except' in m) return values.every((v) => matchValue(m, v));
    return values.some((v) => matchValue(m, v));
  }
  if (c.range) return values.some((v) => inRange(c.range as Record<string, unknown>, v));
  throw new FilterError(`unsupported field condition on "${c.key}": ${Object.keys(c).filter((k) => k !== 'key').join(', ')}`);
}

function conditionMatches(c: Condition, id: PointId, payload: Payload): boolean {
  if ('has_id' in c) return c.has_id.some((x) => normalizeId(x) === id);
  if ('is_empty' in c && typeof c.is_empty === 'object' && c.is_empty && 'key' in c.is_empty) {
    return valuesAt(payload, c.is_empty.key).filter((v) => v != null).length === 0;
  }
  if ('is_null' in c && typeof c.is_null === 'object' && c.is_null && 'key' in c.is_null) {
    return valuesAt(payload, c.is_null.key).some((v) => v === null);
  }
  if ('nested' in c) {
    const items = valuesAt(payload, c.nested.key);
    return items.some((item) => item && typeof item === 'object' && filterMatches(c.nested.filter, id, item as Payload));
  }
  if ('key' in c) return fieldMatches(c as Schemas['FieldCondition'], payload);
  if ('must' in c || 'should' in c || 'must_not' in c || 'min_should' in c) return filterMatches(c as Filter, id, payload);
  throw new FilterError(`unsupported condition: ${JSON.stringify(c).slice(0, 100)}`);
}

/** Does the point satisfy the filter? A missing filter matches everything. */
export function filterMatches(filter: Filter | null | undefined | Record<string, unknown>, id: PointId, payload: Payload): boolean {
  if (!filter) return true;
  const f = filter as Filter;
  const one = (c: Condition) => conditionMatches(c, id, payload);
  if (!list<Condition>(f.must).every(one)) return false;
  if (list<Condition>(f.must_not).some(one)) return false;
  const should = list<Condition>(f.should);
  if (should.length > 0 && !should.some(one)) return false;
  const ms = f.min_should as Schemas['MinShould'] | null | undefined;
  if (ms && ms.conditions.filter(one).length < ms.min_count) return false;
  return true;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

/** Qdrant ids: unsigned integers or UUIDs (any accepted spelling, returned hyphenated and lowercase). */
export function normalizeId(id: unknown): PointId {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === 'string') {
    const s = id.trim().replace(/^urn:uuid:/i, '').replace(/^\{(.*)\}$/, '$1');
    if (UUID.test(s)) {
      const h = s.replace(/-/g, '').toLowerCase();
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
  }
  throw new FilterError(`Unable to parse point id ${JSON.stringify(id)}: expected an unsigned integer or a UUID`);
}

/** Qdrant's order: integers first (numerically), then UUIDs (by bytes, i.e. by lowercase hex). */
export function compareIds(a: PointId, b: PointId): number {
  if (typeof a === 'number') return typeof b === 'number' ? a - b : -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
