import t from 'tap';
import { buildDeadLetter, buildEnvelope, classify, InvalidInputError, Redactor } from '../../lib/failures/index.ts';

const redactor = new Redactor({ key: 'dead-letter-builder-test-key-0000000000' });
const TRACE = '0af7651916cd43dd8448eb211c80319c';
const envelope = buildEnvelope(redactor, {
  err: new InvalidInputError('payload.n: expected number'), classification: classify(new InvalidInputError('x')),
  component: 'tasks.t', severity: 'error',
});

t.test('the builder splits the trace fields off the payload and keys the dead letter by its business key', async (t) => {
  const dl = buildDeadLetter(redactor, {
    envelope, failingFunction: 't', payload: { interaction_id: 42, n: 'seven', trace_id: TRACE, parent_span_id: 'b7ad6b7169203331',
      correlation_id: 'case:42', replay_of: '7c9e6679-7425-40de-944b-e07fc1f90ae7' },
    code: 'INPUT_INVALID', attempt: 1, retryable: false, jobId: '9',
  });
  t.same(dl, {
    interaction_id: '42', failing_function: 't', parent_span_id: 'b7ad6b7169203331', http_status: null, error_code: 'INPUT_INVALID',
    error_message: envelope.message, attempt_count: 1, payload_snapshot: { interaction_id: 42, n: 'seven' },
    context: { job_id: '9', trace_id: TRACE, span_id: 'b7ad6b7169203331', correlation_id: 'case:42', error_id: envelope.error_id,
      error_class: 'domain.input_invalid', replayable: true },
    retryable: false, replay_of: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  });
});

t.test('a snapshot that redaction changed is not replayable, nor is one its caller says cannot be', async (t) => {
  const base = { envelope, failingFunction: 't', code: 'INPUT_INVALID' as const, attempt: 1, retryable: false };
  const masked = buildDeadLetter(redactor, { ...base, payload: { event_id: 3, phone: '+15555550123' } });
  t.same(masked.payload_snapshot, { event_id: 3, phone: redactor.text('+15555550123') });
  t.equal(masked.context.replayable, false);
  t.equal(masked.interaction_id, 'event:3', 'no interaction: the inbox event is the key');
  t.equal(buildDeadLetter(redactor, { ...base, payload: { n: 1 }, replayable: false }).context.replayable, false);
  t.equal(buildDeadLetter(redactor, { ...base, payload: { n: 1 }, key: 'summary:5' }).interaction_id, 'summary:5');
  t.equal(buildDeadLetter(redactor, { ...base, payload: { n: 1 }, jobId: '11' }).interaction_id, 'job:11', 'last resort: the job');
});
