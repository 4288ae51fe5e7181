/**
 * 023_ledger: the audited UPDATE names its table without a catalog query, and
 * the ledger rows it writes are the same as before, column for column: the
 * same writes, made before and after the migration on one database, leave
 * the same rows (one-column and composite keys, redacted and not, plain
 * tables and partitions, which are named by their partitioned table). The
 * one change on purpose: agents' phone numbers are masked from 023 on, and
 * rows written before it are left as they were.
 */
import { createHmac } from 'node:crypto';
import pg from 'pg';
import t from 'tap';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '023_ledger.sql';
const AGENT_NUMBER = '+15550102301';
const NEW_NUMBER = '+15550102302';

/** Ledger columns that differ between two runs of the same writes by construction. */
const VOLATILE_COLUMNS = ['id', 'txid', 'occurred_at'];

/**
 * A ledger image without its timestamps: `updated_at` and the like come from
 * now() in each run; the capture functions copy them like any other value.
 */
function timeless(image: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!image) return image;
  return Object.fromEntries(Object.entries(image).filter(([k]) => !k.endsWith('_at')));
}

/**
 * Writes through every capture form in one transaction, reads back the ledger
 * rows they made, and rolls back, so the next run starts from the same rows.
 */
async function writes(url: string): Promise<Record<string, unknown>[]> {
  const tx = new pg.Client({ connectionString: url });
  await tx.connect();
  try {
    await tx.query('begin');
    const { rows: [{ first }] } = await tx.query(`select coalesce(max(id), 0) as first from audit.ledger`);
    await tx.query(`select set_config('ballast.actor', 'test:023', true), set_config('ballast.reason', 'same rows', true)`);
    // Simple form (one-column key, nothing redacted), plain table.
    await tx.query(`insert into public.plain_audited values (2, 'org_b', 'two')`);
    await tx.query(`update public.plain_audited set body = 'one, edited' where id = 1`);
    await tx.query(`update public.plain_audited set body = body where id = 1`); // changes nothing: no row
    await tx.query(`delete from public.plain_audited where id = 2`);
    // General form: composite key, redacted columns, and a completion.
    await tx.query(`update public.pairs_audited set secret = 'hunter3', status = 'completed' where a = 7`);
    await tx.query(`update public.pairs_audited set note = 'kept secret' where a = 7`);
    // A partitioned table: the row trigger fires on the partition, the row names the parent.
    await tx.query(`update public.parted_audited set note = 'moved on' where id = 1`);
    await tx.query(`update public.parted_audited set note = 'in the default partition' where id = 2`);
    await tx.query(`update public.parted_simple set note = 'moved on' where id = 1`);
    // The pipeline's own tables: the inbox (partitioned, redacted) and an interaction.
    await tx.query(`update ingest.webhook_events set status = 'completed', stages_done = '{a}' where webhook_id = 'wh_023'`);
    await tx.query(`update app.interactions set duration_seconds = 42, to_number = '+15550102399' where provider_ref = 'p_023'`);
    const { rows } = await tx.query(`select * from audit.ledger where id > $1 order by id`, [first]);
    return rows.map((r) => {
      for (const c of VOLATILE_COLUMNS) delete r[c];
      return { ...r, before_data: timeless(r.before_data), after_data: timeless(r.after_data) };
    });
  } finally {
    await tx.query('rollback').catch(() => undefined);
    await tx.end();
  }
}

