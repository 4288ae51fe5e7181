-- name: waiting_jobs
-- "Where is it stuck?" Jobs that could have run more than $1 seconds ago and
-- that no worker has taken, by task: the fleet is behind, or nothing runs
-- that task. A job waiting for its retry time is not counted until that time
-- is $1 seconds past. `workers_alive`: workers that heartbeat within $1
-- seconds and run the task; 0 means no process will ever take these jobs.
-- $1: seconds a ready job may wait before it counts
select j.task_identifier as task, count(*)::int as waiting,
       justify_interval(date_trunc('second', now() - min(j.run_at)))::text as oldest_waiting,
       (select count(*) from ballast.workers w
         where w.stopped_at is null and w.rescued_at is null
           and w.last_beat_at >= now() - make_interval(secs => $1)
           and j.task_identifier = any (w.tasks))::int as workers_alive
  from ballast.queued_jobs j
 where j.locked_at is null
   and j.attempts < j.max_attempts
   and j.run_at < now() - make_interval(secs => $1)
 group by j.task_identifier
 order by min(j.run_at);
