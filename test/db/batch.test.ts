import t from 'tap';
import pg from 'pg';
import { sendBatch } from '../../lib/db/index.ts';
import { withTrace } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

async function setup(t: { teardown(fn: () => unknown): void }) {
  const { db, url } = await testDatabase(t);
  await db.query(`create table public.items (
    n int primary key, body text,
    trace_id text default ballast.setting('trace_id'), actor text default ballast.setting('actor'))`);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  return { db, client };
}

const insert = (n: number, body: unknown = `item ${n}`) =>
  ({ text: 'insert into public.items (n, body) values ($1, $2)', values: [n, body], cache: true });

t.test('a batch is one implicit transaction: all commit, or an error rolls all back', async (t) => {
  const { db, client } = await setup(t);
  await sendBatch(client, [insert(1), insert(2), { text: 'update public.items set body = body || $1 where n = 1', values: ['!'] }]);
  t.same((await db.query('select n, body from public.items order by n')).rows, [{ n: 1, body: 'item 1!' }, { n: 2, body: 'item 2' }]);

  const err = await sendBatch(client, [insert(3), insert(1), insert(4)]).catch((e) => e);
  t.equal(err.code, '23505', 'the duplicate key is the error');
  t.same((await db.query('select n from public.items order by n')).rows.map((r) => r.n), [1, 2], 'item 3 rolled back, item 4 never ran');
  t.same((await client.query('select 1 as ok')).rows, [{ ok: 1 }], 'the connection is usable after a failed batch');
  await sendBatch(client, [insert(3)]);
  t.equal((await db.query('select count(*)::int as n from public.items')).rows[0].n, 3);
});

t.test('cached statements are prepared once per connection and survive DEALLOCATE ALL', async (t) => {
  const { client } = await setup(t);
  for (let n = 1; n <= 3; n++) await sendBatch(client, [insert(n)]);
  const prepared = async () => (await client.query(`select name from pg_prepared_statements where name like 'ballast_w_%'`)).rows;
  t.equal((await prepared()).length, 1, 'one named statement for three runs');

  await client.query('deallocate all');
  const err = await sendBatch(client, [insert(4)]).catch((e) => e);
  t.equal(err?.code, '26000', 'the batch after DEALLOCATE ALL fails: its statement is gone');
  await sendBatch(client, [insert(4)]);
  t.equal((await prepared()).length, 1, 'the next batch prepares it again');
});

t.test('a statement that fails to prepare leaves nothing half-known', async (t) => {
  const { db, client } = await setup(t);
  const bad = { text: 'insert into public.no_such_table values ($1)', values: [1], cache: true };
  t.equal((await sendBatch(client, [insert(1), bad]).catch((e) => e)).code, '42P01');
  t.equal((await sendBatch(client, [bad]).catch((e) => e)).code, '42P01', 'the same error again, not a missing statement');
  await db.query('create table public.no_such_table (n int)');
  await sendBatch(client, [bad]);
  t.equal((await db.query('select count(*)::int as n from public.no_such_table')).rows[0].n, 1);
  t.equal((await db.query('select count(*)::int as n from public.items')).rows[0].n, 0);
});

t.test('a value that cannot be serialised fails the batch before anything is sent', async (t) => {
  const { db, client } = await setup(t);
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  await t.rejects(sendBatch(client, [insert(1), insert(2, cyclic)]), /circular/i);
  t.equal((await db.query('select count(*)::int as n from public.items')).rows[0].n, 0, 'item 1 was not committed');
});

t.test('Db.batch sets the trace settings; inside BEGIN, commitBatch runs in the open transaction', async (t) => {
  const { db } = await setup(t);
  await withTrace({ trace_id: TRACE, span_id: 'b7ad6b7169203331', parent_span_id: null, correlation_id: 'c-1', task: 't', task_version: '1',
    model_version: null, prompt_version: null }, () => db.batch('ATOMIC_WRITE', { actor: 'alice' }, [insert(1)]));
  t.same((await db.query('select trace_id, actor from public.items')).rows, [{ trace_id: TRACE, actor: 'alice' }]);
  await t.rejects(db.batch('ATOMIC_WRITE', {}, [{ text: 'select * from public.items for update' }]), /LOCKED_MUTATION/, 'intent is checked');

  const tx = await db.begin('ATOMIC_WRITE', { actor: 'bob' });
  await tx.query('insert into public.items (n, body) values (2, $1)', ['before']);
  await tx.commitBatch([insert(3)]);
  t.same((await db.query('select n, actor from public.items where n > 1 order by n')).rows, [{ n: 2, actor: 'bob' }, { n: 3, actor: 'bob' }]);

  const tx2 = await db.begin('ATOMIC_WRITE', {});
  await tx2.query('insert into public.items (n, body) values (10, $1)', ['rolled back']);
  t.equal((await tx2.commitBatch([insert(1)]).catch((e) => e)).code, '23505');
  t.equal((await db.query('select count(*)::int as n from public.items where n = 10')).rows[0].n, 0, 'the open transaction rolled back');
});
