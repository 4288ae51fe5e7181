-- name: trace_window
-- Since when a trace can have rows: its inbox delivery (from the key table,
-- which is not partitioned), else its first attempt, less a day of margin for
-- clocks (attempt times come from the workers). The other trace recipes take
-- it as $2 and bound each partitioned table's partition column by it, so the
-- planner skips every partition before it. null: the trace is unknown (then
-- pass null on, and they read every partition).
-- $1: trace_id
select coalesce((select min(k.received_at) from ingest.webhook_keys k where k.trace_id = $1),
                (select min(a.started_at) from ballast.job_attempts a where a.trace_id = $1))
       - interval '1 day' as since;
