-- name: maintenance_runs
-- "Is the background work running, and what did it do?" The last run of each
-- maintenance task (lib/maintenance), its counts and how it ended, with the
-- number of failed runs in the last day.
select distinct on (r.task) r.task, r.started_at, r.finished_at - r.started_at as took, r.counts, r.outcome, r.error,
       r.trace_id,
       (select count(*) from ballast.maintenance_runs f
         where f.task = r.task and f.outcome = 'failed' and f.started_at > now() - interval '1 day') as failed_last_day
  from ballast.maintenance_runs r
 order by r.task, r.started_at desc;
