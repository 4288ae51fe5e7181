-- name: dead_workers
-- Workers that stopped heartbeating: silent for more than $1 seconds and not
-- yet rescued (the rescue_dead_workers task frees their jobs once the grace
-- period has passed), and workers rescued within the last $2 seconds.
-- $1: silence threshold in seconds; $2: how far back to list rescues, in seconds
select w.worker_id, w.host, w.pid,
       case when w.rescued_at is null then 'silent' else 'rescued' end as state,
       w.last_beat_at, justify_interval(date_trunc('second', now() - w.last_beat_at))::text as silent_for,
       w.rescued_at,
       (select count(*) from ballast.queued_jobs j where j.locked_by = any (w.pool_ids))::int as jobs_locked,
       (select count(*) from ballast.job_attempts a where a.worker_id = w.worker_id and a.status = 'running')::int as attempts_running,
       (select count(*) from ballast.job_attempts a where a.worker_id = w.worker_id and a.status = 'abandoned')::int as attempts_abandoned,
       w.rescue_reason
  from ballast.workers w
 where w.stopped_at is null
   and ((w.rescued_at is null and w.last_beat_at < now() - make_interval(secs => $1))
        or w.rescued_at >= now() - make_interval(secs => $2))
 order by w.last_beat_at desc;
