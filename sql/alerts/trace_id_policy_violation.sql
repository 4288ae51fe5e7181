-- name: trace_id_policy_violation
-- Seed 004: a job created after the cutoff succeeded without a trace_id.
-- ballast.attempt_succeeded() records each one in ballast.policy_violations
-- (log_only mode; strict mode refuses the success instead). One alert per task.
-- Every alert condition returns one row per firing subject:
--   key, subject, message, trace_id, correlation_id, evidence
-- $1: threshold (violations in the window); $2: now; $3: window in seconds
select coalesce(v.task, '?') as key,
       jsonb_build_object('component', v.task, 'table', 'ballast.policy_violations') as subject,
       format('%s job(s) of %s succeeded without trace_id in the last %s s (latest: job %s)',
              count(*), coalesce(v.task, '?'), $3::int, (array_agg(v.job_id order by v.id desc))[1]) as message,
       null::text as trace_id,
       (array_agg(v.correlation_id order by v.id desc))[1] as correlation_id,
       jsonb_build_object('table', 'ballast.policy_violations',
                          'ids', to_jsonb((array_agg(v.id order by v.id desc))[1:20]),
                          'job_ids', to_jsonb((array_agg(v.job_id order by v.id desc))[1:20]),
                          'query', 'policy_violations') as evidence
  from ballast.policy_violations v
 where v.policy = 'trace_id_required'
   and v.detected_at > $2::timestamptz - make_interval(secs => $3::int)
 group by v.task
having count(*) >= $1::numeric;
