import t from 'tap';
import { createHash, createHmac } from 'node:crypto';
import { namedQuery, runNamed } from '../../lib/forensics/index.ts';
import { testDatabase } from '../helpers/db.ts';

const { db } = await testDatabase(t);
const agent = (id: string, phone: string) =>
  `insert into app.agents (agent_id, user_id, phone_number, org_id) values ('${id}', 'u', '${phone}', 'org_a')`;
const rowsFor = async (id: string) =>
  (await db.query(`select *, audit.changed_columns(before_data, after_data) as changed
                     from audit.ledger where entity_type = 'app.agents' and entity_id = $1 order by id`, [id])).rows;

t.test('create, update and delete each leave an audit row in the same transaction, with who and why', async (t) => {
  await db.atomicWrite(async (tx) => {
    await tx.query(agent('a1', '+15555550001'));
    await tx.query(`update app.agents set nickname = 'front desk' where agent_id = 'a1'`);
  }, { actor: 'alice', request_id: 'req-1', reason: 'onboarding' });
  await db.atomicWrite((tx) => tx.query(`delete from app.agents where agent_id = 'a1'`), { actor: 'bob', reason: 'customer left' });
  const rows = await rowsFor('a1');
  t.same(rows.map((r) => r.operation), ['create', 'update', 'delete']);
  t.same(rows.map((r) => r.actor), ['alice', 'alice', 'bob']);
  t.equal(rows[0].request_id, 'req-1');
  t.equal(rows[0].org_id, 'org_a');
  t.equal(rows[0].before_data, null);
  t.match(rows[0].after_data.phone_number, /^hmac-sha256:[0-9a-f]{16}$/, 'the agent\'s number is personal data: masked');
  t.equal(rows[2].before_data.phone_number, rows[0].after_data.phone_number, 'the same number, the same mask');
  t.notMatch(JSON.stringify(rows), /5555550001/);
  t.equal(rows[1].before_data.nickname, null);
  t.equal(rows[1].after_data.nickname, 'front desk');
  t.same(rows[1].changed, ['nickname']);
  t.equal(rows[2].reason, 'customer left');
  t.equal(rows[2].after_data, null);
  t.equal(rows[0].txid, rows[1].txid, 'one transaction, one txid');
});

t.test('the audit recipes in sql/forensics answer who changed a row, what a trace touched, and every delete', async (t) => {
  const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
  await db.atomicWrite(async (tx) => {
    await tx.query(`select set_config('ballast.trace_id', $1, true)`, [trace]);
    await tx.query(agent('h1', '+15555550009'));
    await tx.query(`update app.agents set nickname = 'night shift' where agent_id = 'h1'`);
  }, { actor: 'carol', reason: 'rota' });
  await db.atomicWrite((tx) => tx.query(`delete from app.agents where agent_id = 'h1'`), { actor: 'dave', reason: 'left the team' });
  const history = await runNamed(db, 'audit_row_history', ['app.agents', 'h1']);
  t.same(history.map((r) => [r.operation, r.actor]), [['create', 'carol'], ['update', 'carol'], ['delete', 'dave']]);
  const [created, updated, deleted] = history.map((r) => r.changed as string[]);
  t.same(updated, ['nickname']);
  t.ok(created?.includes('phone_number'), 'a create changes every column it sets');
  t.same(deleted, created, 'a delete changes every column');
  const touched = await runNamed(db, 'audit_trace', [trace, null]);
  t.same(touched.map((r) => [r.operation, r.entity_id, r.changed?.length > 0]), [['create', 'h1', true], ['update', 'h1', true]]);
  const deletes = await runNamed(db, 'audit_deletes', [new Date(Date.now() - 60_000), 100]);
  t.ok(deletes.some((r) => r.entity_id === 'h1' && r.reason === 'left the team' && r.actor === 'dave'));
});

t.test('a rolled-back change leaves no audit row', async (t) => {
  await t.rejects(db.atomicWrite(async (tx) => {
    await tx.query(agent('a2', '+15555550002'));
    throw new Error('changed my mind');
  }));
  t.same(await rowsFor('a2'), []);
});

t.test('an operator in psql sets the identity by hand', async (t) => {
  const c = await db.pool.connect();
  try {
    await c.query(`begin; select set_config('ballast.actor', 'ops:carol', true), set_config('ballast.request_id', 'INC-7', true)`);
    await c.query(agent('a3', '+15555550003'));
    await c.query('commit');
  } finally { c.release(); }
  const [row] = await rowsFor('a3');
  t.equal(row.actor, 'ops:carol');
  t.equal(row.request_id, 'INC-7');
});

t.test('without ballast.actor the database role is the actor', async (t) => {
  await db.query(agent('a4', '+15555550004'));
  const [row] = await rowsFor('a4');
  t.equal(row.actor, row.db_role);
});

