-- name: workers
-- The fleet: every worker process, its state and last heartbeat, and what it
-- runs. alive: heartbeating; silent: no beat for more than $1 seconds (dead
-- or wedged; the rescue frees its jobs after the grace period); stopped: a
-- graceful stop; rescued: declared dead, its jobs freed. Stopped and rescued
-- workers are listed for $2 seconds.
-- $1: silence threshold in seconds; $2: how long to list stopped and rescued workers, in seconds
select w.worker_id, w.host, w.pid,
       case when w.rescued_at is not null then 'rescued'
            when w.stopped_at is not null then 'stopped'
            when w.last_beat_at < now() - make_interval(secs => $1) then 'silent'
            else 'alive' end as state,
       w.started_at, w.last_beat_at,
       justify_interval(date_trunc('second', now() - w.last_beat_at))::text as last_beat_ago,
       justify_interval(date_trunc('second', coalesce(w.stopped_at, w.rescued_at, now()) - w.started_at))::text as up_for,
       w.concurrency,
       (select count(*) from ballast.queued_jobs j where j.locked_by = any (w.pool_ids))::int as jobs_locked,
       array_length(w.tasks, 1) as tasks, w.pool_ids
  from ballast.workers w
 where (w.stopped_at is null and w.rescued_at is null)
    or coalesce(w.stopped_at, w.rescued_at) >= now() - make_interval(secs => $2)
 order by w.stopped_at is not null or w.rescued_at is not null, w.host, w.started_at;
