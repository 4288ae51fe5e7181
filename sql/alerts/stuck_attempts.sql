-- name: stuck_attempts
-- "Where is it stuck?" (issue 12): attempts still running whose heartbeat is
-- older than $1 seconds, and jobs locked longer than that with no fresh
-- ledger heartbeat. One alert per job. The rescue (rescue_dead_workers)
-- frees the jobs of dead workers within a minute, so what this finds is a
-- wedged live worker, or a rescue that is not running.
-- $1: threshold (seconds); $2: now
with fleet as (
  select w.worker_id, w.pool_ids,
         case when w.rescued_at is not null then 'rescued'
              when w.stopped_at is not null then 'stopped'
              when w.last_beat_at < $2::timestamptz - make_interval(secs => $1::numeric::float8) then 'silent'
              else 'alive' end as state
    from ballast.workers w
), stuck as (
  (select distinct on (a.job_id) a.job_id, a.task, a.worker_id, coalesce(f.state, 'unknown') as worker_state,
         a.trace_id, a.correlation_id, a.heartbeat_at as since, 'stale_heartbeat' as finding, a.span_id
    from ballast.job_attempts a
    left join fleet f on f.worker_id = a.worker_id
   where a.status = 'running'
     and a.heartbeat_at < $2::timestamptz - make_interval(secs => $1::numeric::float8)
   order by a.job_id, a.attempt desc)
  union all
  select j.id, j.task_identifier, coalesce(f.worker_id, j.locked_by), coalesce(f.state, 'unknown'),
         j.trace_id, j.correlation_id, j.locked_at, 'locked_without_heartbeat', null
    from ballast.queued_jobs j
    left join fleet f on j.locked_by = any (f.pool_ids)
   where j.locked_at < $2::timestamptz - make_interval(secs => $1::numeric::float8)
     and not exists (select 1 from ballast.job_attempts a
                      where a.job_id = j.id and a.attempt = j.attempts
                        and a.heartbeat_at >= $2::timestamptz - make_interval(secs => $1::numeric::float8))
     and not exists (select 1 from ballast.job_attempts a
                      where a.job_id = j.id and a.status = 'running'
                        and a.heartbeat_at < $2::timestamptz - make_interval(secs => $1::numeric::float8))
)
select 'job:' || s.job_id as key,
       jsonb_build_object('component', s.task, 'worker', s.worker_id, 'job_id', s.job_id) as subject,
       format('job %s (%s): %s since %s on worker %s (%s)', s.job_id, s.task, s.finding, s.since, s.worker_id, s.worker_state) as message,
       s.trace_id, s.correlation_id,
       jsonb_build_object('table', case when s.span_id is null then 'ballast.queued_jobs' else 'ballast.job_attempts' end,
                          'ids', jsonb_build_array(coalesce(s.span_id, s.job_id::text)), 'query', 'stuck_attempts') as evidence
  from stuck s;
