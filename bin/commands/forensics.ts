/** `ballast trace`, `ballast stuck`, `ballast workers`, `ballast policy`. */
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

export async function commandStuck(opts: { stale: number; since: number }): Promise<void> {
  await withSession(async ({ db }) => {
    const [dead, stuck, waiting, rescued, [letters], conflicts] = await Promise.all([
      runNamed(db, 'dead_workers', [opts.stale, opts.since]),
      runNamed(db, 'stuck_attempts', [opts.stale]),
      runNamed(db, 'waiting_jobs', [opts.stale]),
      runNamed(db, 'rescued_jobs', [opts.since]),
      db.readOnly(async (tx) => (await tx.query(`select count(*)::int as open, count(*) filter (where next_retry_at is null)::int as parked,
                                                        (select count(*)::int from ingest.webhook_events e where e.status = 'failed'
                                                            and exists (select 1 from ballast.pipeline_failures f where f.resolved_at is null
                                                                           and f.context->>'correlation_id' = e.correlation_id)) as events
                                                   from ballast.pipeline_failures where resolved_at is null`)).rows),
      runNamed(db, 'redelivery_conflicts', [opts.since]),
    ]);
    printSection(`dead workers (silent for more than ${opts.stale}s, or rescued in the last ${opts.since}s)`, dead,
      ({ rescue_reason: _, ...r }) => r);
    printSection(`stuck: attempts silent and jobs locked for more than ${opts.stale}s`, stuck);
    printSection(`waiting: jobs ready for more than ${opts.stale}s that no worker has taken`, waiting);
    const unserved = waiting.filter((w) => w.workers_alive === 0).map((w) => w.task);
    if (unserved.length > 0) {
      console.log(`no live worker runs ${unserved.join(', ')}: these jobs wait until one starts (\`ballast up\`, or \`systemctl start ballast-worker@1\`); \`ballast workers\` shows the fleet`);
    }
    printSection(`jobs rescued from dead workers in the last ${opts.since}s`, rescued, ({ reason: _, ...r }) => r);
    if (dead.length + stuck.length + waiting.length + rescued.length === 0) {
      console.log(`nothing stuck: no worker or running attempt silent for more than ${opts.stale}s, no job waiting that long, no rescue in the last ${opts.since}s`);
    }
    // What failed for good is not stuck in a worker, but it is where an event stops: say so here too.
    if (letters.open > 0) {
      console.log(`${letters.open} open dead letter(s), ${letters.parked} of them parked until someone acts: \`ballast dlq list\` shows them, \`ballast dlq requeue <id>\` replays one`
        + (letters.events > 0 ? `; ${letters.events} inbox event(s) stopped on them (status failed; \`ballast trace <event id>\`)` : ''));
    }
    // Not stuck either: bodies that lost to an earlier delivery of their id, kept so that someone decides.
    if (conflicts.length > 0) {
      const ids = new Set(conflicts.map((c) => `${c.source}:${c.webhook_id}`)).size;
      console.log(`${conflicts.length} re-delivered body(ies) under ${ids} webhook id(s) differed from the first delivery in the last ${opts.since}s `
        + `(the first delivery stands; each body is kept in ingest.redelivery_conflicts): sql/forensics/redelivery_conflicts.sql lists them`);
    }
  });
}

export async function commandWorkers(opts: { stale: number; since: number; json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => {
    const rows = await runNamed(db, 'workers', [opts.stale, opts.since]);
    if (opts.json) return console.log(JSON.stringify(rows, null, 2));
    if (rows.length === 0) return console.log('no workers: none is running, and none stopped or was rescued recently');
    const states = rows.reduce<Record<string, number>>((n, r) => ({ ...n, [r.state]: (n[r.state] ?? 0) + 1 }), {});
    console.log(`workers: ${Object.entries(states).map(([s, n]) => `${n} ${s}`).join(', ')}`);
    console.table(rows.map(({ pool_ids, started_at, last_beat_at, ...r }) => ({ ...r, started_at: iso(started_at), pool_ids: pool_ids.join(' ') })));
  });
}

function printSection(title: string, rows: Record<string, any>[], shape: (r: Record<string, any>) => Record<string, any> = (r) => r): void {
  if (rows.length === 0) return;
  console.log(`${title}:`);
  console.table(rows.map((r) => Object.fromEntries(Object.entries(shape(r)).map(([k, v]) => [k, v instanceof Date ? iso(v) : v]))));
}

/** A timestamp to the second, in UTC. */
const iso = (d: Date | null): string | null => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : null);

export async function commandPolicy(opts: { mode?: string; cutoff?: string }): Promise<void> {
  await withSession(async ({ db, config }) => {
    if (opts.mode || opts.cutoff) {
      if (opts.cutoff && Number.isNaN(Date.parse(opts.cutoff))) throw new Error(`--cutoff is not a timestamp: ${opts.cutoff}`);
      await db.atomicWrite(async (tx) => {
        // Jobs created before the cutoff are legacy: a future cutoff makes every job legacy, and strict would refuse nothing.
        const { rows: [c] } = await tx.query<{ future: boolean }>('select $1::timestamptz > now() as future', [opts.cutoff ?? null]);
        if (c?.future) throw new Error(`--cutoff ${opts.cutoff} is in the future: every job would be legacy and strict would refuse nothing; give a time in the past`);
        await tx.query('update ballast.trace_policy set mode = coalesce($1, mode), cutoff = coalesce($2::timestamptz, cutoff)',
          [opts.mode ?? null, opts.cutoff ?? null]);
      }, { actor: config.cliActor });
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
