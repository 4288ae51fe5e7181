/** `ballast audit seal|verify|history|trace|deletes|purge-interaction`. */
import fs from 'node:fs';
import cliProgress from 'cli-progress';
import { assertDestructiveAllowed, destructiveWrite, sealLedger, verifyLedger, type VerifyResult } from '../../lib/audit/index.ts';
import { runNamed, traceSince } from '../../lib/forensics/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { DirectoryStore } from '../../lib/archive/index.ts';
import { withSession } from './context.ts';

export async function auditSeal(opts: { batch: number }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const r = await sealLedger(db, { batchSize: opts.batch, ...(config.BALLAST_ACTOR ? { actor: config.BALLAST_ACTOR } : {}) });
    console.log(`sealed ${r.sealed} row(s); chain head ${r.head ?? '(empty chain)'}`);
  });
}

export async function auditVerify(opts: { expectHead?: string; json?: boolean; archive?: string }): Promise<void> {
  if (opts.archive && !fs.statSync(opts.archive, { throwIfNoEntry: false })?.isDirectory()) {
    throw new Error(`--archive ${opts.archive}: no such directory (the archive store, BALLAST_ARCHIVE_DIR)`);
  }
  await withSession(async ({ db }) => {
    const bar = process.stderr.isTTY && !opts.json
      ? new cliProgress.SingleBar({ format: 'verify [{bar}] {value}/{total} sealed rows', stream: process.stderr }, cliProgress.Presets.shades_classic)
      : null;
    let started = false;
    const r = await verifyLedger(db, {
      ...(opts.expectHead ? { expectHead: opts.expectHead } : {}),
      ...(opts.archive ? { archive: new DirectoryStore(opts.archive) } : {}),
      onProgress: (checked, total) => {
        if (!bar) return;
        if (!started) { bar.start(total, 0); started = true; }
        bar.update(checked);
      },
    });
    bar?.stop();
    if (opts.json) console.log(JSON.stringify(r, null, 2));
    else if (r.ok) {
      console.log(`audit ledger OK: ${r.checked} sealed row(s) match the chain; head ${r.head ?? '(empty chain)'}`);
      if (r.archived) {
        console.log(opts.archive ? `${r.archived} of them were rehashed from the archived segments in ${opts.archive}`
          : `${r.archived} of them are archived and purged: their chain positions were walked, their rows not rehashed (add --archive <dir>)`);
      }
    } else {
      console.log(`audit ledger TAMPERED: ${r.problem!.message} (${r.problem!.kind}; ${r.checked} row(s) before it matched)`);
    }
    if (!opts.json) console.log(unsealedWindow(r));
    if (!r.ok) process.exitCode = 1;
  });
}

/** The rows verify cannot vouch for yet. */
function unsealedWindow(r: VerifyResult): string {
  if (!r.unsealed) return 'unsealed window: none (every ledger row is in the chain)';
  return `unsealed window: ${r.unsealed} row(s), the oldest written ${r.oldestUnsealedAt!.toISOString()} ` +
    `(${Math.round(r.unsealedAgeSeconds!)} s ago); \`ballast audit seal\` seals them`;
}

function print(rows: Record<string, unknown>[], json?: boolean, empty = 'no rows'): void {
  if (json) console.log(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) console.log(empty);
  else for (const r of rows) console.log(Object.entries(r).filter(([, v]) => v != null).map(([k, v]) => `${k}=${typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v instanceof Date ? v.toISOString() : v}`).join(' '));
}

export async function auditHistory(entityType: string, entityId: string, opts: { json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => print(await runNamed(db, 'audit_row_history', [entityType, entityId]), opts.json, `no audit rows for ${entityType} ${entityId}`));
}

export async function auditTrace(traceId: string, opts: { json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => print(await runNamed(db, 'audit_trace', [traceId, await traceSince(db, traceId)]), opts.json, `no audit rows for trace ${traceId}`));
}

export async function auditDeletes(opts: { since: string; limit: number; json?: boolean }): Promise<void> {
  if (Number.isNaN(Date.parse(opts.since))) throw new Error(`--since is not a timestamp: ${opts.since}`);
  await withSession(async ({ db }) => print(await runNamed(db, 'audit_deletes', [opts.since, opts.limit]), opts.json, `no deletes since ${opts.since}`));
}

/** A destructive maintenance command: off unless BALLAST_ALLOW_DESTRUCTIVE=1, and always with a reason. */
export async function auditPurgeInteraction(id: string, opts: { reason: string }): Promise<void> {
  assertDestructiveAllowed('purge-interaction', loadConfig());
  const interactionId = Number(id);
  if (!Number.isInteger(interactionId) || interactionId < 1) throw new Error(`interaction id must be a positive integer, got "${id}"`);
  await withSession(async ({ db, config }) => {
    const n = await destructiveWrite(db, 'purge-interaction', { reason: opts.reason, actor: config.cliActor, config },
      async (tx) => (await tx.query('delete from app.interactions where id = $1', [interactionId])).rowCount ?? 0);
    console.log(n ? `purged interaction ${interactionId} and its decisions; reason recorded in audit.ledger` : `no interaction ${interactionId}`);
    if (!n) process.exitCode = 1;
  });
}
