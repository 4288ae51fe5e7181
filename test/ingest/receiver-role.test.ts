import t from 'tap';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { sign } from '../../lib/ingest/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { testDatabase } from '../helpers/db.ts';
import { AGENT_NUMBER, deliver, SECRET, startTestReceiver } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

t.test('under the least-privileged ingest role the receiver still answers re-deliveries and records refusals', async (t) => {
  const { db, url } = await testDatabase(t);
  const ingestDb = new Db({ connectionString: withRole(url, ROLES.ingest), max: 4 });
  t.teardown(() => ingestDb.close());
  t.equal((await ingestDb.query('select current_user')).rows[0].current_user, ROLES.ingest);
  const receiver = await startTestReceiver(t, ingestDb);

  const first = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'msg_role' });
  const again = await deliver(receiver.url, sampleCall({ to: AGENT_NUMBER }), { webhookId: 'msg_role' });
  t.match(first, { status: 200, body: { status: 'accepted' } });
  t.match(again, { status: 200, body: { status: 'duplicate', event_id: (first.body as { event_id: number }).event_id } });

  const body = '{"type":';
  const ts = Math.floor(Date.now() / 1000);
  const res = await fetch(`${receiver.url}/webhooks/telephony`, { method: 'POST', body,
    headers: { 'content-type': 'application/json', 'webhook-id': 'msg_role_bad', 'webhook-timestamp': String(ts), 'webhook-signature': sign(SECRET, 'msg_role_bad', ts, body) } });
  t.equal(res.status, 400);
  const bad = await fetch(`${receiver.url}/webhooks/telephony`, { method: 'POST', body: '{}',
    headers: { 'webhook-id': 'msg_role_401', 'webhook-timestamp': String(ts), 'webhook-signature': 'v1,AAAA' } });
  t.equal(bad.status, 401);

  const { rows: [dl] } = await db.query(`select failing_function, error_code from ballast.pipeline_failures`);
  t.same(dl, { failing_function: 'ingest.receiver', error_code: 'INPUT_INVALID' }, 'the malformed body left a dead letter');
  // The auth failure's diagnostic is written after the 401, without holding it (a flood must not wait on the database).
  const codes = await waitFor('the auth failure\'s diagnostic', async () => {
    const { rows } = await db.query(`select code from ballast.diagnostic_logs order by code`);
    return rows.length >= 2 && rows.map((d) => d.code);
  });
  t.same(codes, ['AUTH_FAILED', 'INPUT_INVALID'], 'and diagnostics, including the auth failure');
});
