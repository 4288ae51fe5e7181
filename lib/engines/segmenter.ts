/**
 * Turn-based segmentation: consecutive turns of the same speaker become one
 * conversation span. Pure and deterministic.
 */
export const SEGMENTER_VERSION = 'turn-segmenter@1.0.0';

export interface Turn { speaker: string; text: string; start_ms?: number | undefined; end_ms?: number | undefined }
export interface Span { seq: number; speaker: string; start_ms: number | null; end_ms: number | null; turn_count: number; text: string }

export function segment(turns: Turn[]): Span[] {
  const spans: Span[] = [];
  for (const turn of turns) {
    const text = turn.text.trim();
    if (!text) continue;
    const last = spans[spans.length - 1];
    if (last && last.speaker === turn.speaker) {
      last.text = `${last.text} ${text}`;
      last.turn_count += 1;
      last.end_ms = turn.end_ms ?? last.end_ms;
      continue;
    }
    spans.push({
      seq: spans.length + 1,
      speaker: turn.speaker,
      start_ms: turn.start_ms ?? null,
      end_ms: turn.end_ms ?? null,
      turn_count: 1,
      text,
    });
  }
  return spans;
}