t.test(`${MIGRATION}: the same writes leave the same ledger rows; agents' numbers are masked from now on; the chain verifies`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  await db.query(`
    create table public.plain_audited (id bigint primary key, org_id text not null, body text not null);
    create table public.pairs_audited (a int, b text, secret text, note text, status text, primary key (a, b));
    create table public.parted_audited (id int, at timestamptz, secret text, note text, primary key (id, at)) partition by range (at);
    create table public.parted_audited_2030_01 partition of public.parted_audited for values from ('2030-01-01') to ('2030-02-01');
    create table public.parted_audited_other partition of public.parted_audited default;
    create table public.parted_simple (id int primary key, note text) partition by range (id);
    create table public.parted_simple_low partition of public.parted_simple for values from (0) to (100);
    select audit.enable('public.plain_audited');
    select audit.enable('public.pairs_audited', redact => array['secret']);
    select audit.enable('public.parted_audited', redact => array['secret']);
    select audit.enable('public.parted_simple');
    insert into public.plain_audited values (1, 'org_a', 'one');
    insert into public.pairs_audited values (7, 'x', 'hunter2', null, 'open');
    insert into public.parted_audited values (1, '2030-01-01T10:00:00Z', 's1', null), (2, '2030-03-01T10:00:00Z', 's2', null);
    insert into public.parted_simple values (1, null);`);
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('agent_023', 'u_023', $1)`, [AGENT_NUMBER]);
  const { rows: [ev] } = await db.query(`
    insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at)
    values ('telephony', 'wh_023', '{"a":1}', '{"type":"call.completed"}', '2030-03-01T10:00:00Z') returning id`);
  await db.query(`
    insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at,
                                  trace_id, correlation_id, span_id, produced_by, producer_version)
    values ($1, 'o', 'agent_023', 'call', 'inbound', 'p_023', '+15550102398', '+15550102397', '2030-03-01T10:00:00Z',
            '4bf92f3577b34da6a3ce929d0e0e4736', 'c', '00f067aa0ba902b7', 't', '1')`, [ev.id]);
  const agentUpdate = async () => {
    await db.atomicWrite((tx) => tx.query(`update app.agents set phone_number = $1 where agent_id = 'agent_023'`, [NEW_NUMBER]),
      { actor: 'test:023', reason: 'number ported' });
    await db.atomicWrite((tx) => tx.query(`update app.agents set phone_number = $1 where agent_id = 'agent_023'`, [AGENT_NUMBER]),
      { actor: 'test:023', reason: 'ported back' });
  };
  await agentUpdate();
  await sealLedger(db);
  const { rows: [{ upTo }] } = await db.query(`select max(id) as "upTo" from audit.ledger`);
  const oldRows = async () => (await db.query(`select * from audit.ledger where id <= $1 order by id`, [upTo])).rows;
  const kept = await oldRows();
  t.match(JSON.stringify(kept), AGENT_NUMBER, 'before 023 the agent\'s number was recorded in clear (the finding)');
  const before = await writes(up.url);
  t.ok(before.length >= 9, `the writes made ${before.length} ledger rows`);

  t.same(await up.apply(), [MIGRATION]);

  const after = await writes(up.url);
  t.same(after, before, 'every ledger row the same writes make is the same, column for column, after 023');
  const names = [...new Set(after.map((r) => r.entity_type))].sort();
  t.same(names, ['app.interactions', 'ingest.webhook_events', 'public.pairs_audited', 'public.parted_audited', 'public.parted_simple',
    'public.plain_audited'], 'partitions are recorded under their partitioned table\'s name');
  t.same(await oldRows(), kept, 'no ledger row written before 023 changed');
  t.match(await verifyLedger(db), { ok: true }, 'the chain sealed before the upgrade verifies after it');

  // Agents: a new row and an update record the number masked, with the install's key.
  const { rows: [stored] } = await db.query(`select ipad from audit.redaction_key`);
  const key = Buffer.from((stored.ipad as Buffer).map((b) => b ^ 0x36));
  const mask = (v: string) => `hmac-sha256:${createHmac('sha256', key).update(JSON.stringify(v)).digest('hex').slice(0, 16)}`;
  await agentUpdate();
  await db.atomicWrite((tx) => tx.query(`insert into app.agents (agent_id, user_id, phone_number) values ('agent_024', 'u_024', '+15550102401')`),
    { actor: 'test:023', reason: 'new line' });
  const { rows: agents } = await db.query(`select operation::text, entity_id, before_data, after_data from audit.ledger
                                            where entity_type = 'app.agents' and id > $1 order by id`, [upTo]);
  t.same(agents.map((r) => [r.operation, r.entity_id, r.before_data?.phone_number ?? null, r.after_data.phone_number]), [
    ['update', 'agent_023', mask(AGENT_NUMBER), mask(NEW_NUMBER)],
    ['update', 'agent_023', mask(NEW_NUMBER), mask(AGENT_NUMBER)],
    ['create', 'agent_024', null, mask('+15550102401')],
  ], 'an agent\'s number is masked in new ledger rows, create and update');
  t.notMatch(JSON.stringify(agents), /5550102(301|302|401)/, 'no agent number in clear');
  t.same(agents[0].after_data.user_id, 'u_023', 'the other columns are recorded as before');
  const { rows: [tracked] } = await db.query(`select gated, redact_columns from audit.tracked_tables where relid = 'app.agents'::regclass`);
  t.same(tracked, { gated: true, redact_columns: ['phone_number'] });
  await sealLedger(db);
  t.match(await verifyLedger(db), { ok: true });
});

t.test('audit.table_of names a partition by its partitioned table, anything else by itself', async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  await up.apply();
  const { rows: [r] } = await up.db.query(`select audit.table_of('audit.ledger_default'::regclass) as part,
                                                  audit.table_of('audit.ledger'::regclass) as parent,
                                                  audit.table_of('app.agents'::regclass) as plain`);
  t.same(r, { part: 'audit.ledger', parent: 'audit.ledger', plain: 'app.agents' });
});
