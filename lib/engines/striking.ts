/**
 * Striking-moment detection: flags that a human should look at, from fixed
 * keyword rules with a severity each. One flag per rule and span.
 */
import type { Span } from './segmenter.ts';

export const STRIKING_VERSION = 'rule-striking@1.0.0';
export const STRIKING_RULESET = 'striking-rules@1';

const RULES: { flag: string; severity: 'low' | 'medium' | 'high'; pattern: RegExp }[] = [
  { flag: 'legal_threat', severity: 'high', pattern: /\b(lawyer|attorney|sue|lawsuit|legal action)\b/i },
  { flag: 'escalation_request', severity: 'medium', pattern: /\b(manager|supervisor|escalate)\b/i },
  { flag: 'churn_risk', severity: 'medium', pattern: /\b(cancel|switch(ing)? (to|provider)|competitor|leave you)\b/i },
  { flag: 'frustration', severity: 'low', pattern: /\b(frustrat\w*|angry|upset|ridiculous|unacceptable|terrible)\b/i },
];

export interface Flag { seq: number; flag: string; severity: 'low' | 'medium' | 'high'; evidence: string; span_seq: number }

export function detectStriking(spans: Pick<Span, 'seq' | 'text'>[]): Flag[] {
  const out: Flag[] = [];
  for (const span of spans) {
    for (const rule of RULES) {
      const m = rule.pattern.exec(span.text);
      if (!m) continue;
      const from = Math.max(0, m.index - 40);
      const evidence = span.text.slice(from, m.index + m[0].length + 40).trim();
      out.push({ seq: out.length + 1, flag: rule.flag, severity: rule.severity, evidence, span_seq: span.seq });
    }
  }
  return out;
}
