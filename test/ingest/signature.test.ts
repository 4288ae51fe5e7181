import t from 'tap';
import { newSecret, sign, verify, SignatureError } from '../../lib/ingest/index.ts';

const secret = newSecret();
const body = Buffer.from('{"type":"call.completed"}');
// The clock verify checks against: fixed, so no case depends on when it runs.
const now = 1_767_225_600;
const headers = (sig: string, ts = now, id = 'msg_1') => ({ 'webhook-id': id, 'webhook-timestamp': String(ts), 'webhook-signature': sig });

t.test('a correct signature is accepted', async (t) => {
  t.same(verify(secret, headers(sign(secret, 'msg_1', now, body)), body, now), { id: 'msg_1', timestamp: now });
});

t.test('a tampered body is refused', async (t) => {
  t.throws(() => verify(secret, headers(sign(secret, 'msg_1', now, body)), Buffer.from('{"type":"call.completed "}'), now),
    new SignatureError('no webhook-signature matches'));
});

t.test('a signature made with another secret is refused', async (t) => {
  t.throws(() => verify(secret, headers(sign(newSecret(), 'msg_1', now, body)), body, now), SignatureError);
});

t.test('the signature covers the webhook id and timestamp', async (t) => {
  t.throws(() => verify(secret, headers(sign(secret, 'msg_2', now, body)), body, now), SignatureError);
  t.throws(() => verify(secret, headers(sign(secret, 'msg_1', now - 1, body)), body, now), SignatureError);
});

t.test('a timestamp outside the 5-minute tolerance is refused either way', async (t) => {
  const stale = now - 301;
  t.throws(() => verify(secret, headers(sign(secret, 'msg_1', stale, body), stale), body, now), /tolerance/);
  const future = now + 301;
  t.throws(() => verify(secret, headers(sign(secret, 'msg_1', future, body), future), body, now), /tolerance/);
  for (const edge of [now - 300, now + 300]) {
    t.ok(verify(secret, headers(sign(secret, 'msg_1', edge, body), edge), body, now), `exactly 300 s ${edge < now ? 'old' : 'ahead'} is accepted`);
  }
});

t.test('during rotation the sender signs with old and new secrets; either one verifies', async (t) => {
  const oldSecret = newSecret();
  const both = `${sign(oldSecret, 'msg_1', now, body)} ${sign(secret, 'msg_1', now, body)}`;
  t.ok(verify(secret, headers(both), body, now), 'receiver already on the new secret');
  t.ok(verify(oldSecret, headers(both), body, now), 'receiver still on the old secret');
  t.throws(() => verify(newSecret(), headers(both), body, now), SignatureError, 'a third secret matches neither');
});

t.test('missing headers and malformed timestamps say what is wrong', async (t) => {
  t.throws(() => verify(secret, { 'webhook-id': 'x' }, body, now), /missing header\(s\): webhook-timestamp, webhook-signature/);
  t.throws(() => verify(secret, headers('v1,abc', 'soon' as unknown as number), body, now), /integer seconds/);
  t.throws(() => verify(secret, headers('v2,abc'), body, now), /no webhook-signature matches/);
});
