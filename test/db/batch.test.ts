import { createRequire } from 'node:module';
import t from 'tap';
import pg from 'pg';
import { MAX_PREPARED, sendBatch } from '../../lib/db/batch.ts';
import { Db } from '../../lib/db/index.ts';
import { withTrace } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';
const require = createRequire(import.meta.url);

async function setup(t: { teardown(fn: () => unknown): void }) {
  const { db, url } = await testDatabase(t);
  await db.query(`create table public.items (
    n int primary key, body text,
    trace_id text default ballast.setting('trace_id'), actor text default ballast.setting('actor'))`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  return { db, client, url };
}

const insert = (n: number, body: unknown = `item ${n}`) => ({ text: 'insert into public.items (n, body) values ($1, $2)', values: [n, body] });
const count = async (db: { query(s: string): Promise<pg.QueryResult> }) => (await db.query('select count(*) as n from public.items')).rows[0].n;

// batch.ts uses private parts of node-postgres. When this fails after a pg
// upgrade, check each use listed in batch.ts's header against the new pg, then move the pin.
t.test('the node-postgres internals batch.ts uses are still there', async (t) => {
  t.equal(require('pg/package.json').version, '8.23.1', 'pg version batch.ts was checked against');
  const Connection = (pg as unknown as { Connection: { prototype: Record<string, unknown> } }).Connection;
  for (const m of ['parse', 'bind', 'describe', 'execute', 'sync', 'close', 'sendCopyFail']) t.type(Connection.prototype[m], 'function', `Connection#${m}`);
  const Result = (pg as unknown as { Result: { prototype: Record<string, unknown> } }).Result;
  for (const m of ['addFields', 'parseRow', 'addRow', 'addCommandComplete']) t.type(Result.prototype[m], 'function', `Result#${m}`);
  const { prepareValue } = require('pg/lib/utils.js');
  t.equal(prepareValue(null), null);
  t.same(prepareValue({ a: 1 }), '{"a":1}');
  t.equal(prepareValue([1, 'x']), '{"1","x"}');
  t.equal(prepareValue(new Date(Date.UTC(2026, 0, 2))).slice(0, 4), '2026');
});

t.test('a batch is one round trip; outside BEGIN, one implicit transaction: all commit, or an error rolls all back', async (t) => {
  const { db, client } = await setup(t);
  const last = await sendBatch(client, [insert(1), insert(2), { text: 'update public.items set body = body || $1 where n = 1 returning n, body', values: ['!'] }]);
  t.same(last.rows, [{ n: 1, body: 'item 1!' }], 'the last statement\'s rows come back');
  t.same((await db.query('select n, body from public.items order by n')).rows, [{ n: 1, body: 'item 1!' }, { n: 2, body: 'item 2' }]);

  const err = await sendBatch(client, [insert(3), insert(1), insert(4)]).catch((e) => e);
  t.equal(err.code, '23505', 'the duplicate key is the error');
  t.same((await db.query('select n from public.items order by n')).rows.map((r) => r.n), [1, 2], 'item 3 rolled back, item 4 never ran');
  t.same((await client.query('select 1 as ok')).rows, [{ ok: 1 }], 'the connection is usable after a failed batch');
  t.same(Object.keys(client.connection).filter((k) => /ballast/i.test(k)), [], 'nothing is hung on pg\'s connection');
});

t.test('statements are prepared once per connection, at most MAX_PREPARED of them, and survive DEALLOCATE ALL', async (t) => {
  const { db, client } = await setup(t);
  for (let n = 1; n <= 3; n++) await sendBatch(client, [insert(n)]);
  const prepared = async () => (await client.query(`select count(*)::int as n from pg_prepared_statements where name like 'ballast_b_%'`)).rows[0].n;
  t.equal(await prepared(), 1, 'one named statement for three runs');

  await client.query('deallocate all');
  const err = await sendBatch(client, [insert(4)]).catch((e) => e);
  t.equal(err?.code, '26000', 'the batch after DEALLOCATE ALL fails: its statement is gone');
  await sendBatch(client, [insert(4)]);
  t.equal(await prepared(), 1, 'the next batch prepares it again');

  for (let i = 0; i < MAX_PREPARED + 5; i++) await sendBatch(client, [{ text: `select ${i} as n` }]);
  t.equal(await prepared(), MAX_PREPARED, 'texts beyond the cap run unnamed');
  t.equal(await count(db), 4);
});

t.test('a statement that fails to prepare leaves nothing half-known', async (t) => {
  const { db, client } = await setup(t);
  const bad = { text: 'insert into public.no_such_table values ($1)', values: [1] };
  t.equal((await sendBatch(client, [insert(1), bad]).catch((e) => e)).code, '42P01');
  t.equal((await sendBatch(client, [bad]).catch((e) => e)).code, '42P01', 'the same error again, not a missing statement');
  await db.query('create table public.no_such_table (n int)');
  await sendBatch(client, [bad]);
  t.equal((await db.query('select count(*)::int as n from public.no_such_table')).rows[0].n, 1);
  t.equal(await count(db), 0);
});

t.test('a value that cannot be serialised fails the batch before anything is sent', async (t) => {
  const { db, client } = await setup(t);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await t.rejects(sendBatch(client, [insert(1), insert(2, cyclic)]), /circular/i);
  t.equal(await count(db), 0, 'item 1 was not committed');
});

t.test('Db.begin: BEGIN and the settings go with the first statements, COMMIT with the last; an error rolls back', async (t) => {
  const { db } = await setup(t);
  const trace = { trace_id: TRACE, span_id: 'b7ad6b7169203331', parent_span_id: null, correlation_id: 'c-1', task: 't', task_version: '1',
    model_version: null, prompt_version: null };
  const tx = await withTrace(trace, () => db.begin('ATOMIC_WRITE', { actor: 'alice' }));
  t.same((await tx.send([insert(1), { text: 'select count(*) as n from public.items' }])).rows, [{ n: 1 }], 'int8 as a number');
  await tx.commit([insert(2)]);
  t.same((await db.query('select n, trace_id, actor from public.items order by n')).rows,
    [{ n: 1, trace_id: TRACE, actor: 'alice' }, { n: 2, trace_id: TRACE, actor: 'alice' }]);
  await t.rejects(db.atomicWrite((tx) => tx.query('select * from public.items for update')), /LOCKED_MUTATION/, 'intent is checked');

  const tx2 = await db.begin('ATOMIC_WRITE', {});
  await tx2.query('insert into public.items (n, body) values (10, $1)', ['rolled back']);
  t.equal((await tx2.commit([insert(1)]).catch((e) => e)).code, '23505');
  t.equal(await count(db), 2, 'the open transaction rolled back');

  const tx3 = await db.begin('ATOMIC_WRITE', {});
  await tx3.commit([insert(3)]);
  t.equal(await count(db), 3, 'a transaction that only commits sends it all at once');
  await db.pool.query('select 1');
  t.equal(db.pool.totalCount - db.pool.idleCount, 0, 'every connection went back to the pool');
});

t.test('a transaction sent whole goes as one implicit transaction: its settings hold in it and end with it; all of it commits, or none', async (t) => {
  const { url } = await setup(t);
  // One connection, so every statement below runs where the transaction ran.
  const db = new Db({ connectionString: url, max: 1 });
  t.teardown(() => db.close());
  const notices: string[] = [];
  db.pool.on('connect', (c) => c.on('notice', (n) => notices.push(String(n.message))));
  const idle = async () => (await db.query(`select current_setting('ballast.actor', true) as actor, pg_current_xact_id_if_assigned() as xid`)).rows[0];

  await (await db.begin('ATOMIC_WRITE', { actor: 'bob' })).commit([insert(1), insert(2)]);
  t.same((await db.query('select n, actor from public.items order by n')).rows, [{ n: 1, actor: 'bob' }, { n: 2, actor: 'bob' }], 'the settings held for every statement');
  t.equal((await db.query('select count(distinct xmin::text)::int as n from public.items')).rows[0].n, 1, 'one transaction wrote both rows');
  t.same(await idle(), { actor: '', xid: null }, 'the settings ended with it, and no transaction is left open');

  const err = await (await db.begin('ATOMIC_WRITE', { actor: 'carol' })).commit([insert(3), insert(1), insert(4)]).catch((e) => e);
  t.equal(err.code, '23505', 'the duplicate key is the error');
  t.same((await db.query('select n from public.items order by n')).rows.map((r) => r.n), [1, 2], 'item 3 rolled back, item 4 never ran');
  t.same(await idle(), { actor: '', xid: null }, 'the connection is back, outside any transaction');
  t.equal(db.pool.totalCount - db.pool.idleCount, 0, 'and back in the pool');
  t.same(notices, [], 'no ROLLBACK was sent after it (one would only warn: "there is no transaction in progress")');
});
