import t from 'tap';
import { z } from 'zod';
import { classify, DownstreamError, InvalidInputError, ModelParseError, PermanentError, TransientError } from '../../lib/failures/index.ts';

const pgError = (code: string) => Object.assign(new Error(`pg ${code}`), { code });
const sysError = (code: string) => Object.assign(new Error(`read ${code}`), { code });

const cases: [string, unknown, string, string][] = [
  ['zod validation', z.object({ n: z.number() }).safeParse({}).error, 'permanent', 'INPUT_INVALID'],
  ['invalid input', new InvalidInputError('bad'), 'permanent', 'INPUT_INVALID'],
  ['policy violation', new Error('POLICY_VIOLATION: Job 1 succeeded without trace_id'), 'permanent', 'POLICY_VIOLATION'],
  ['downstream 404', new DownstreamError('crm', 404, 'not found'), 'permanent', 'DOWNSTREAM_CALL_FAILED'],
  ['downstream 400', new DownstreamError('crm', 400, 'bad request'), 'permanent', 'DOWNSTREAM_CALL_FAILED'],
  ['downstream 429', new DownstreamError('crm', 429, 'slow down'), 'transient', 'DOWNSTREAM_CALL_FAILED'],
  ['downstream 503', new DownstreamError('crm', 503, 'unavailable'), 'transient', 'DOWNSTREAM_CALL_FAILED'],
  ['model parse', new ModelParseError('no JSON in output'), 'transient', 'MODEL_PARSE_ERROR'],
  ['serialization failure', pgError('40001'), 'transient', 'DB_WRITE_FAILED'],
  ['deadlock', pgError('40P01'), 'transient', 'DB_WRITE_FAILED'],
  ['statement timeout', pgError('57014'), 'transient', 'DB_WRITE_FAILED'],
  ['connection failure', pgError('08006'), 'transient', 'DB_WRITE_FAILED'],
  ['check violation', pgError('23514'), 'permanent', 'DB_WRITE_FAILED'],
  ['permission refused (gated delete)', pgError('42501'), 'permanent', 'DB_WRITE_FAILED'],
  ['undefined column', pgError('42703'), 'permanent', 'DB_WRITE_FAILED'],
  ['connection reset', sysError('ECONNRESET'), 'transient', 'DOWNSTREAM_CALL_FAILED'],
  ['timeout', Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' }), 'transient', 'DOWNSTREAM_CALL_FAILED'],
  ['typed transient', new TransientError('try later'), 'transient', 'UNEXPECTED'],
  ['typed permanent', new PermanentError('never'), 'permanent', 'UNEXPECTED'],
  ['anything else', new Error('surprise'), 'transient', 'UNEXPECTED'],
];

for (const [name, err, outcome, code] of cases) {
  t.test(`${name} is ${outcome} (${code})`, async (t) => {
    const c = classify(err);
    t.equal(c.outcome, outcome);
    t.equal(c.code, code);
    t.match(c.errorClass, /^(infra|domain|system)\./);
  });
}

t.test('downstream errors keep their HTTP status', async (t) => {
  t.equal(classify(new DownstreamError('crm', 404, 'x')).httpStatus, 404);
  t.equal(classify(new Error('x')).httpStatus, null);
});
