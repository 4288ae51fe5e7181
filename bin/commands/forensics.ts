/** `ballast trace`, `ballast stuck`, `ballast policy`. */
import { formatTimeline, resolveTraceIds, runNamed, traceTimeline } from '../../lib/forensics/index.ts';
import { withSession } from './context.ts';

export async function commandTrace(id: string, opts: { json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => {
    const traceIds = await resolveTraceIds(db, id);
    if (traceIds.length === 0) {
      console.error(`nothing found for "${id}" (tried trace id, webhook id, correlation id, event id)`);
      process.exitCode = 1;
      return;
    }
    for (const t of traceIds) {
      const rows = await traceTimeline(db, t);
      console.log(opts.json ? JSON.stringify({ trace_id: t, rows }, null, 2) : formatTimeline(t, rows));
    }
  });
}

export async function commandStuck(opts: { stale: number }): Promise<void> {
  await withSession(async ({ db }) => {
    const rows = await runNamed(db, 'stuck_attempts', [opts.stale]);
    if (rows.length === 0) console.log(`nothing stuck: no running attempt silent for more than ${opts.stale}s`);
    else console.table(rows);
  });
}

export async function commandPolicy(opts: { mode?: string; cutoff?: string }): Promise<void> {
  await withSession(async ({ db, config }) => {
    if (opts.mode || opts.cutoff) {
      if (opts.cutoff && Number.isNaN(Date.parse(opts.cutoff))) throw new Error(`--cutoff is not a timestamp: ${opts.cutoff}`);
      await db.atomicWrite((tx) => tx.query(
        'update ballast.trace_policy set mode = coalesce($1, mode), cutoff = coalesce($2::timestamptz, cutoff)',
        [opts.mode ?? null, opts.cutoff ?? null]), { actor: config.cliActor });
    }
    const [p] = (await db.query('select mode, cutoff, updated_at, updated_by from ballast.trace_policy')).rows;
    console.log(`trace-id policy: mode=${p.mode} cutoff=${new Date(p.cutoff).toISOString()} (updated ${new Date(p.updated_at).toISOString()} by ${p.updated_by})`);
    const compliance = await runNamed(db, 'trace_compliance');
    if (compliance.length) console.table(compliance.map((r) => ({ ...r, day: new Date(r.day).toISOString().slice(0, 10) })));
    const violations = await runNamed(db, 'policy_violations', [10]);
    console.log(violations.length ? `${violations.length} recent violation(s):` : 'no violations');
    if (violations.length) console.table(violations);
  });
}
