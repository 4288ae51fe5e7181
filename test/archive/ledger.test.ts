/**
 * The audit ledger's partitions are archived and purged like any other; the
 * archived segments and the live ledger still form one unbroken chain:
 * `audit verify` walks the archived positions, `audit verify --archive <dir>`
 * rehashes them from the segments, and names the segment when one is
 * tampered with, forged (its manifest rewritten to match) or missing.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import t from 'tap';
import { DirectoryStore, runRetention, type Manifest } from '../../lib/archive/index.ts';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';
import { waitFor } from '../helpers/wait.ts';
import { archiveDir } from './helpers.ts';

const { db, url } = await testDatabase(t);
const worker = new Db({ connectionString: withRole(url, ROLES.worker) });
t.teardown(() => worker.close());
const dir = await archiveDir(t);

let agents = 0;
async function write(n: number): Promise<void> {
  const from = agents + 1;
  agents += n;
  await db.query(`insert into app.agents (agent_id, user_id, phone_number)
    select 'a' || i, 'u', '+1555' || lpad(i::text, 7, '0') from generate_series($1::int, $2::int) i`, [from, agents]);
}
/** Seals every committed row (the sealer takes only rows older than every running transaction). */
async function sealAll(): Promise<void> {
  await waitFor('older transactions to finish', async () => (await db.query(
    `select pg_snapshot_xmin(pg_current_snapshot()) > coalesce(max(txid), '0'::xid8) as ok from audit.ledger`)).rows[0].ok);
  await sealLedger(db);
  const { rows: [w] } = await db.query('select unsealed::int from audit.unsealed_window');
  if (w.unsealed !== 0) throw new Error(`${w.unsealed} ledger rows still unsealed`);
}

await db.query(`update ballast.retention_policies set hot_window = '0', warm_window = '0', archive_after = '1 day', purge_after = '1 day'
                 where table_name = 'audit.ledger'`);
await write(300);
await sealAll();
// Every bounded ledger partition is a day past its end: all of them are archived (the DEFAULT partition never is).
const { rows: [{ now }] } = await db.query(`select max(upper_bound) + interval '1 day' as now from ballast.partition_ranges('audit.ledger')`);
const archivedRows = (await db.query(`select count(*)::int n from audit.ledger l
  where l.occurred_at < (select max(upper_bound) from ballast.partition_ranges('audit.ledger'))
    and l.occurred_at >= (select min(lower_bound) from ballast.partition_ranges('audit.ledger'))`)).rows[0].n;

t.test('ledger partitions are archived with their chain span, and purged', async (t) => {
  const c = await runRetention(worker, { now, stores: new Map([['local', new DirectoryStore(dir)]]), actor: 'test', table: 'audit.ledger' });
  t.match(c, { failed: 0, held: 0, blocked: 0 });
  t.ok(c.purged >= 1, `${c.purged} ledger partition(s) purged`);
  t.ok(archivedRows > 300, `${archivedRows} ledger rows archived`);
  const { rows } = await db.query(`select manifest from ballast.archives where table_name = 'audit.ledger' and row_count > 0`);
  for (const { manifest: m } of rows as { manifest: Manifest }[]) {
    const { rows: [first] } = await db.query(`select encode(chain_hash, 'hex') h from audit.chain where seq = $1`, [m.ledger!.first_seq]);
    const { rows: [last] } = await db.query(`select encode(chain_hash, 'hex') h from audit.chain where seq = $1`, [m.ledger!.last_seq]);
    t.same([m.ledger!.first_chain_hash, m.ledger!.last_chain_hash], [first.h, last.h], 'the manifest holds the first and last chain hashes of its rows');
  }
  // The chain goes on in the live ledger.
  await write(50);
  await sealAll();
});

t.test('audit verify walks the archived positions; --archive rehashes them: one unbroken chain', async (t) => {
  const plain = await verifyLedger(db);
  t.match(plain, { ok: true, archived: archivedRows });
  const full = await verifyLedger(db, { archive: new DirectoryStore(dir) });
  t.match(full, { ok: true, archived: archivedRows, head: plain.head });
  t.equal(full.checked, plain.checked);
});

