import t from 'tap';
import pg from 'pg';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { testDatabase } from '../helpers/db.ts';

const { db, url } = await testDatabase(t);
const addAgents = (from: number, n: number) => db.query(
  `insert into app.agents (agent_id, user_id, phone_number)
   select 'ag' || i, 'u', '+1555' || lpad(i::text, 7, '0') from generate_series($1::int, $2::int) i`, [from, from + n - 1]);

/** Runs `sql` as superuser with the ledger's triggers off: what an attacker with full rights would do. */
async function tamper(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`begin; set local session_replication_role = replica; ${sql}; commit`);
  } finally { await c.end(); }
}

t.test('sealing chains every committed row; verify recomputes it', async (t) => {
  await addAgents(1, 50);
  const s = await sealLedger(db, { batchSize: 20 });
  const { rows: [{ n }] } = await db.query('select count(*)::int n from audit.ledger');
  t.equal(s.sealed, n, 'everything committed is sealed, over several batches');
  t.match(s.head, /^[0-9a-f]{64}$/);
  const v = await verifyLedger(db);
  t.ok(v.ok);
  t.equal(v.checked, n);
  t.equal(v.head, s.head);
  t.same((await sealLedger(db)).sealed, 0, 'nothing new, nothing sealed');
});

t.test('a row written by a transaction still open is sealed after it commits, never skipped', async (t) => {
  const open = await db.pool.connect();
  try {
    await open.query('begin');
    await open.query(`insert into app.agents (agent_id, user_id, phone_number) values ('late', 'u', '+15550009999')`);
    await addAgents(100, 3); // commits after the open transaction started
    const first = await sealLedger(db);
    t.equal(first.sealed, 0, 'rows newer than the oldest open transaction wait');
    await open.query('commit');
  } finally { open.release(); }
  const second = await sealLedger(db);
  t.equal(second.sealed, 4);
  t.ok((await verifyLedger(db)).ok);
});

t.test('verify finds a sealed row a superuser edited with triggers disabled', async (t) => {
  const { rows: [victim] } = await db.query(`select l.id from audit.ledger l join audit.chain c on c.ledger_id = l.id order by c.seq offset 10 limit 1`);
  await tamper(`update audit.ledger set actor = 'nobody' where id = ${victim.id}`);
  const v = await verifyLedger(db);
  t.notOk(v.ok);
  t.equal(v.problem?.kind, 'row_modified');
  t.equal(v.problem?.ledger_id, victim.id, 'names the first row that does not match');
  t.equal(v.checked, 10, 'the rows before it matched');
});

t.test('verify finds a deleted row and a rewritten chain', async (t) => {
  const d = await testDatabase(t);
  await d.db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('x1', 'u', '+15550000001'), ('x2', 'u', '+15550000002')`);
  await sealLedger(d.db);
  const good = await verifyLedger(d.db);
  t.ok(good.ok);
  const c = new pg.Client({ connectionString: d.url });
  await c.connect();
  await c.query(`begin; set local session_replication_role = replica;
    delete from audit.ledger where id = (select min(id) from audit.ledger where entity_id = 'x1'); commit`);
  t.equal((await verifyLedger(d.db)).problem?.kind, 'row_missing');
  // Rewriting ledger and chain consistently is caught only against a head kept elsewhere.
  await c.query(`begin; set local session_replication_role = replica; delete from audit.chain; delete from audit.seals; commit`);
  await c.end();
  await sealLedger(d.db);
  t.ok((await verifyLedger(d.db)).ok, 'a full rewrite is self-consistent...');
  const anchored = await verifyLedger(d.db, { expectHead: good.head! });
  t.equal(anchored.problem?.kind, 'head_mismatch', '...but not against the head recorded before');
});
