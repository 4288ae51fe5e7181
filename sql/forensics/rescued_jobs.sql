-- name: rescued_jobs
-- Jobs freed from dead workers within the last $1 seconds, and what became
-- of each: retry (runs again), last_attempt (dead-lettered by failed-job
-- recovery), superseded or completed (removed: the work was done elsewhere).
-- `now` says where the job is now: queued, locked (running again), or gone
-- (completed or removed).
-- $1: how far back, in seconds
select r.rescued_at, r.job_id, r.task, r.attempt, r.max_attempts, r.outcome, r.worker_id, r.trace_id,
       case when j.id is null then 'gone' when j.locked_at is not null then 'locked' else 'queued' end as now,
       r.reason
  from ballast.rescued_jobs r
  left join ballast.queued_jobs j on j.id = r.job_id
 where r.rescued_at >= now() - make_interval(secs => $1)
 order by r.rescued_at desc, r.job_id;