/** A copy of the archive directory to spoil, and the key of its largest ledger segment. */
async function spoiled(t: { teardown(fn: () => unknown): void }): Promise<{ copy: string; m: Manifest }> {
  const copy = await archiveDir(t);
  await fs.cp(dir, copy, { recursive: true });
  const { rows: [a] } = await db.query(`select manifest from ballast.archives where table_name = 'audit.ledger' order by row_count desc limit 1`);
  return { copy, m: a.manifest };
}

t.test('a changed segment file is named', async (t) => {
  const { copy, m } = await spoiled(t);
  const file = path.join(copy, m.file.key);
  const text = gunzipSync(await fs.readFile(file)).toString('utf8').replace(/\tu\t|cli:/, (s) => s.toUpperCase());
  await fs.writeFile(file, gzipSync(text));
  const v = await verifyLedger(db, { archive: new DirectoryStore(copy) });
  t.match(v, { ok: false, problem: { kind: 'archive_tampered', message: new RegExp(`${m.file.key.replace(/[.]/g, '\\.')} has sha256 .* the file was changed`) } });
});

t.test('a forged segment (its manifest rewritten to match) fails on the chain, naming the segment and the row', async (t) => {
  const { copy, m } = await spoiled(t);
  const file = path.join(copy, m.file.key);
  const actor = m.columns.findIndex((c) => c.name === 'actor');
  const lines = gunzipSync(await fs.readFile(file)).toString('utf8').split('\n');
  const fields = lines[0]!.split('\t');
  fields[actor] = 'mallory';
  lines[0] = fields.join('\t');
  const forged = gzipSync(lines.join('\n'));
  await fs.writeFile(file, forged);
  const manifest = { ...m, file: { ...m.file, sha256: createHash('sha256').update(forged).digest('hex'), bytes: forged.length } };
  await fs.writeFile(`${file}.manifest.json`, JSON.stringify(manifest));
  const v = await verifyLedger(db, { archive: new DirectoryStore(copy) });
  t.match(v, { ok: false, problem: { kind: 'row_modified', ledger_id: Number(fields[0]),
    message: new RegExp(`ledger row ${fields[0]} .* in the archived segment ${m.file.key.replace(/[.]/g, '\\.')} was modified`) } });
});

t.test('a missing segment is named', async (t) => {
  const { copy, m } = await spoiled(t);
  await fs.rm(path.join(copy, m.file.key));
  await fs.rm(path.join(copy, `${m.file.key}.manifest.json`));
  const v = await verifyLedger(db, { archive: new DirectoryStore(copy) });
  t.match(v, { ok: false, problem: { kind: 'archive_missing', message: new RegExp(`archived to ${m.file.key.replace(/[.]/g, '\\.')} and purged, and no segment in the archive holds it`) } });
});

t.test('`ballast audit verify --archive <dir>`: exit 0 on the chain, 1 naming the break', async (t) => {
  const run = async (args: string[]) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), 'audit', 'verify', ...args],
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' } });
    let out = '';
    child.stdout.on('data', (c) => { out += c; });
    child.stderr.on('data', (c) => { out += c; });
    const [code] = await once(child, 'exit');
    return { code, out };
  };
  const ok = await run(['--archive', dir]);
  t.equal(ok.code, 0, ok.out);
  t.match(ok.out, new RegExp(`audit ledger OK: .*\\n${archivedRows} of them were rehashed from the archived segments`));
  const { copy, m } = await spoiled(t);
  await fs.rm(path.join(copy, m.file.key));
  await fs.rm(path.join(copy, `${m.file.key}.manifest.json`));
  const bad = await run(['--archive', copy]);
  t.equal(bad.code, 1);
  t.match(bad.out, /audit ledger TAMPERED: .* no segment in the archive holds it: that segment is missing \(archive_missing/);
});
