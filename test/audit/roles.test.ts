import t from 'tap';
import pg from 'pg';
import { ROLES, withRole, type DbRole } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';

const { db, url } = await testDatabase(t);
await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('r1', 'u', '+15550001111')`);
await db.query(`select audit.seal()`);

async function as<T>(role: DbRole, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withRole(url, role) });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}
const denied = /permission denied|append-only|row-level security/;

for (const role of Object.values(ROLES)) {
  t.test(`${role}: the audit ledger cannot be changed`, async (t) => {
    await as(role, async (c) => {
      t.equal((await c.query('select current_user')).rows[0].current_user, role, 'the connection acts as the role');
      await t.rejects(c.query(`update audit.ledger set actor = 'x'`), denied);
      await t.rejects(c.query(`delete from audit.ledger`), denied);
      await t.rejects(c.query(`truncate audit.ledger`), denied);
      await t.rejects(c.query(`delete from audit.chain`), denied);
      // Only the triggers append (as ballast_audit_writer, which no process connects as).
      await t.rejects(c.query(`insert into audit.ledger (actor, db_role, operation, entity_type) values ('x', 'x', 'create', 'forged')`), denied);
      await t.rejects(c.query(`insert into audit.seals (sealed_by, horizon, row_count, head_hash) values ('x', '1', 0, 'x')`), denied);
    });
  });
}

t.test('ingest can only insert into the inbox (and read back its acknowledgement)', async (t) => {
  await as(ROLES.ingest, async (c) => {
    const { rows: [ev] } = await c.query(
      `insert into ingest.webhook_events (source, webhook_id, raw_body, payload) values ('telephony', 'wh_role', '{}', '{"type":"x"}') returning id`);
    t.ok(ev.id, 'insert with RETURNING id works, and its trigger enqueued the first stage');
    await t.rejects(c.query('select raw_body from ingest.webhook_events'), denied);
    await t.rejects(c.query(`update ingest.webhook_events set status = 'completed'`), denied);
    await t.rejects(c.query('delete from ingest.webhook_events'), denied);
    await t.rejects(c.query('select * from app.agents'), denied);
    await t.rejects(c.query(`insert into app.agents (agent_id, user_id, phone_number) values ('x', 'u', '+15550002222')`), denied);
    await t.rejects(c.query(`select graphile_worker.add_job('normalize_event', '{}')`), denied);
  });
  const { rows } = await db.query(`select count(*)::int n from ballast.queued_jobs where task_identifier = 'normalize_event'`);
  t.equal(rows[0].n, 1, 'the SECURITY DEFINER trigger enqueued the job');
});

t.test('worker runs the pipeline but cannot touch migrations, settings or the audit trail', async (t) => {
  await as(ROLES.worker, async (c) => {
    await c.query(`select graphile_worker.add_job('segment_interaction', '{"interaction_id": 1}')`);
    await c.query(`update app.agents set nickname = 'n' where agent_id = 'r1'`);
    t.pass('queue and pipeline tables are writable');
    const sealed = (await c.query('select sealed from audit.seal()')).rows[0];
    t.ok(sealed.sealed >= 1, 'the worker seals through the SECURITY DEFINER function');
    await t.rejects(c.query(`delete from public.migrations`), denied);
    await t.rejects(c.query(`insert into graphile_worker.migrations (id) values (9999)`), denied);
    await t.rejects(c.query(`update ballast.trace_policy set mode = 'strict'`), denied);
    await t.rejects(c.query(`select audit.enable('app.agents')`), denied);
    await t.rejects(c.query('create table app.evil (x int)'), denied);
    await t.rejects(c.query('delete from ballast.error_envelopes'), denied);
    await t.rejects(c.query('update ballast.error_envelopes set severity = severity'), denied);
  });
  const { rows: [row] } = await db.query(`select db_role from audit.ledger where entity_id = 'r1' and operation = 'update'`);
  t.equal(row.db_role, ROLES.worker, 'the audit row names the role that acted');
});

t.test('forensics can read everything and change nothing', async (t) => {
  await as(ROLES.forensics, async (c) => {
    for (const q of ['select count(*) from audit.ledger', 'select count(*) from app.interactions', 'select count(*) from ingest.webhook_events',
      'select count(*) from ballast.job_attempts', 'select count(*) from ballast.queued_jobs', 'select count(*) from replay.decisions']) {
      await c.query(q);
    }
    t.pass('reads succeed');
    await t.rejects(c.query(`update app.agents set nickname = 'x'`), denied);
    await t.rejects(c.query(`insert into ingest.webhook_events (source, payload) values ('telephony', '{}')`), denied);
    await t.rejects(c.query(`select graphile_worker.add_job('normalize_event', '{}')`), denied);
    await t.rejects(c.query(`select audit.seal()`), denied);
    await t.rejects(c.query(`update ballast.trace_policy set mode = 'strict'`), denied);
  });
});

t.test('the owner changes settings; the change is audited', async (t) => {
  await as(ROLES.owner, async (c) => {
    await c.query(`begin; select set_config('ballast.actor', 'cli:ops', true); update ballast.trace_policy set mode = 'strict'; commit`);
  });
  const { rows: [row] } = await db.query(`select actor, before_data->>'mode' b, after_data->>'mode' a from audit.ledger where entity_type = 'ballast.trace_policy' order by id desc limit 1`);
  t.same(row, { actor: 'cli:ops', b: 'log_only', a: 'strict' });
});
