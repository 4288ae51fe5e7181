/**
 * The upgrade test of the agents migration: agents whose status and
 * is_active disagreed keep what the pipeline obeyed (is_active), a number
 * held twice is kept by the active agent, unknown-number rows get a
 * resolution, and quarantine reasons get their code.
 */
import t from 'tap';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '017_agents.sql';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

t.test(`${MIGRATION}: old agents, unknown numbers and quarantined events are kept and brought in line`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  await db.query(`insert into app.agents (agent_id, user_id, phone_number, status, is_active) values
    ('a_ok', 'u', '+15555550501', 'active', true),
    ('a_off', 'u', '+15555550502', 'active', false),      -- deactivated by the flag alone
    ('a_dup', 'u', '+15555550502', 'suspended', true),     -- the flag made it the number's active agent
    ('a_ret', 'u', '+15555550503', 'retired', false)`);
  const event = async (status: string, reason: string | null) => (await db.query(
    `insert into ingest.webhook_events (source, raw_body, status, status_reason) values ('telephony', '{}', $1, $2) returning id`,
    [status, reason])).rows[0].id as string;
  const unknown = await event('quarantined', 'no active agent owns [redacted:phone:abc]');
  const odd = await event('quarantined', 'unsupported event type "call.ringing"');
  const later = await event('completed', null);
  for (const id of [unknown, later]) {
    await db.query(`insert into app.unknown_phone (event_id, source, phone_number, trace_id, correlation_id, span_id, produced_by, producer_version)
                    values ($1, 'telephony', '+15555550599', $2, 'c', '00f067aa0ba902b7', 'normalize_event', '1.0.0')`, [id, TRACE]);
  }

  t.same(await up.apply(), [MIGRATION]);

  t.same((await db.query(`select agent_id, status, is_active from app.agents order by agent_id`)).rows, [
    { agent_id: 'a_dup', status: 'active', is_active: true },
    { agent_id: 'a_off', status: 'retired', is_active: false },
    { agent_id: 'a_ok', status: 'active', is_active: true },
    { agent_id: 'a_ret', status: 'retired', is_active: false },
  ], 'is_active wins where the two disagreed; of two agents on one number the active one keeps it');
  const { rows: why } = await db.query(`select entity_id, reason from audit.ledger where entity_type = 'app.agents' and operation = 'update' order by entity_id, id`);
  t.match(why, [{ entity_id: 'a_dup', reason: /status follows is_active/ }, { entity_id: 'a_off', reason: /status follows is_active/ },
    { entity_id: 'a_off', reason: /one agent that is not retired/ }], 'each change is audited with its reason');

  t.same((await db.query(`select id::text, status_reason from ingest.webhook_events where status = 'quarantined' order by id`)).rows, [
    { id: unknown, status_reason: 'unknown_phone: no active agent owns [redacted:phone:abc]' },
    { id: odd, status_reason: 'unsupported_event_type: unsupported event type "call.ringing"' },
  ]);
  t.same((await db.query(`select event_id::text, resolution from app.unknown_phone order by event_id`)).rows, [
    { event_id: unknown, resolution: 'open' }, { event_id: later, resolution: 'replayed' },
  ], 'an unknown-number event that had left quarantine counts as resolved');

  // The new rules hold for the old rows.
  await t.rejects(db.query(`update app.agents set status = 'active' where agent_id = 'a_ret'`), /retired -> active is not a transition/);
  await t.rejects(db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('a_new', 'u', '+15555550501')`), /agents_number_key/);
  t.same((await db.query(`select ingest.reason_code(status_reason) as code from ingest.webhook_events where status = 'quarantined' order by id`)).rows
    .map((r) => r.code), ['unknown_phone', 'unsupported_event_type']);
});

t.test(`${MIGRATION}: a pending agent that is not named pending-<user> stops the migration with what to do`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  await up.db.query(`insert into app.agents (agent_id, user_id, phone_number, status, is_active) values ('odd', 'u', '+15555550601', 'pending', false)`);
  await t.rejects(up.apply(), /pending agents must be named pending-<user_id>, and only they: odd \(pending\)/);
  t.equal((await up.db.query(`select count(*)::int n from information_schema.columns where table_name = 'agents' and column_name = 'is_active' and is_generated = 'ALWAYS'`)).rows[0].n, 0,
    'nothing of it applied');
});
