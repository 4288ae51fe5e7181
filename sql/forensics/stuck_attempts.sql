-- name: stuck_attempts
-- "Where is it stuck?" Attempts still running whose heartbeat is older than
-- $1 seconds (their worker is gone or wedged), and jobs locked longer than
-- $1 seconds that have no ledger row yet.
-- $1: staleness threshold in seconds
select 'stale_heartbeat' as finding, a.job_id, a.task, a.attempt, a.worker_id, a.trace_id, a.correlation_id,
       a.started_at, a.heartbeat_at, now() - a.heartbeat_at as silent_for
  from ballast.job_attempts a
 where a.status = 'running'
   and a.heartbeat_at < now() - make_interval(secs => $1)
union all
select 'locked_without_heartbeat', j.id, j.task_identifier, j.attempts::int, j.locked_by, j.trace_id,
       j.correlation_id, j.locked_at, null, now() - j.locked_at
  from ballast.queued_jobs j
 where j.locked_at < now() - make_interval(secs => $1)
   and not exists (select 1 from ballast.job_attempts a
                    where a.job_id = j.id and a.attempt = j.attempts and a.heartbeat_at >= now() - make_interval(secs => $1))
order by silent_for desc;
