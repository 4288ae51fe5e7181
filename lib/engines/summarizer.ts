/**
 * Extractive summary: score each sentence by the frequency of its content
 * words across the conversation, keep the best few in their original order.
 * Ties break on position, so the output is a pure function of the input.
 */
import { sentences, STOPWORDS, words } from './text.ts';
import type { Span } from './segmenter.ts';

export const SUMMARIZER_VERSION = 'extractive-summarizer@1.0.0';

export interface Summary { summary: string; key_points: string[] }

export function summarize(spans: Pick<Span, 'speaker' | 'text'>[], maxSentences = 3): Summary {
  const all = spans.flatMap((s) => sentences(s.text).map((text) => ({ speaker: s.speaker, text })));
  const freq = new Map<string, number>();
  for (const s of all) for (const w of words(s.text)) if (!STOPWORDS.has(w)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const scored = all.map((s, i) => {
    const content = words(s.text).filter((w) => !STOPWORDS.has(w));
    const score = content.length ? content.reduce((n, w) => n + (freq.get(w) ?? 0), 0) / Math.sqrt(content.length) : 0;
    return { ...s, i, score };
  });
  const top = [...scored]
    .filter((s) => s.score > 0)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, maxSentences)
    .sort((a, b) => a.i - b.i);
  const keyPoints = top.map((s) => `${s.speaker}: ${s.text}`);
  return { summary: top.map((s) => s.text).join(' ') || '(no content)', key_points: keyPoints };
}
