/**
 * Rule-based claim extraction: each sentence is matched against an ordered
 * list of patterns; the first rule that matches names the claim's kind.
 */
import { sentences } from './text.ts';
import type { Span } from './segmenter.ts';

export const CLAIMS_VERSION = 'rule-claims@1.0.0';
export const CLAIMS_RULESET = 'claims-rules@1';

const RULES: { kind: string; pattern: RegExp }[] = [
  { kind: 'refund_request', pattern: /\b(refund|money back|reimburse)/i },
  { kind: 'cancellation', pattern: /\b(cancel|terminate|close (my|the) account)/i },
  { kind: 'billing_dispute', pattern: /\b(charged|billed|overcharg|invoice|double charge)/i },
  { kind: 'identifier', pattern: /\b(account|order|reference|ticket) (number|#|id)\b/i },
  { kind: 'appointment', pattern: /\b(appointment|schedule|reschedule|book (a|an))\b/i },
  { kind: 'request', pattern: /\b(i (want|need|would like)|can you|could you|please)\b/i },
];

export interface Claim { seq: number; kind: string; text: string; span_seq: number }

export function extractClaims(spans: Pick<Span, 'seq' | 'text'>[]): Claim[] {
  const out: Claim[] = [];
  for (const span of spans) {
    for (const text of sentences(span.text)) {
      const rule = RULES.find((r) => r.pattern.test(text));
      if (rule) out.push({ seq: out.length + 1, kind: rule.kind, text, span_seq: span.seq });
    }
  }
  return out;
}
