import t from 'tap';
import pg from 'pg';
import { Int8RangeError } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';

const { db } = await testDatabase(t);
const BIG = '9007199254740993'; // 2^53 + 1: Number() would make it ...992

t.test('importing lib leaves pg\'s global int8 parser alone: the raw pool (graphile-worker\'s) still reads strings', async (t) => {
  t.equal(pg.types.getTypeParser(20, 'text')(BIG), BIG);
  t.same((await db.pool.query(`select ${BIG}::int8 as big, 7::int8 as small`)).rows, [{ big: BIG, small: '7' }]);
});

t.test('ballast\'s queries read int8 as numbers when exact', async (t) => {
  const max = String(Number.MAX_SAFE_INTEGER);
  t.same((await db.query(`select count(*) as n, ${max}::int8 as max, -${max}::int8 as min from generate_series(1, 3)`)).rows,
    [{ n: 3, max: Number.MAX_SAFE_INTEGER, min: -Number.MAX_SAFE_INTEGER }]);
  t.same(await db.atomicWrite(async (tx) => (await tx.query('select $1::int8 as n', ['42'])).rows), [{ n: 42 }]);
  t.same(await db.readOnly(async (tx) => (await tx.query(`select array[1, 2]::int8[] as a`)).rows), [{ a: ['1', '2'] }], 'int8 arrays stay strings, as before');
});

t.test('an int8 beyond Number.MAX_SAFE_INTEGER is never rounded: the query fails, saying how to read it', async (t) => {
  await t.rejects(db.query(`select ${BIG}::int8 as big`), Int8RangeError);
  await t.rejects(db.query(`select -${BIG}::int8 as big`), /select it as text/);
  await t.rejects(db.readOnly((tx) => tx.query(`select ${BIG}::int8 as big`)), Int8RangeError);
  t.same((await db.query(`select ${BIG}::int8::text as big`)).rows, [{ big: BIG }], 'as text it reads exactly');
  t.same((await db.query('select 1 as ok')).rows, [{ ok: 1 }], 'the pool is still usable');
});
