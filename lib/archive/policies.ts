/**
 * Retention policies as data (`ballast.retention_policies`): one row per
 * range-partitioned table. Reading them is anyone's; changing one is the
 * owner's, and every change is in the audit ledger.
 */
import type { Db, Tx } from '../db/index.ts';
import type { VerifyDepth } from './verify.ts';

export interface RetentionPolicy {
  table_name: string;
  hot_window: string;
  warm_window: string;
  archive_after: string;
  purge_after: string;
  store: string;
  /** How deep the nightly verification goes (verify.ts). */
  verify: VerifyDepth;
  enabled: boolean;
  updated_at: Date;
  updated_by: string;
}

/** The fields `ballast retention set` may change, as interval text (`30 days`) or values. */
export interface PolicyChange {
  hot_window?: string;
  warm_window?: string;
  archive_after?: string;
  purge_after?: string;
  store?: string;
  verify?: VerifyDepth;
  enabled?: boolean;
}

const SELECT = `select table_name, hot_window::text, warm_window::text, archive_after::text, purge_after::text, store, verify, enabled, updated_at, updated_by
                  from ballast.retention_policies`;

export async function listPolicies(tx: Pick<Tx, 'query'>): Promise<RetentionPolicy[]> {
  return (await tx.query<RetentionPolicy>(`${SELECT} order by table_name`)).rows;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

/**
 * Changes (or, with `create`, adds) the policy of `table`; returns it as it
 * now is. The database checks the order (archive_after >= hot_window,
 * purge_after >= archive_after); its refusal is turned into a clear error.
 */
export async function setPolicy(db: Db, table: string, change: PolicyChange, who: { actor: string; create?: boolean }): Promise<RetentionPolicy> {
  const fields = Object.entries(change).filter(([, v]) => v !== undefined);
  if (fields.length === 0) throw new PolicyError('nothing to change: give at least one of --hot, --warm, --archive-after, --purge-after, --store, --verify, --enable/--disable');
  try {
    return await db.atomicWrite(async (tx) => {
      const { rows: [exists] } = await tx.query('select 1 from ballast.retention_policies where table_name = $1', [table]);
      if (!exists) {
        if (!who.create) throw new PolicyError(`no retention policy for ${table} (\`ballast retention show\` lists them; --create adds one)`);
        const need = ['hot_window', 'warm_window', 'archive_after', 'purge_after'].filter((k) => !(k in change));
        if (need.length) throw new PolicyError(`a new policy needs every window: missing ${need.join(', ')}`);
        await tx.query(`insert into ballast.retention_policies (table_name, hot_window, warm_window, archive_after, purge_after, store, enabled, verify)
                        values ($1, $2, $3, $4, $5, coalesce($6, 'local'), coalesce($7, true), coalesce($8, 'file'))`,
        [table, change.hot_window, change.warm_window, change.archive_after, change.purge_after, change.store ?? null, change.enabled ?? null,
          change.verify ?? null]);
      } else {
        await tx.query(`update ballast.retention_policies
                           set hot_window = coalesce($2::interval, hot_window), warm_window = coalesce($3::interval, warm_window),
                               archive_after = coalesce($4::interval, archive_after), purge_after = coalesce($5::interval, purge_after),
                               store = coalesce($6, store), enabled = coalesce($7, enabled), verify = coalesce($8, verify)
                         where table_name = $1`,
        [table, change.hot_window ?? null, change.warm_window ?? null, change.archive_after ?? null, change.purge_after ?? null,
          change.store ?? null, change.enabled ?? null, change.verify ?? null]);
      }
      return (await tx.query<RetentionPolicy>(`${SELECT} where table_name = $1`, [table])).rows[0]!;
    }, { actor: who.actor });
  } catch (e) {
    const err = e as { code?: string; constraint?: string; message: string };
    if (err.code === '23514') {
      throw new PolicyError(err.constraint === 'retention_policies_order'
        ? 'the windows are out of order: archive_after must be at least hot_window, and purge_after at least archive_after'
        : `refused by ${err.constraint ?? 'a check'}: ${err.message}`);
    }
    if (err.code === '22007' || err.code === '22P02' || err.code === '22015') throw new PolicyError(`not an interval: ${err.message} (write e.g. "30 days", "12 hours")`);
    throw e;
  }
}
