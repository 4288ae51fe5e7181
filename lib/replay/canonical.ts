/** Canonical JSON (sorted keys) and its sha256: equal values hash equal, whatever their key order. */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object' && !(v instanceof Date)) {
    return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export const sha256 = (text: string | Buffer): string => createHash('sha256').update(text).digest('hex');

export const hashJson = (value: unknown): string => sha256(canonicalJson(value));
