-- name: search_drift
-- Seed 003: unresolved Postgres/Qdrant drift = 0 at the end of each daily
-- cycle. Fires when the last finished reconciliation failed or left more
-- than $1 unrepaired, or when none started in the window (26 h; counted
-- from the install (graphile-worker's first migration) when none ever ran).
-- $1: threshold (unrepaired drift); $2: now; $3: window in seconds
with last as (
  select r.* from search.reconcile_runs r
   where r.status <> 'running'
   order by r.id desc limit 1
), since as (
  select coalesce((select max(r.started_at) from search.reconcile_runs r),
                  (select min(m.ts) from graphile_worker.migrations m)) as at
)
select 'drift' as key,
       jsonb_build_object('component', 'search_reconcile', 'table', 'search.reconcile_runs') as subject,
       format('search reconciliation %s ended %s: %s missing, %s stale, %s orphaned, %s unrepaired%s',
              l.id, l.status, l.missing, l.stale, l.orphaned, l.unrepaired, coalesce(': ' || l.error, '')) as message,
       l.trace_id, null::text as correlation_id,
       jsonb_build_object('table', 'search.reconcile_runs', 'ids', jsonb_build_array(l.id), 'query', 'search_drift') as evidence
  from last l
 where l.status = 'failed' or l.unrepaired > $1::numeric
union all
select 'not_run',
       jsonb_build_object('component', 'search_reconcile', 'table', 'search.reconcile_runs'),
       format('no search reconciliation started since %s (more than %s s)', s.at, $3::int),
       null, null,
       jsonb_build_object('table', 'search.reconcile_runs', 'ids', '[]'::jsonb, 'query', 'search_drift')
  from since s
 where s.at < $2::timestamptz - make_interval(secs => $3::int);