t.test('DELETE on a gated table without a reason is refused; with one it is recorded', async (t) => {
  await t.rejects(db.atomicWrite((tx) => tx.query(`delete from app.agents where agent_id = 'a4'`)), /DELETE on app\.agents needs a reason/);
  await t.rejects(db.query('truncate app.claims'), /TRUNCATE on app\.claims needs a reason/);
  t.equal((await db.query(`select count(*)::int n from app.agents where agent_id = 'a4'`)).rows[0].n, 1, 'row still there');
  await db.atomicWrite((tx) => tx.query(`delete from app.agents where agent_id = 'a4'`), { reason: 'duplicate agent' });
  const rows = await rowsFor('a4');
  t.same(rows.map((r) => [r.operation, r.reason]), [['create', null], ['delete', 'duplicate agent']]);
  await db.query(`create table public.scratch_rows (id int primary key)`);
  await db.query(`select audit.enable('public.scratch_rows', gated => true)`);
  await db.atomicWrite((tx) => tx.query('truncate public.scratch_rows'), { actor: 'erin', request_id: 'req-9', reason: 'reset fixtures' });
  const { rows: [cut] } = await db.query(`select operation, actor, db_role, request_id, reason from audit.ledger
                                            where entity_type = 'public.scratch_rows'`);
  t.same(cut, { operation: 'truncate', actor: 'erin', db_role: cut?.db_role, request_id: 'req-9', reason: 'reset fixtures' });
  t.ok(cut?.db_role, 'the database role is recorded');
});

t.test('the ledger refuses UPDATE, DELETE and TRUNCATE, even from a superuser', async (t) => {
  await t.rejects(db.query(`update audit.ledger set actor = 'mallory'`), /append-only: UPDATE refused/);
  await t.rejects(db.query(`delete from audit.ledger`), /append-only: DELETE refused/);
  await t.rejects(db.query(`truncate audit.ledger`), /append-only: TRUNCATE refused/);
});

