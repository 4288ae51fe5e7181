import path from 'node:path';
import t from 'tap';
import { scanSource, scanTree } from '../../.ci/intent-guard.ts';
import { ROOT } from '../helpers/cluster.ts';

t.test('the repository has no row lock outside LOCKED_MUTATION', async (t) => {
  t.same(scanTree(['lib', 'tasks', 'bin', 'sql'].map((d) => path.join(ROOT, d))), []);
});

t.test('any spelling of a row lock is refused outside lockRows', async (t) => {
  for (const sql of ['select 1 for update', 'SELECT 1\n  FOR   NO KEY UPDATE', 'select 1 For Share skip locked', 'select 1 for key share']) {
    t.equal(scanSource('x.ts', `await tx.query(\`${sql}\`);`).length, 1, JSON.stringify(sql));
  }
  t.equal(scanSource('x.sql', 'select * from t for update;').length, 1, 'in .sql files too');
});

t.test('allowed: inside lockRows, a const passed to lockRows, comments, explicit exemptions', async (t) => {
  t.same(scanSource('x.ts', 'await tx.lockRows(`select id from t for update skip locked`, [1]);'), []);
  t.same(scanSource('x.ts', 'const DUE = `select id from t for update skip locked`;\nawait tx.lockRows<{ id: string }>(DUE, [1]);'), []);
  t.same(scanSource('x.ts', '// we never select ... for update here\nconst a = 1;'), []);
  t.same(scanSource('x.sql', '-- no "for update" in this file\nselect 1;'), []);
  t.same(scanSource('x.sql', 'select 1 for update; -- intent: locked-mutation (advisory lock held by caller)'), []);
  t.equal(scanSource('x.ts', 'await tx.query(`select 1 for update`, await tx.lockRows(`select 2 for update`));').length, 1,
    'a lock in another call on the same line is still found');
});
