-- name: resolve_trace
-- Which trace(s) does an identifier name? Accepts a trace id, a webhook id,
-- a correlation id or an inbox event id. The inbox's keys are read from
-- ingest.webhook_keys, which is not partitioned (and outlives purged partitions).
-- $1: the identifier
select distinct trace_id
  from (
    select trace_id from ingest.webhook_keys
     where trace_id = $1 or webhook_id = $1 or correlation_id = $1
        or event_id = case when $1 ~ '^[0-9]{1,18}$' then $1::bigint end
    union all
    select trace_id from ballast.job_attempts
     where trace_id = $1 or correlation_id = $1
  ) t
 where trace_id is not null;
