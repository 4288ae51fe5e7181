-- name: usage_reconciliation_mismatch
-- Seed 001: the nightly reconciliation of the provider's usage with ballast's
-- billing lines. Per reconciled day, the last run that finished in the window:
-- it fires when that run found at least $1 mismatches, or failed to read the
-- provider (a failed run is never "no mismatches"). A later clean run of the
-- same day clears it. One alert per day.
-- $1: threshold (mismatch rows); $2: now; $3: window in seconds
with last as (
  select distinct on (r.usage_day) r.*
    from app.reconciliation_runs r
   where r.status <> 'running'
     and r.finished_at > $2::timestamptz - make_interval(secs => $3::int)
   order by r.usage_day, r.id desc
)
select 'day:' || l.usage_day as key,
       jsonb_build_object('component', 'reconcile_usage', 'table', 'app.reconciliation_runs', 'usage_day', l.usage_day) as subject,
       case when l.status = 'failed'
            then format('usage reconciliation %s of %s failed: the %s provider (%s) could not be read: %s',
                        l.id, l.usage_day, l.provider, l.source, l.error)
            else format('usage reconciliation %s of %s: %s mismatch(es) with the %s provider (%s) over %s agent(s)',
                        l.id, l.usage_day, l.mismatches, l.provider, l.source, l.agents_compared) end as message,
       l.trace_id, l.correlation_id,
       jsonb_build_object('table', 'app.reconciliation_mismatches', 'run_id', l.id,
                          'ids', coalesce((select to_jsonb((array_agg(m.id order by m.id))[1:20]) from app.reconciliation_mismatches m where m.run_id = l.id), '[]'::jsonb),
                          'mismatches', coalesce((select jsonb_agg(jsonb_build_object('agent_id', m.agent_id, 'subject', m.subject, 'unit', m.unit,
                                                                                      'provider', m.provider_value, 'ballast', m.ballast_value,
                                                                                      'difference', m.difference) order by m.agent_id nulls last, m.subject, m.unit)
                                                    from (select * from app.reconciliation_mismatches m2 where m2.run_id = l.id
                                                           order by m2.agent_id nulls last, m2.subject, m2.unit limit 20) m), '[]'::jsonb),
                          'query', 'usage_reconciliation') as evidence
  from last l
 where l.status = 'failed' or l.mismatches >= $1::numeric;