t.test('personal data is kept as a hash in before/after', async (t) => {
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload) values ('telephony', '{"type":"x","card":"4111111111111111"}') returning id`);
  const { rows: [row] } = await db.query(`select after_data from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1`, [String(ev.id)]);
  t.match(row.after_data.payload, /^hmac-sha256:[0-9a-f]{16}$/);
  t.match(row.after_data.raw_body, /^hmac-sha256:/);
  t.notMatch(JSON.stringify(row.after_data), /4111/);
});

t.test('an update lists exactly the columns it changed', async (t) => {
  await db.query(`create table public.gadgets (id int primary key, name text, colour text, size int)`);
  await db.query(`select audit.enable('public.gadgets')`);
  await db.query(`insert into public.gadgets values (1, 'g', 'red', 3)`);
  await db.query(`update public.gadgets set colour = 'blue', size = 4, name = 'g' where id = 1`);
  await db.query(`update public.gadgets set name = 'g' where id = 1`); // changes nothing: no row
  const { rows } = await db.query(`select audit.changed_columns(before_data, after_data) as changed
                                      from audit.ledger where entity_type = 'public.gadgets' and operation = 'update'`);
  t.equal(rows.length, 1, 'an update that changes nothing leaves no row');
  t.same(rows[0].changed, ['colour', 'size'], 'name was set to its own value: not changed');
});

t.test('one call attaches the audit to any table with a primary key', async (t) => {
  await db.query(`create table public.widgets (id int primary key, name text, status text)`);
  await db.query(`select audit.enable('public.widgets', gated => true)`);
  await db.query(`insert into public.widgets values (1, 'w', 'open'), (2, 'v', 'open')`);
  await db.query(`update public.widgets set status = 'completed' where id = 1`);
  const { rows } = await db.query(`select operation, entity_id from audit.ledger where entity_type = 'public.widgets' order by id`);
  t.same(rows, [{ operation: 'create', entity_id: '1' }, { operation: 'create', entity_id: '2' }, { operation: 'complete', entity_id: '1' }]);
  await t.rejects(db.query(`delete from public.widgets`), /needs a reason/);
  await db.query(`create table public.nokey (x int)`);
  await t.rejects(db.query(`select audit.enable('public.nokey')`), /no primary key/);
});

t.test('each audit recipe can use its ledger index', async (t) => {
  for (const [recipe, params, index] of [
    ['audit_row_history', ['app.agents', 'h1'], 'ledger_entity_idx'],
    ['audit_trace', ['4bf92f3577b34da6a3ce929d0e0e4736', null], 'ledger_trace_idx'],
    ['audit_deletes', [new Date(0), 10], 'ledger_deletes_idx'],
  ] as const) {
    const plan = await db.readOnly(async (tx) => {
      await tx.query('set local enable_seqscan = off');
      return JSON.stringify((await tx.query(`explain (format json) ${namedQuery(recipe)}`, [...params])).rows);
    });
    // The ledger is partitioned: the plan names the partitions' copies of the index.
    const { rows: copies } = await db.query(`select c.relname from pg_partition_tree($1::regclass) t join pg_class c on c.oid = t.relid`, [`audit.${index}`]);
    t.ok(copies.some((c) => plan.includes(`"Index Name":"${c.relname}"`)), `${recipe} uses ${index}`);
  }
});

t.test('only a table with a status or resolved_at column has its updates tested for a completion', async (t) => {
  await db.query(`create type public.ticket_state as enum ('open', 'working', 'resolved')`);
  await db.query(`create table public.tickets (id int primary key, status public.ticket_state, resolved_at timestamptz, note text)`);
  await db.query(`select audit.enable('public.tickets')`);
  await db.query(`insert into public.tickets values (1, 'open', null, null), (2, 'open', null, null)`);
  for (const sql of [
    `update public.tickets set status = 'working' where id = 1`,
    `update public.tickets set status = 'resolved' where id = 1`, // reaches its end: a completion
    `update public.tickets set note = 'thanks' where id = 1`, // already resolved: an update
    `update public.tickets set status = null where id = 1`, // no status at all: still audited, as an update
    `update public.tickets set resolved_at = now() where id = 2`, // resolved_at set: a completion
    `update public.tickets set resolved_at = now() + interval '1 s' where id = 2`, // was set already: an update
  ]) await db.query(sql);
  const ops = async (table: string) => (await db.query(`select entity_id, operation from audit.ledger
                                                         where entity_type = $1 and operation <> 'create' order by id`, [table]))
    .rows.map((r) => `${r.entity_id}:${r.operation}`);
  t.same(await ops('public.tickets'), ['1:update', '1:complete', '1:update', '1:update', '2:complete', '2:update']);
  // The same answers as audit.is_completion() on the row images, which the ledger's own rows allow to check.
  const { rows: agree } = await db.query(`select bool_and(coalesce(audit.is_completion(before_data, after_data), false) = (operation = 'complete')) as same
                                            from audit.ledger where entity_type = 'public.tickets' and operation <> 'create'`);
  t.equal(agree[0].same, true, 'the triggers and audit.is_completion() agree on every row');
  const updateArgs = async (table: string) => (await db.query(
    `select tgnargs from pg_trigger where tgrelid = $1::regclass and tgname = 'audit_update'`, [table])).rows[0]?.tgnargs;
  t.equal(await updateArgs('public.tickets'), 4, 'a table that can complete gets the fourth argument');

  // Without such a column the test is skipped, and a value named "status"
  // inside a JSON column is just data.
  await db.query(`create table public.notes (id int primary key, body jsonb)`);
  await db.query(`select audit.enable('public.notes')`);
  await db.query(`insert into public.notes values (1, '{"status": "open"}')`);
  await db.query(`update public.notes set body = '{"status": "completed"}' where id = 1`);
  t.same(await ops('public.notes'), ['1:update']);
  t.equal(await updateArgs('public.notes'), 3);

  // The triggers do not depend on those columns: they can change type or go.
  await db.query(`alter table public.tickets alter column status type text`);
  await db.query(`update public.tickets set status = 'completed' where id = 2`);
  await db.query(`alter table public.tickets drop column resolved_at`);
  await db.query(`update public.tickets set note = 'after the drop' where id = 2`);
  t.same((await ops('public.tickets')).filter((o) => o.startsWith('2:')), ['2:complete', '2:update', '2:complete', '2:update']);

  // A trigger attached by hand, with the two arguments of old, still tells
  // a completion from the row images.
  await db.query(`drop trigger audit_update on public.tickets`);
  await db.query(`create trigger audit_update after update on public.tickets for each row execute function audit.capture_update('{id}', '{}')`);
  await db.query(`insert into public.tickets values (3, 'open', null)`);
  await db.query(`update public.tickets set status = 'resolved' where id = 3`);
  await db.query(`update public.tickets set note = 'reopened?' where id = 3`);
  t.same((await ops('public.tickets')).filter((o) => o.startsWith('3:')), ['3:complete', '3:update']);
});

t.test('composite keys name the row; redaction hashes values, keeps nulls, ignores absent columns', async (t) => {
  await db.query(`create table public.pairs (a int, b text, secret text, note text, primary key (a, b))`);
  await db.query(`select audit.enable('public.pairs', redact => array['secret', 'note', 'not_a_column'])`);
  await db.query(`insert into public.pairs values (7, 'x', 'hunter2', null)`);
  await db.query(`update public.pairs set secret = 'hunter3' where a = 7`);
  const { rows } = await db.query(`select entity_id, before_data, after_data from audit.ledger where entity_type = 'public.pairs' order by id`);
  t.equal(rows[0].entity_id, '7,x');
  // The key is stored as HMAC's inner padded key (key XOR 0x36); read here as the superuser.
  const { rows: [stored] } = await db.query(`select ipad from audit.redaction_key`);
  const key = Buffer.from((stored.ipad as Buffer).map((b) => b ^ 0x36));
  const expected = `hmac-sha256:${createHmac('sha256', key).update('"hunter2"').digest('hex').slice(0, 16)}`;
  t.same(rows[0].after_data, { a: 7, b: 'x', secret: expected, note: null }, 'an HMAC with the install key, null kept, no invented column');
  const plain = createHash('sha256').update('"hunter2"').digest('hex').slice(0, 16);
  t.notMatch(JSON.stringify(rows), plain, 'the unkeyed sha256 of the value appears nowhere');
  t.equal(rows[1].before_data.secret, expected);
  t.not(rows[1].after_data.secret, expected, 'a changed secret changes its hash');
  t.notMatch(JSON.stringify(rows), /hunter/);
  const { rows: [changed] } = await db.query(`select audit.changed_columns(before_data, after_data) as c
                                                from audit.ledger where entity_type = 'public.pairs' and operation = 'update'`);
  t.same(changed.c, ['secret'], 'a changed redacted value shows as changed');
  await db.query(`delete from public.pairs where a = 7`);
  const { rows: [gone] } = await db.query(`select entity_id, before_data, audit.changed_columns(before_data, after_data) as c
                                             from audit.ledger where entity_type = 'public.pairs' and operation = 'delete'`);
  t.equal(gone.entity_id, '7,x');
  t.notMatch(JSON.stringify(gone.before_data), /hunter/);
  t.same(gone.c, ['a', 'b', 'note', 'secret'], 'a delete changes every column');
});

t.test('every audited table carries its one-column key as a trigger argument; triggers attached without it still work', async (t) => {
  const { rows } = await db.query(`select tgrelid::regclass::text as rel, tgnargs, tgfoid::regproc::text as fn from pg_trigger
                                     where tgname = 'audit_insert' and tgrelid = any(array['ballast.stages', 'app.interactions']::regclass[])
                                     order by 1`);
  t.same(rows.map((r) => [r.rel, r.tgnargs, r.fn]), [
    ['app.interactions', 3, 'audit.capture_insert'], // redacted columns: the general form
    ['ballast.stages', 3, 'audit.capture_insert_simple'], // one-column key, nothing to redact
  ]);
  const { rows: owners } = await db.query(`select p.proname, pg_get_userbyid(p.proowner) as owner, p.prosecdef
                                             from pg_proc p where p.pronamespace = 'audit'::regnamespace and p.proname like 'capture_%'`);
  t.ok(owners.length >= 7);
  for (const o of owners) t.same([o.owner, o.prosecdef], ['ballast_audit_writer', true], `${o.proname} runs as the audit writer`);
  // Triggers attached by hand with two arguments (key and redacted columns, no key column).
  await db.query(`create table public.legacy (k1 int, k2 text, pin text, primary key (k1, k2))`);
  await db.query(`select audit.enable('public.legacy', redact => array['pin'])`);
  for (const [name, timing, level] of [['audit_insert', 'after insert', 'statement'], ['audit_update', 'after update', 'row'], ['audit_delete', 'after delete', 'statement']] as const) {
    const ref = name === 'audit_insert' ? 'referencing new table as audit_new' : name === 'audit_delete' ? 'referencing old table as audit_old' : '';
    await db.query(`drop trigger ${name} on public.legacy`);
    await db.query(`create trigger ${name} ${timing} on public.legacy ${ref} for each ${level}
                      execute function audit.capture_${name.slice(6)}('{k1,k2}', '{pin}')`);
  }
  await db.query(`insert into public.legacy values (1, 'a', '1234')`);
  await db.query(`update public.legacy set pin = '4321' where k1 = 1`);
  await db.query(`delete from public.legacy`);
  const { rows: legacy } = await db.query(`select operation, entity_id, before_data, after_data from audit.ledger
                                             where entity_type = 'public.legacy' order by id`);
  t.same(legacy.map((r) => [r.operation, r.entity_id]), [['create', '1,a'], ['update', '1,a'], ['delete', '1,a']]);
  t.notMatch(JSON.stringify(legacy), /1234|4321/);
});

t.test('GRANT and REVOKE are audited', async (t) => {
  await db.query('grant select on public.widgets to ballast_forensics');
  const { rows } = await db.query(`select operation, after_data->>'statement' as stmt from audit.ledger where operation = 'grant' order by id desc limit 1`);
  t.equal(rows.length, 1);
  t.match(rows[0].stmt, /grant select on public\.widgets/);
});
