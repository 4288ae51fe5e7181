/** `ballast errors cleanup`: retention of error envelopes, a destructive operator command. */
import { assertDestructiveAllowed, destructiveWrite } from '../../lib/audit/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { withSession } from './context.ts';

/** Deletes envelopes older than `--older-than` days through `ballast.cleanup_old_errors` (owner only, audited). */
export async function errorsCleanup(opts: { olderThan: number; reason: string }): Promise<void> {
  assertDestructiveAllowed('errors cleanup', loadConfig());
  await withSession(async ({ db, config }) => {
    const n = await destructiveWrite(db, 'errors cleanup', { reason: opts.reason, actor: config.cliActor, config },
      async (tx) => (await tx.query<{ n: number }>('select ballast.cleanup_old_errors($1) as n', [opts.olderThan])).rows[0]!.n);
    console.log(`deleted ${n} error envelope(s) older than ${opts.olderThan} day(s); each deletion and its reason are in audit.ledger`);
  });
}
