-- The last reconciliations ($1 = how many): drift found and repairs enqueued.
-- Target: unresolved drift (unrepaired, or a failed run) = 0 at the end of each daily cycle.
select id, started_at, duration_ms, collection, status, expected, actual, missing, stale, orphaned,
       repaired, unrepaired, triggered_by, error
  from search.reconcile_runs
 order by id desc
 limit $1;
