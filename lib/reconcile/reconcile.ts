/**
 * One usage reconciliation (seed 001, issue 15 part 5): the provider's usage
 * of one day against ballast's billed usage (the view app.billed_usage_daily,
 * ballast's only source here), per agent and unit. It records a run row in
 * app.reconciliation_runs and a row in app.reconciliation_mismatches for each
 * agent and unit that disagree; the usage_reconciliation_mismatch alert rule
 * raises them. A provider that cannot be read ends the run `failed`, with its
 * reason: never `clean`.
 */
import type { Db } from '../db/index.ts';
import { errorMessage, type Redactor } from '../failures/index.ts';
import { parseDay, type ProviderUsage, type UsageProvider } from './provider.ts';

export interface ReconcileUsageOptions {
  /** The day to reconcile, `YYYY-MM-DD` (UTC). */
  day: string;
  /** Recorded on the run row (`cron`, `job`, `cli:<user>`). */
  triggeredBy: string;
  /** Masks the provider's rows and errors before they are stored. */
  redactor: Redactor;
  signal?: AbortSignal;
  /** Called as the run advances: `read` once per page or file read, then `compare` once. */
  onProgress?: (phase: 'read' | 'compare', done: number) => void;
}

export interface ReconcileUsageResult {
  run_id: number;
  usage_day: string;
  provider: string;
  source: string;
  status: 'clean' | 'mismatched' | 'failed';
  provider_records: number;
  agents_compared: number;
  mismatches: number;
  /** The failure, redacted; null unless failed. */
  error: string | null;
  /** The error itself (not stored), so a task can fail with its classification. */
  cause?: unknown;
}

/**
 * Joins the provider's rows (mapped to agents) with the billed usage of the
 * day, and writes one mismatch per agent and unit that differ. Sums are in
 * numeric, so fractional minutes compare exactly. $1 day, $2 provider rows
 * (json), $3 run id.
 */
const COMPARE_SQL = `
with given as (
  select * from json_to_recordset($2::json)
    as g(agent_id text, number_id text, phone_number text, subject text, calls numeric, call_minutes numeric, sms numeric, evidence jsonb)
), mapped as (
  select coalesce(g.agent_id,
           (select a.agent_id from app.agents a where a.provider_number_id = g.number_id order by a.is_active desc, a.updated_at desc limit 1),
           (select a.agent_id from app.agents a where a.phone_number = g.phone_number order by a.is_active desc, a.updated_at desc limit 1)) as agent_id,
         g.subject, g.calls, g.call_minutes, g.sms, g.evidence
    from given g
), provider as (
  select m.agent_id, case when m.agent_id is null then m.subject end as unmapped,
         sum(m.calls) as calls, sum(m.call_minutes) as call_minutes, sum(m.sms) as sms, jsonb_agg(m.evidence) as rows
    from mapped m
   group by 1, 2
), ballast as (
  select b.agent_id, sum(b.calls) as calls, sum(b.call_minutes) as call_minutes, sum(b.sms) as sms
    from app.billed_usage_daily b
   where b.usage_day = $1::date
   group by b.agent_id
), joined as (
  select coalesce(p.agent_id, b.agent_id) as agent_id,
         coalesce(p.agent_id, b.agent_id, 'unmapped:' || p.unmapped) as subject,
         coalesce(p.calls, 0) as p_calls, coalesce(p.call_minutes, 0) as p_minutes, coalesce(p.sms, 0) as p_sms,
         coalesce(b.calls, 0) as b_calls, coalesce(b.call_minutes, 0) as b_minutes, coalesce(b.sms, 0) as b_sms,
         coalesce(p.rows, '[]'::jsonb) as rows
    from provider p
    full join ballast b on b.agent_id = p.agent_id
), written as (
  insert into app.reconciliation_mismatches (run_id, usage_day, agent_id, subject, unit, provider_value, ballast_value, evidence)
  select $3, $1::date, j.agent_id, j.subject, u.unit, u.provider_value, u.ballast_value,
         jsonb_build_object('provider_rows', j.rows,
                            'ballast', jsonb_build_object('view', 'app.billed_usage_daily', 'usage_day', $1::date, 'agent_id', j.agent_id))
    from joined j
   cross join lateral (values ('calls', j.p_calls, j.b_calls), ('call_minutes', j.p_minutes, j.b_minutes), ('sms', j.p_sms, j.b_sms))
      as u(unit, provider_value, ballast_value)
   where u.provider_value <> u.ballast_value
  returning 1
)
select (select count(*)::int from joined) as agents_compared, (select count(*)::int from written) as mismatches`;

/** What the comparison receives of a provider row: the unmasked keys for matching, everything stored masked. */
function given(u: ProviderUsage, redactor: Redactor) {
  const subject = u.agent_id ?? (u.number_id ? `number:${u.number_id}` : `phone:${redactor.text(u.phone_number ?? '')}`);
  return {
    agent_id: u.agent_id ?? null, number_id: u.number_id ?? null, phone_number: u.phone_number ?? null, subject,
    calls: u.calls, call_minutes: u.call_minutes, sms: u.sms, evidence: redactor.value(u.raw),
  };
}

/** Runs one reconciliation of `opts.day` against `provider`; the result is the stored run row. */
export async function reconcileUsage(db: Db, provider: UsageProvider, opts: ReconcileUsageOptions): Promise<ReconcileUsageResult> {
  const day = parseDay(opts.day);
  const { rows: [run] } = await db.atomicWrite((tx) => tx.query<{ id: string }>(
    `insert into app.reconciliation_runs (usage_day, provider, source, triggered_by) values ($1, $2, $3, $4) returning id`,
    [day, provider.kind, provider.source, opts.triggeredBy]));
  const r: ReconcileUsageResult = {
    run_id: Number(run!.id), usage_day: day, provider: provider.kind, source: provider.source, status: 'failed',
    provider_records: 0, agents_compared: 0, mismatches: 0, error: null,
  };
  try {
    const usage = await provider.dailyUsage(day, { signal: opts.signal, onProgress: (n) => opts.onProgress?.('read', n) });
    r.provider_records = usage.length;
    // The comparison and the run's outcome commit together: a run is never `clean` with its mismatches missing.
    const counts = await db.atomicWrite(async (tx) => {
      const { rows: [c] } = await tx.query<{ agents_compared: number; mismatches: number }>(
        COMPARE_SQL, [day, JSON.stringify(usage.map((u) => given(u, opts.redactor))), r.run_id]);
      await tx.query(
        `update app.reconciliation_runs
            set status = case when $3::int > 0 then 'mismatched' else 'clean' end, finished_at = now(),
                provider_records = $4, agents_compared = $2, mismatches = $3
          where id = $1`, [r.run_id, c!.agents_compared, c!.mismatches, r.provider_records]);
      return c!;
    });
    r.agents_compared = counts.agents_compared;
    r.mismatches = counts.mismatches;
    r.status = counts.mismatches > 0 ? 'mismatched' : 'clean';
  } catch (err) {
    r.error = errorMessage(err, opts.redactor);
    r.cause = err;
    await db.atomicWrite((tx) => tx.query(
      `update app.reconciliation_runs set status = 'failed', finished_at = now(), provider_records = $3, error = $2 where id = $1`,
      [r.run_id, r.error, r.provider_records]));
    return r;
  }
  opts.onProgress?.('compare', 1);
  return r;
}
