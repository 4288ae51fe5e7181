-- name: trace_failures
-- Every failure recorded for one trace: error envelopes and dead letters.
-- $1: trace_id
-- $2: since (trace_window.sql; null reads every partition)
select e."timestamp" as at, 'error' as kind, e.component as name, e.severity as status,
       jsonb_strip_nulls(jsonb_build_object('error_id', e.error_id, 'error_class', e.error_class, 'layer', e.layer,
         'message', left(e.message, 160), 'span_id', e.span_id, 'input_hash', e.input_hash)) as detail
  from ballast.error_envelopes e
 where e.trace_id = $1 and e.created_at >= coalesce($2::timestamptz, '-infinity')
union all
select f.failed_at, 'dead letter', f.failing_function,
       case when f.resolved_at is not null then 'resolved' when f.next_retry_at is not null then 'replay scheduled' else 'parked' end,
       jsonb_strip_nulls(jsonb_build_object('id', f.id, 'error_code', f.error_code, 'attempt_count', f.attempt_count,
         'next_retry_at', f.next_retry_at, 'resolution_note', f.resolution_note, 'error_id', f.context->>'error_id'))
  from ballast.pipeline_failures f
 where f.context->>'trace_id' = $1 and f.created_at >= coalesce($2::timestamptz, '-infinity')
order by 1, 2;
