import t from 'tap';
import { inlineParams, isMultiStatement } from '../../lib/db/inline.ts';
import { testDatabase } from '../helpers/db.ts';

t.test('parameters become quoted literals; strings, comments and dollar quotes are untouched', async (t) => {
  t.equal(inlineParams('select $1, $2, $10', [1, "o'brien", null, 4, 5, 6, 7, 8, 9, 'ten']), "select '1', 'o''brien', 'ten'");
  t.equal(inlineParams(`select '$1', "$1", $1 -- $1\n/* $1 /* $1 */ */ $$ $1 $$, $tag$ $1 $tag$`, ['x']),
    `select '$1', "$1", 'x' -- $1\n/* $1 /* $1 */ */ $$ $1 $$, $tag$ $1 $tag$`);
  t.equal(inlineParams("select E'\\'$1', $1", ['y']), "select E'\\'$1', 'y'");
  t.equal(inlineParams('select a$1 from t where b = $1', [2]), "select a$1 from t where b = '2'");
  t.throws(() => inlineParams('select $2', [1]), /references \$2/);
});

t.test('inlined statements return what parameterized ones return', async (t) => {
  const { db } = await testDatabase(t);
  const sql = `select $1::int + 1 as n, $2::text as s, $3::jsonb as j, $4::timestamptz as d, $5::int[] as a, $6::bytea as b, $7::text is null as z, $8::text as q`;
  const values = [41, "it's \\ here", { k: ['v', 1] }, new Date('2026-01-02T03:04:05Z'), [1, 2, 3], Buffer.from('hi'), null, 'multi\nline'];
  const viaParams = (await db.query(sql, values)).rows[0];
  const viaInline = (await db.query(inlineParams(sql, values))).rows[0];
  t.same(viaInline, viaParams);
});

t.test('isMultiStatement: a semicolon counts only outside quotes and comments, and only with a statement after it', async (t) => {
  for (const single of ['select 1', 'select 1;', 'select 1;  \n', "select ';'", 'select $$a; b$$', 'select $tag$;$tag$', 'select "a;b"', 'select 1; -- done', 'select 1; /* done */']) {
    t.notOk(isMultiStatement(single), single);
  }
  for (const multi of ['select 1; select 2', "select 1;'x'", 'update t set a = 1; delete from t where b = $1', 'select 1 /* ; */; select 2']) {
    t.ok(isMultiStatement(multi), multi);
  }
});
