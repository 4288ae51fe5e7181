import t from 'tap';
import { detectStriking, extractClaims, segment, summarize } from '../../lib/engines/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';

const call = sampleCall({ to: '+15555550100', at: new Date('2026-01-01T00:00:00Z') });
const turns = call.type === 'call.completed' ? call.data.transcript : [];

t.test('segmentation merges consecutive turns of one speaker', async (t) => {
  const spans = segment(turns);
  t.same(spans.map((s) => [s.seq, s.speaker, s.turn_count]), [[1, 'agent', 1], [2, 'caller', 2], [3, 'agent', 1], [4, 'caller', 1], [5, 'agent', 1], [6, 'caller', 1]]);
  t.equal(spans[1]!.start_ms, 3600);
  t.equal(spans[1]!.end_ms, 12000);
  t.same(segment([{ speaker: 'a', text: '   ' }]), [], 'empty turns are dropped');
});

t.test('every engine is deterministic: same input, same output', async (t) => {
  const spans = segment(turns);
  t.same(summarize(spans), summarize(segment(structuredClone(turns))));
  t.same(extractClaims(spans), extractClaims(structuredClone(spans)));
  t.same(detectStriking(spans), detectStriking(structuredClone(spans)));
});

t.test('claims and flags find what a human would', async (t) => {
  const spans = segment(turns);
  const kinds = extractClaims(spans).map((c) => c.kind);
  t.ok(kinds.includes('refund_request'));
  t.ok(kinds.includes('billing_dispute'));
  t.ok(kinds.includes('identifier'));
  t.same(detectStriking(spans).map((f) => f.flag).sort(), ['churn_risk', 'frustration']);
  t.same(detectStriking([{ seq: 1, text: 'I will call my lawyer and sue you.' }]).map((f) => [f.flag, f.severity]), [['legal_threat', 'high']]);
});

t.test('the summary keeps the most central sentences in their original order', async (t) => {
  const s = summarize(segment(turns));
  t.equal(s.key_points.length, 3);
  t.match(s.summary, /refund/);
  t.same(summarize([]), { summary: '(no content)', key_points: [] });
});
