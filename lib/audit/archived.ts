/**
 * The archived segments of the audit ledger, for `ballast audit verify
 * --archive <dir>`: every manifest of `audit.ledger` in the store is read,
 * its file checked against the manifest's sha256 and loaded (COPY FROM) into
 * one temp table, pg_temp.archived_ledger, shaped like audit.ledger, so the
 * chain walk can rehash archived rows as it does live ones.
 */
import { loadArchive, MANIFEST_SUFFIX, quoteIdent, readManifest, type ArchiveStore } from '../archive/index.ts';
import type { CopyTx } from '../db/index.ts';
import type { VerifyProblem } from './verify.ts';

export interface LedgerSegment {
  key: string;
  first: number;
  last: number;
}

export async function loadArchiveSegments(tx: CopyTx, store: ArchiveStore):
  Promise<{ segments: LedgerSegment[] } | { problem: { kind: VerifyProblem; message: string } }> {
  await tx.query('create temp table archived_ledger (like audit.ledger) on commit drop');
  const segments: LedgerSegment[] = [];
  const keys = (await store.list()).filter((k) => k.endsWith(MANIFEST_SUFFIX));
  for (const [i, key] of keys.entries()) {
    const m = await readManifest(store, key);
    if (m.table !== 'audit.ledger') continue;
    const table = `pg_temp.ledger_segment_${i}`;
    let file: { sha256: string };
    try {
      file = await loadArchive(tx, store, m, table);
    } catch (e) {
      return { problem: { kind: 'archive_tampered', message: `archived segment ${store.location}/${m.file.key} cannot be read: ${(e as Error).message}` } };
    }
    if (file.sha256 !== m.file.sha256) {
      return { problem: { kind: 'archive_tampered', message: `archived segment ${store.location}/${m.file.key} has sha256 ${file.sha256}, its manifest ${m.file.sha256}: the file was changed` } };
    }
    const cols = m.columns.map((c) => quoteIdent(c.name)).join(', ');
    await tx.query(`insert into pg_temp.archived_ledger (${cols}) overriding system value select ${cols} from ${table}`);
    segments.push({ key: m.file.key, first: m.ledger?.first_ledger_id ?? 0, last: m.ledger?.last_ledger_id ?? -1 });
  }
  return { segments };
}
