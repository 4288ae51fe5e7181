import t from 'tap';
import { formatTraceparent, isSpanId, isTraceId, newSpanId, newTraceId, parseTraceparent } from '../../lib/trace/index.ts';

t.test('span and trace ids are W3C-shaped, unique, and keep coming past the random pool', async (t) => {
  const spans = Array.from({ length: 2000 }, newSpanId); // 16 000 bytes: the 4 KiB pool refills several times
  const traces = Array.from({ length: 500 }, newTraceId);
  t.ok(spans.every(isSpanId), 'every span id is 16 hex, not all zeros');
  t.ok(traces.every(isTraceId), 'every trace id is 32 hex, not all zeros');
  t.equal(new Set(spans).size, spans.length, 'no span id repeats');
  t.equal(new Set(traces).size, traces.length, 'no trace id repeats');
});

t.test('traceparent round-trips; malformed headers start a new trace', async (t) => {
  const trace = newTraceId();
  const span = newSpanId();
  t.same(parseTraceparent(formatTraceparent(trace, span)), { trace_id: trace, span_id: span });
  t.equal(parseTraceparent(`00-${'0'.repeat(32)}-${span}-01`), null, 'all-zero trace id');
  t.equal(parseTraceparent(`ff-${trace}-${span}-01`), null, 'version ff');
  t.equal(parseTraceparent('garbage'), null);
});
