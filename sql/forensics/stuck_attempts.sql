-- name: stuck_attempts
-- "Where is it stuck?" Attempts still running whose heartbeat is older than
-- $1 seconds (their worker is gone or wedged; the rescue marks them
-- `abandoned` once their worker is declared dead), and jobs locked longer
-- than $1 seconds that have no fresh ledger heartbeat. `worker_id` is
-- ballast's worker id (ballast.workers), also for a job's graphile-worker
-- pool id; `worker_state` says whether that worker still heartbeats.
-- $1: staleness threshold in seconds
with fleet as (
  select w.worker_id, w.pool_ids,
         case when w.rescued_at is not null then 'rescued'
              when w.stopped_at is not null then 'stopped'
              when w.last_beat_at < now() - make_interval(secs => $1) then 'silent'
              else 'alive' end as state
    from ballast.workers w
)
select * from (
select 'stale_heartbeat' as finding, a.job_id, a.task, a.attempt, a.worker_id,
       coalesce(f.state, 'unknown') as worker_state, a.trace_id, a.correlation_id,
       a.started_at, a.heartbeat_at, justify_interval(date_trunc('second', now() - a.heartbeat_at))::text as silent_for
  from ballast.job_attempts a
  left join fleet f on f.worker_id = a.worker_id
 where a.status = 'running'
   and a.heartbeat_at < now() - make_interval(secs => $1)
union all
select 'locked_without_heartbeat', j.id, j.task_identifier, j.attempts::int, coalesce(f.worker_id, j.locked_by),
       coalesce(f.state, 'unknown'), j.trace_id, j.correlation_id, j.locked_at, null,
       justify_interval(date_trunc('second', now() - j.locked_at))::text
  from ballast.queued_jobs j
  left join fleet f on j.locked_by = any (f.pool_ids)
 where j.locked_at < now() - make_interval(secs => $1)
   and not exists (select 1 from ballast.job_attempts a
                    where a.job_id = j.id and a.attempt = j.attempts and a.heartbeat_at >= now() - make_interval(secs => $1))
) stuck
order by coalesce(stuck.heartbeat_at, stuck.started_at);
