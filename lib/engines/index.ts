/** Pure decision logic of the reference pipeline. Nothing here does I/O. */
export { segment, SEGMENTER_VERSION, type Span, type Turn } from './segmenter.ts';
export { summarize, SUMMARIZER_VERSION, type Summary } from './summarizer.ts';
export { extractClaims, CLAIMS_VERSION, CLAIMS_RULESET, type Claim } from './claims.ts';
export { detectStriking, STRIKING_VERSION, STRIKING_RULESET, type Flag } from './striking.ts';
export { SUMMARIZER_ENGINE, CLAIMS_ENGINE, STRIKING_ENGINE, type Engine, type DecisionInput } from './decision-engines.ts';
