/**
 * Step 4: purge. Only an archive whose verification passed is purged, and
 * only while its file is still in the store with the sha256 its manifest
 * records (read again unless it was verified moments ago); ballast.purge_partition then checks, under a lock that keeps
 * writers out, that the partition still holds exactly the archived rows
 * (count and content hash) before it detaches and drops it. No other code
 * drops a partition.
 */
import type { Db } from '../db/index.ts';
import { Digest } from './export.ts';
import type { ArchiveStore } from './store.ts';

/** `fileJustVerified`: the file was read back and matched moments ago, in the same pass; it is not read again. */
export async function purgeArchive(db: Db, store: ArchiveStore, a: { id: number; key: string; file_sha256: string }, actor: string,
  opts: { fileJustVerified?: boolean } = {}): Promise<number> {
  if (!(await store.exists(a.key))) throw new Error(`archive ${a.id}: ${store.location}/${a.key} is no longer in the store; not purged`);
  if (!opts.fileJustVerified) {
    const digest = new Digest();
    for await (const chunk of (await store.get(a.key)).pipe(digest)) void chunk;
    const sha = digest.hex();
    if (sha !== a.file_sha256) throw new Error(`archive ${a.id}: ${store.location}/${a.key} has sha256 ${sha}, its manifest ${a.file_sha256}; not purged`);
  }
  const { rows: [r] } = await db.atomicWrite((tx) => tx.query<{ n: number }>('select ballast.purge_partition($1) as n', [a.id]), { actor });
  return Number(r!.n);
}
