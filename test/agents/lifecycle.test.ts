/**
 * The agent lifecycle: pending-{userId} until activated under the real id,
 * status and is_active that cannot disagree, transitions the database
 * refuses, updated_at kept by a trigger, and every change audited with the
 * operator and the note.
 */
import t from 'tap';
import { activateAgent, addAgent, AgentError, listAgents, retireAgent, suspendAgent } from '../../lib/agents/index.ts';
import { Redactor } from '../../lib/failures/index.ts';
import { testDatabase } from '../helpers/db.ts';

const { db } = await testDatabase(t);
const ops = { actor: 'cli:ops', note: 'new support line' };
const ledger = async (id: string) => (await db.query(
  `select operation::text, actor, reason, before_data->>'status' as before, after_data->>'status' as after
     from audit.ledger where entity_type = 'app.agents' and entity_id = $1 order by id`, [id])).rows;

t.test('an agent is added as pending-{userId} and gets its real id on activation', async (t) => {
  const a = await addAgent(db, { userId: 'u1', phoneNumber: '+15555550201', nickname: 'front desk', provider: 'acme' }, ops);
  t.match(a, { agent_id: 'pending-u1', status: 'pending', is_active: false, provisioned_by: 'cli:ops', org_id: 'default' });
  await t.rejects(addAgent(db, { userId: 'u1', phoneNumber: '+15555550299' }, ops), /a user has one pending agent at a time/);
  await t.rejects(activateAgent(db, 'pending-u1', ops), /pending: give the id the provider assigned with --id/);
  await t.rejects(activateAgent(db, 'pending-u1', ops, { realId: 'pending-x' }), /not an agent id/);

  const active = await activateAgent(db, 'pending-u1', { actor: 'cli:ops', note: 'number ported' }, { realId: 'agent_201', providerNumberId: 'PN201' });
  t.match(active, { agent_id: 'agent_201', status: 'active', is_active: true, provider_number_id: 'PN201', nickname: 'front desk' });
  t.ok(new Date(active.updated_at) >= new Date(active.created_at));
  t.same((await db.query(`select count(*)::int n from app.agents where agent_id = 'pending-u1'`)).rows[0].n, 0, 'the pending id is gone');
  t.match(await ledger('pending-u1'), [{ operation: 'create', actor: 'cli:ops', reason: 'new support line', after: 'pending' }]);
  t.match(await ledger('agent_201'), [{ operation: 'update', actor: 'cli:ops', reason: 'number ported', before: 'pending', after: 'active' }],
    'the activation is audited under the real id, with the note');
  t.ok((await addAgent(db, { userId: 'u1', phoneNumber: '+15555550202' }, ops)).agent_id === 'pending-u1', 'the user can provision again');
});

t.test('status and is_active cannot disagree: is_active is derived', async (t) => {
  await t.rejects(db.query(`update app.agents set is_active = false where agent_id = 'agent_201'`), /column "is_active" can only be updated to DEFAULT/);
  await t.rejects(db.query(`insert into app.agents (agent_id, user_id, phone_number, is_active) values ('x1', 'u', '+15555550203', true)`),
    /non-DEFAULT value into column "is_active"/);
  const s = await suspendAgent(db, 'agent_201', { actor: 'cli:ops', note: 'billing hold' });
  t.match(s, { status: 'suspended', is_active: false });
  const { rows } = await db.query(`select count(*)::int n from app.agents where is_active <> (status = 'active')`);
  t.equal(rows[0].n, 0);
});

t.test('the database refuses what an agent cannot do, from psql too', async (t) => {
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('agent_301', 'u3', '+15555550301')`);
  await t.rejects(db.query(`update app.agents set agent_id = 'agent_302' where agent_id = 'agent_301'`), /id of a active agent is fixed/);
  await t.rejects(db.query(`update app.agents set status = 'pending' where agent_id = 'agent_301'`), /active -> pending is not a transition/);
  await t.rejects(db.query(`insert into app.agents (agent_id, user_id, phone_number, status) values ('agent_9', 'u9', '+15555550309', 'pending')`),
    /agents_pending_id/, 'a pending agent is named pending-<user>');
  await t.rejects(db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('pending-u9', 'u9', '+15555550309')`),
    /agents_pending_id/, 'and only a pending one');
  await t.rejects(addAgent(db, { userId: 'u4', phoneNumber: '+15555550301' }, ops), /already held by an agent that is not retired/,
    'a number belongs to one agent that is not retired');
  const notE164 = await addAgent(db, { userId: 'u4', phoneNumber: '555-0100' }, ops).then(() => undefined, (e: Error) => e.message);
  t.match(notE164, /^"555-0100" is not an E.164 number/);
  const format = notE164!.slice('"555-0100"'.length);
  t.equal(Redactor.ephemeral().text(format), format, 'it names the format without a phone-shaped example the redactor would mask');
  await t.rejects(suspendAgent(db, 'agent_301', { actor: 'cli:ops', note: ' ' }), /a note saying why is required/);
  await t.rejects(suspendAgent(db, 'nope', ops), /no agent nope/);
});

