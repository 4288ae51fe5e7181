-- name: policy_violations
-- The most recent policy violations.
-- $1: how many rows
select detected_at, policy, severity, job_id, task, correlation_id, job_created_at, message
  from ballast.policy_violations
 order by detected_at desc
 limit $1;
