-- name: trace_compliance
-- Daily trace_id compliance of succeeded attempts since the trace-id policy cutoff.
select date_trunc('day', a.job_created_at) as day,
       count(*) as total_succeeded,
       count(*) filter (where a.trace_id is not null) as with_trace,
       count(*) filter (where a.trace_id is null) as without_trace,
       round(100.0 * count(*) filter (where a.trace_id is not null) / count(*), 2) as compliance_percent
  from ballast.job_attempts a, ballast.trace_policy p
 where a.job_created_at >= p.cutoff
   and a.status = 'succeeded'
 group by 1
 order by 1 desc;