t.test('updated_at is maintained by a trigger', async (t) => {
  await db.query(`update app.agents set updated_at = '2020-01-01' where agent_id = 'agent_301'`);
  const { rows: [r] } = await db.query(`select updated_at from app.agents where agent_id = 'agent_301'`);
  t.ok(new Date(r.updated_at).getFullYear() > 2020, 'any update stamps now(), whatever the writer sets');
  const before = new Date(r.updated_at);
  await db.query(`update app.agents set nickname = 'night shift' where agent_id = 'agent_301'`);
  const { rows: [r2] } = await db.query(`select updated_at from app.agents where agent_id = 'agent_301'`);
  t.ok(new Date(r2.updated_at) >= before);
});

t.test('suspend, activate again, retire; retired is final and frees the number', async (t) => {
  await suspendAgent(db, 'agent_301', ops);
  await t.rejects(suspendAgent(db, 'agent_301', ops), /already suspended/);
  t.match(await activateAgent(db, 'agent_301', ops), { agent_id: 'agent_301', status: 'active' }, 'a suspended agent keeps its id');
  const r = await retireAgent(db, 'agent_301', { actor: 'cli:ops', note: 'line closed' });
  t.match(r, { status: 'retired', is_active: false });
  await t.rejects(activateAgent(db, 'agent_301', ops), /retired; add a new agent/);
  await t.rejects(db.query(`update app.agents set status = 'active' where agent_id = 'agent_301'`), /retired -> active is not a transition/);
  t.match(await addAgent(db, { userId: 'u5', phoneNumber: '+15555550301', agentId: 'agent_305' }, ops), { status: 'active' },
    'the number can be given to a new agent, active at once with the id the provider assigned');
});

t.test('retiring a pending agent cancels it: deleted, with the note as the reason', async (t) => {
  await addAgent(db, { userId: 'u6', phoneNumber: '+15555550306' }, ops);
  await retireAgent(db, 'pending-u6', { actor: 'cli:ops', note: 'customer cancelled' });
  t.equal((await db.query(`select count(*)::int n from app.agents where agent_id = 'pending-u6'`)).rows[0].n, 0);
  t.match((await ledger('pending-u6')).at(-1), { operation: 'delete', actor: 'cli:ops', reason: 'customer cancelled', before: 'pending' });
  await t.rejects(db.query(`update app.agents set status = 'retired' where agent_id = 'pending-u1'`), /pending -> retired is not a transition/);
});

t.test('list by status', async (t) => {
  t.same((await listAgents(db, { status: 'pending' })).map((a) => a.agent_id), ['pending-u1']);
  t.same((await listAgents(db, { status: 'retired' })).map((a) => a.agent_id), ['agent_301']);
  await t.rejects(listAgents(db, { status: 'gone' as never }), AgentError);
});

t.test('an agent that owns interactions cannot be renamed: the reference is never left behind', async (t) => {
  // Only a pending agent is renamed, and events for its number wait as unknown_phone, so no
  // interaction points at a pending id. Forced by hand, the foreign key refuses the rename.
  await addAgent(db, { userId: 'u7', phoneNumber: '+15555550307' }, ops);
  const { rows: [ev] } = await db.query(`insert into ingest.webhook_events (source, raw_body, status) values ('telephony', '{}', 'rejected') returning id`);
  await db.query(`insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at,
                    trace_id, correlation_id, span_id, produced_by, producer_version)
                  values ($1, 'default', 'pending-u7', 'sms', 'inbound', 'm', '+15555550111', '+15555550307', now(),
                    '4bf92f3577b34da6a3ce929d0e0e4736', 'c', '00f067aa0ba902b7', 'test', '1')`, [ev.id]);
  await t.rejects(activateAgent(db, 'pending-u7', ops, { realId: 'agent_307' }), /interactions refer to this agent id/);
  t.equal((await db.query(`select agent_id from app.interactions where event_id = $1`, [ev.id])).rows[0].agent_id, 'pending-u7');
});
