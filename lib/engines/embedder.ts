/**
 * The local embedder: feature hashing of word unigrams, word bigrams and
 * character trigrams into a fixed dimension, L2-normalized. Deterministic, no
 * model download, no I/O. Good enough to find "refund" near "refunded"; not a
 * semantic model (configure the http embedder for that).
 */
import { words } from './text.ts';

export const HASH_EMBEDDER_VERSION = 'hash-ngram@1.0.0';

// FNV-1a, 32 bit: fast, stable across platforms and Node versions.
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Features of a text with their weights: words count most, trigrams least. */
function features(text: string): [string, number][] {
  const ws = words(text);
  const out: [string, number][] = [];
  for (let i = 0; i < ws.length; i++) {
    out.push([`w:${ws[i]}`, 1]);
    if (i > 0) out.push([`b:${ws[i - 1]} ${ws[i]}`, 0.7]);
    const padded = `#${ws[i]}#`;
    for (let j = 0; j + 3 <= padded.length; j++) out.push([`c:${padded.slice(j, j + 3)}`, 0.35]);
  }
  return out;
}

/** Embeds one text into `dim` dimensions; the zero text gets a fixed unit vector. */
export function hashEmbed(text: string, dim: number): number[] {
  const v = new Float64Array(dim);
  for (const [f, w] of features(text)) {
    const h = fnv1a(f);
    // The sign bit spreads collisions around zero instead of piling them up.
    v[h % dim]! += (h & 0x80000000) ? -w : w;
  }
  let norm = 0;
  for (const x of v) norm += x * x;
  if (norm === 0) {
    v[0] = 1;
    norm = 1;
  }
  const inv = 1 / Math.sqrt(norm);
  return Array.from(v, (x) => x * inv);
}
