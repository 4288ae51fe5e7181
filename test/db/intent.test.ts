import t from 'tap';
import { IntentViolationError } from '../../lib/db/index.ts';
import { withTrace } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';

const { db } = await testDatabase(t);
await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('a1', 'u1', '+15555550001')`);

t.test('READ_ONLY refuses writes (the server enforces it)', async (t) => {
  await t.rejects(db.readOnly((tx) => tx.query(`update app.agents set nickname = 'x'`)), /read-only transaction/);
});

t.test('only LOCKED_MUTATION may take row locks, however the clause is spelled', async (t) => {
  for (const sql of ['select * from app.agents for update', 'select * from app.agents\n  FOR   NO KEY UPDATE skip locked', 'select * from app.agents for share']) {
    await t.rejects(db.atomicWrite((tx) => tx.query(sql)), IntentViolationError, sql);
    await t.rejects(db.readOnly((tx) => tx.query(sql)), IntentViolationError, sql);
  }
  const rows = await db.lockedMutation((tx) => tx.lockRows<{ agent_id: string }>('select agent_id from app.agents for update skip locked'));
  t.same(rows, [{ agent_id: 'a1' }]);
  await t.rejects(db.lockedMutation((tx) => tx.lockRows('select 1')), /row-locking clause/, 'lockRows insists on a lock');
});

t.test('LOCKED_MUTATION holds one connection: a second locker skips the locked row', async (t) => {
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let locked!: () => void;
  const isLocked = new Promise<void>((r) => { locked = r; });
  const first = db.lockedMutation(async (tx) => {
    await tx.lockRows(`select 1 from app.agents where agent_id = 'a1' for update`);
    locked();
    await held;
  });
  await isLocked;
  const seen = await db.lockedMutation((tx) => tx.lockRows(`select agent_id from app.agents for update skip locked`));
  t.same(seen, [], 'the row is locked by the first transaction for its whole life');
  release();
  await first;
});

t.test('every transaction carries the trace and identity as transaction-local settings', async (t) => {
  const trace = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', parent_span_id: null, correlation_id: "o'brien:1" };
  const row = await withTrace(trace, () => db.atomicWrite(async (tx) => (await tx.query(
    `select ballast.setting('trace_id') as t, ballast.setting('span_id') as s, ballast.setting('correlation_id') as c,
            ballast.setting('actor') as a, ballast.setting('reason') as r`)).rows[0], { actor: 'ops:alice', reason: 'cleanup' }));
  t.same(row, { t: trace.trace_id, s: trace.span_id, c: "o'brien:1", a: 'ops:alice', r: 'cleanup' });
  const after = (await db.query(`select ballast.setting('trace_id') as t`)).rows[0];
  t.equal(after.t, null, 'settings end with the transaction');
});

t.test('a failing transaction rolls back and returns its connection', async (t) => {
  await t.rejects(db.atomicWrite(async (tx) => {
    await tx.query(`update app.agents set nickname = 'gone' where agent_id = 'a1'`);
    throw new Error('boom');
  }), /boom/);
  t.equal((await db.query(`select nickname from app.agents where agent_id = 'a1'`)).rows[0].nickname, null);
  t.equal(db.pool.totalCount - db.pool.idleCount, 0, 'no connection left checked out');
});
