/**
 * The retention and archive commands as an operator runs them: real
 * processes on this file's database. Policies are shown and changed (the
 * change audited, bad input refused clearly); archives are listed, verified
 * again and restored for forensics.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import t from 'tap';
import { DirectoryStore, runRetention } from '../../lib/archive/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { archiveDir, eventsTable, NOW } from './helpers.ts';

// Each command is a process of its own (about 5 s each on a busy machine).
t.setTimeout(400_000);
const { db, url } = await testDatabase(t);
const dir = await archiveDir(t);

async function ballast(args: string[]): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops', BALLAST_ARCHIVE_DIR: dir },
  });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { out += c; });
  const [code] = await once(child, 'exit');
  return { code, out };
}

t.test('retention set changes a policy as the owner, audited; retention show lists it; bad input is refused clearly', async (t) => {
  const set = await ballast(['retention', 'set', 'search.outbox', '--archive-after', '10 days', '--purge-after', '14 days']);
  t.equal(set.code, 0, set.out);
  t.match(set.out, /search\.outbox: hot 2 days, warm 5 days, archive after 10 days, purge after 14 days, store local, verify file, enabled \(the change is in audit\.ledger as cli:ops\)/);
  const { rows: [a] } = await db.query(`select actor, db_role, before_data->>'archive_after' b, after_data->>'archive_after' af from audit.ledger
    where entity_type = 'ballast.retention_policies' order by id desc limit 1`);
  t.same(a, { actor: 'cli:ops', db_role: ROLES.owner, b: '7 days', af: '10 days' }, 'the change is in the audit ledger, by the operator, as the owner');

  const show = await ballast(['retention', 'show', 'search.outbox', '--json']);
  t.equal(show.code, 0, show.out);
  t.match(JSON.parse(show.out), [{ table_name: 'search.outbox', archive_after: '10 days', purge_after: '14 days', updated_by: 'cli:ops' }]);

  const order = await ballast(['retention', 'set', 'search.outbox', '--purge-after', '1 day']);
  t.equal(order.code, 1);
  t.match(order.out, /ballast: the windows are out of order: archive_after must be at least hot_window, and purge_after at least archive_after/);
  const bad = await ballast(['retention', 'set', 'search.outbox', '--hot', 'soon']);
  t.equal(bad.code, 1);
  t.match(bad.out, /ballast: not an interval: .*soon.* \(write e\.g\. "30 days", "12 hours"\)/);
  const help = await ballast(['retention', 'set', '--help']);
  t.match(help.out, /--archive-after <interval>\s+export and verify partitions this old/);
  const { rows: [p] } = await db.query(`select archive_after::text from ballast.retention_policies where table_name = 'search.outbox'`);
  t.equal(p.archive_after, '10 days', 'refused changes changed nothing');
});

t.test('retention run and retention show refuse a table that has no policy alike', async (t) => {
  for (const sub of ['show', 'run']) {
    const r = await ballast(sub === 'show' ? ['retention', 'show', 'nosuch'] : ['retention', 'run', '--table', 'nosuch']);
    t.equal(r.code, 1, `retention ${sub}: exit 1`);
    t.match(r.out, /^ballast: no retention policy for nosuch \(`ballast retention show` lists them\)\n$/, `retention ${sub}: says so`);
  }
});

t.test('archive list, verify and restore', async (t) => {
  const table = await eventsTable(db, 'cli', [1, 2]);
  await db.query(`update ballast.retention_policies set purge_after = '30 days' where table_name = $1`, [table]);
  const worker = new Db({ connectionString: withRole(url, ROLES.worker) });
  t.teardown(() => worker.close());
  t.match(await runRetention(worker, { now: NOW, stores: new Map([['local', new DirectoryStore(dir)]]), actor: 'test', table }),
    { exported: 2, verified: 2, purged: 0 });

  const list = await ballast(['archive', 'list', '--table', table, '--json']);
  t.equal(list.code, 0, list.out);
  const archives = JSON.parse(list.out);
  t.match(archives, [{ status: 'verified', row_count: 200, manifest: /^cli\.events\/cli\.part_1x\..*\.copy\.gz\.manifest\.json$/ },
    { status: 'verified', row_count: 200 }]);

  const ok = await ballast(['archive', 'verify', archives[0].manifest]);
  t.equal(ok.code, 0, ok.out);
  t.match(ok.out, /archive OK: 200 rows of cli\.events from .*, the same as the live partition/);
  await db.query(`insert into ${table} (at, kind) values ('2030-01-01 12:00+00', 'late')`);
  const late = await ballast(['archive', 'verify', path.join(dir, archives[0].manifest)]);
  t.equal(late.code, 1, 'a manifest file path works too');
  t.match(late.out, /FAIL live_partition: the live partition holds 201 rows/);
  t.equal((await db.query(`select status from ballast.archives where id = $1`, [archives[0].id])).rows[0].status, 'failed', 'which blocks its purge');

  const restored = await ballast(['archive', 'restore', archives[1].manifest]);
  t.equal(restored.code, 0, restored.out);
  t.match(restored.out, /restored 200 row\(s\) into archive_restore\.part_2x \(checked against the manifest\)/);
  t.equal((await db.query(`select count(*)::int n from archive_restore.part_2x`)).rows[0].n, 200);
  const again = await ballast(['archive', 'restore', archives[1].manifest]);
  t.equal(again.code, 1);
  t.match(again.out, /archive_restore\.part_2x already exists: this range is restored already/);
});
