-- name: error_spike
-- Error envelopes (severity error or critical) per component: at least 10 in
-- the window, and at least $1 times the component's average per window over
-- the 24 h before it. One alert per component.
-- $1: threshold (factor over the baseline); $2: now; $3: window in seconds
with recent as (
  select e.component, count(*) as n, (array_agg(e.error_id order by e."timestamp" desc))[1:20] as ids,
         (array_agg(e.trace_id order by e."timestamp" desc))[1] as trace_id,
         (array_agg(e.correlation_id order by e."timestamp" desc))[1] as correlation_id
    from ballast.error_envelopes e
   where e.severity in ('error', 'critical')
     and e."timestamp" > $2::timestamptz - make_interval(secs => $3::int)
   group by e.component
), baseline as (
  select e.component, count(*) * $3::int / 86400.0 as per_window
    from ballast.error_envelopes e
   where e.severity in ('error', 'critical')
     and e."timestamp" > $2::timestamptz - make_interval(secs => $3::int) - interval '24 hours'
     and e."timestamp" <= $2::timestamptz - make_interval(secs => $3::int)
   group by e.component
)
select r.component as key,
       jsonb_build_object('component', r.component, 'table', 'ballast.error_envelopes') as subject,
       format('%s error envelopes from %s in the last %s s; baseline %s per window', r.n, r.component, $3::int,
              round(coalesce(b.per_window, 0), 2)) as message,
       r.trace_id, r.correlation_id,
       jsonb_build_object('table', 'ballast.error_envelopes', 'ids', to_jsonb(r.ids), 'query', 'trace_failures') as evidence
  from recent r
  left join baseline b on b.component = r.component
 where r.n >= 10 and r.n >= $1::numeric * coalesce(b.per_window, 0);
