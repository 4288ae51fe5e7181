/** `ballast archive list|verify|restore|discard`: archived partitions, checked again and brought back for forensics. */
import fs from 'node:fs';
import path from 'node:path';
import { DirectoryStore, MANIFEST_SUFFIX, readManifest, recordStep, restoreArchive, verificationFailures, verifyArchive, VERIFY_DEPTHS, type ArchiveStore, type VerifyDepth } from '../../lib/archive/index.ts';
import type { Config } from '../../lib/config/index.ts';
import type { Command } from 'commander';
import { withSession } from './context.ts';

/**
 * Where a manifest argument points: a manifest file on disk (its store is the
 * directory two levels up: `<store>/<table>/<file>.manifest.json`), or a key
 * in the local store (BALLAST_ARCHIVE_DIR).
 */
export function locateManifest(arg: string, config: Config): { store: ArchiveStore; key: string } {
  if (!arg.endsWith(MANIFEST_SUFFIX)) throw new Error(`${arg} is not a manifest (<table>/<file>${MANIFEST_SUFFIX}; \`ballast archive list\` shows them)`);
  if (fs.existsSync(arg) && !fs.existsSync(path.join(config.archiveDir, arg))) {
    const file = path.resolve(arg);
    const root = path.dirname(path.dirname(file));
    return { store: new DirectoryStore(root), key: path.relative(root, file).split(path.sep).join('/') };
  }
  return { store: new DirectoryStore(config.archiveDir), key: arg };
}

export async function archiveList(opts: { table?: string; json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => {
    const { rows } = await db.query(`
      select id, table_name, partition_name, range_from, range_to, status, row_count, bytes, store, key || '${MANIFEST_SUFFIX}' as manifest,
             exported_at, verified_at, purged_at
        from ballast.archives where $1::text is null or table_name = $1 order by table_name, range_from`, [opts.table ?? null]);
    if (opts.json) console.log(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) console.log('no archives yet');
    else console.table(rows.map((r) => ({ id: r.id, table: r.table_name, from: r.range_from.toISOString(), to: r.range_to.toISOString(),
      status: r.status, rows: r.row_count, bytes: r.bytes, manifest: r.manifest })));
  });
}

/** Verifies an archive again (file, rows, hash; and the live partition while it exists); a pass unblocks a failed one. */
export async function archiveVerify(manifest: string, opts: { json?: boolean; depth: string }): Promise<void> {
  if (!VERIFY_DEPTHS.includes(opts.depth as VerifyDepth)) throw new Error(`--depth must be one of ${VERIFY_DEPTHS.join(', ')}, not ${opts.depth}`);
  await withSession(async ({ db, config }) => {
    const { store, key } = locateManifest(manifest, config);
    const m = await readManifest(store, key);
    const { rows: [a] } = await db.query(`select id, status, row_count, content_hash, file_sha256 from ballast.archives
                                           where key = $1 and status <> 'discarded'`, [m.file.key]);
    const v = await verifyArchive(db, store, m, a ?? null, { depth: opts.depth as VerifyDepth });
    if (a && a.status !== 'purged') {
      await db.atomicWrite((tx) => tx.query(`update ballast.archives set status = $2, verified_at = case when $2 = 'verified' then now() else verified_at end
                                              where id = $1`, [a.id, v.ok ? 'verified' : 'failed']), { actor: config.cliActor });
    }
    await recordStep(db, { step: 'verify', outcome: v.ok ? 'succeeded' : 'failed', at: new Date(), archive_id: a?.id ?? null,
      partition: { table: m.table, partition: m.partition, range_from: new Date(m.range.from), range_to: new Date(m.range.to) },
      rows: v.rows, bytes: v.bytes, detail: { depth: v.depth, checks: v.checks, by: config.cliActor }, error: v.ok ? null : verificationFailures(v) }, config.cliActor);
    if (opts.json) console.log(JSON.stringify(v, null, 2));
    else {
      for (const c of v.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.check}${c.detail ? `: ${c.detail}` : ''}`);
      console.log(v.ok ? `archive OK: ${m.row_count} rows of ${m.table} from ${m.range.from} to ${m.range.to}${v.liveCompared ? ', the same as the live partition' : ''}`
        : `archive FAILED verification: ${m.partition} is not purged while this stands (ops/runbooks/retention.md)`);
    }
    if (!v.ok) process.exitCode = 1;
  });
}

export async function archiveRestore(manifest: string, opts: { into?: string }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const { store, key } = locateManifest(manifest, config);
    const r = await restoreArchive(db, store, key, { actor: config.cliActor, ...(opts.into ? { into: opts.into } : {}) });
    console.log(`restored ${r.rows} row(s) into ${r.table} (checked against the manifest); drop it when done: drop table ${r.table}`);
  });
}

/** Sets a failed archive aside, so the next retention run exports its partition afresh (and verifies it before any purge). */
export async function archiveDiscard(manifest: string, opts: { reason: string }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const { store, key } = locateManifest(manifest, config);
    const m = await readManifest(store, key);
    const { rows: [a] } = await db.query(`select id, status from ballast.archives where key = $1 and status <> 'discarded'`, [m.file.key]);
    if (!a) throw new Error(`no archive in force has the file ${m.file.key}`);
    if (a.status !== 'failed') throw new Error(`archive ${a.id} is ${a.status}; only a failed archive is discarded (a verified or purged one is the copy of record)`);
    await db.atomicWrite((tx) => tx.query(`update ballast.archives set status = 'discarded' where id = $1`, [a.id]), { actor: config.cliActor });
    await recordStep(db, { step: 'discard', outcome: 'succeeded', at: new Date(), archive_id: a.id,
      partition: { table: m.table, partition: m.partition, range_from: new Date(m.range.from), range_to: new Date(m.range.to) },
      detail: { reason: opts.reason, by: config.cliActor } }, config.cliActor);
    console.log(`archive ${a.id} discarded; the next archive_partitions run exports ${m.partition} again and verifies it before any purge`);
  });
}

/** Declares `ballast archive list|verify|restore|discard`. */
export function registerArchiveCommands(program: Command): void {
  const archive = program.command('archive').description('archived partitions: list, verify again, restore for forensics (ops/runbooks/retention.md)');
  archive.command('list').description('archives and where each stands (exported, verified, failed, purged, discarded)')
    .option('--table <table>', 'only this table').option('--json', 'print rows as JSON').action(archiveList);
  archive.command('verify').description('read an archive back and check it against its manifest and the live partition; exit 1 when it fails')
    .argument('<manifest>', 'a manifest key in BALLAST_ARCHIVE_DIR (as `archive list` prints it) or a manifest file')
    .option('--depth <depth>', 'rows: reload the rows and rehash them; file: sha256, row count and shape only (what a `verify = file` policy does nightly)', 'rows')
    .option('--json', 'print the checks as JSON').action(archiveVerify);
  archive.command('restore').description('bring an archived range back into a table of its own, for forensics; never into a live table')
    .argument('<manifest>', 'a manifest key in BALLAST_ARCHIVE_DIR or a manifest file')
    .option('--into <schema>', 'schema to restore into (it must exist; not the live table\'s)', 'archive_restore').action(archiveRestore);
  archive.command('discard').description('set a failed archive aside so the next run exports its partition again (it is verified before any purge)')
    .argument('<manifest>', 'the failed archive\'s manifest key or file')
    .requiredOption('--reason <text>', 'why (recorded in ballast.archive_runs)').action(archiveDiscard);
}
