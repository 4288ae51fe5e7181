-- name: dead_letters
-- Dead letters, newest first.
-- $1: failing function or null; $2: only failed after this time or null;
-- $3: 'unresolved' | 'resolved' | 'all'; $4: limit
select id, failing_function, interaction_id, error_code, left(error_message, 120) as error_message,
       attempt_count, failed_at, next_retry_at, resolved_at, resolution_note,
       context->>'trace_id' as trace_id, context->>'correlation_id' as correlation_id
  from ballast.pipeline_failures
 where ($1::text is null or failing_function = $1)
   and ($2::timestamptz is null or failed_at >= $2)
   and case $3 when 'unresolved' then resolved_at is null when 'resolved' then resolved_at is not null else true end
 order by failed_at desc
 limit $4;
