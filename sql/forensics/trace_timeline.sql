-- name: trace_timeline
-- The whole story of one trace: the inbox row, every attempt, jobs still
-- queued, every output with its producer stamps (billing lines summed per
-- interaction; decision outputs with the decision id for `ballast replay
-- decision`), inbox replays (who, why, the replay's span), re-deliveries whose
-- body differed from the first (ingest.redelivery_conflicts), and policy violations.
-- $1: trace_id
-- $2: since (trace_window.sql; null reads every partition)
with ev as (
  select * from ingest.webhook_events where trace_id = $1 and received_at >= coalesce($2::timestamptz, '-infinity')
), att as (
  select * from ballast.job_attempts where trace_id = $1 and started_at >= coalesce($2::timestamptz, '-infinity')
)
select received_at as at, 'inbox' as kind, source || ' ' || coalesce(event_type, '?') as name, status,
       jsonb_build_object('event_id', id, 'webhook_id', webhook_id, 'correlation_id', correlation_id,
                          'span_id', span_id, 'reason', status_reason, 'stages_done', stages_done,
                          'processed_at', processed_at) as detail
  from ev
union all
select started_at, 'attempt', task, status,
       jsonb_strip_nulls(jsonb_build_object(
         'job_id', job_id, 'attempt', attempt || '/' || max_attempts, 'span_id', span_id,
         'parent_span_id', parent_span_id, 'worker_id', worker_id, 'version', task_version,
         'ms', round(extract(epoch from (coalesce(finished_at, heartbeat_at) - started_at)) * 1000),
         'heartbeat_at', case when status = 'running' then heartbeat_at end,
         'will_retry', will_retry, 'error', error))
  from att
union all
select coalesce(j.locked_at, j.run_at), 'queued', j.task_identifier,
       case when j.locked_at is not null then 'locked'
            when j.attempts >= j.max_attempts then 'failed permanently'
            when j.attempts > 0 then 'waiting to retry' else 'waiting' end,
       jsonb_strip_nulls(jsonb_build_object('job_id', j.id, 'attempts', j.attempts || '/' || j.max_attempts,
                          'run_at', j.run_at, 'last_error', j.last_error))
  from ballast.queued_jobs j
 where j.trace_id = $1
union all
select produced_at, 'output', 'app.unknown_phone', null,
       jsonb_build_object('id', id, 'phone_number', phone_number, 'produced_by', produced_by,
                          'producer_version', producer_version, 'span_id', span_id)
  from app.unknown_phone where trace_id = $1
union all
select produced_at, 'output', 'app.interactions', null,
       jsonb_build_object('id', id, 'kind', kind, 'agent_id', agent_id, 'produced_by', produced_by,
                          'producer_version', producer_version, 'span_id', span_id)
  from app.interactions where trace_id = $1
union all
select max(produced_at), 'output', 'app.conversation_spans', null,
       jsonb_build_object('interaction_id', interaction_id, 'rows', count(*), 'produced_by', produced_by,
                          'producer_version', producer_version, 'model_version', model_version, 'span_id', span_id)
  from app.conversation_spans where trace_id = $1
 group by interaction_id, produced_by, producer_version, model_version, span_id
union all
select produced_at, 'output', 'app.summaries', null,
       jsonb_build_object('decision_id', (select max(d.id) from replay.decisions d where d.span_id = app.summaries.span_id and d.task = 'summarize_interaction'),
                          'interaction_id', interaction_id, 'summary', left(summary, 120), 'produced_by', produced_by,
                          'producer_version', producer_version, 'model_version', model_version,
                          'prompt_version', prompt_version, 'span_id', span_id)
  from app.summaries where trace_id = $1
union all
select max(produced_at), 'output', 'app.claims', null,
       jsonb_build_object('decision_id', (select max(d.id) from replay.decisions d where d.span_id = app.claims.span_id and d.task = 'extract_claims'),
                          'interaction_id', interaction_id, 'rows', count(*),
                          'kinds', jsonb_agg(distinct kind), 'produced_by', produced_by,
                          'producer_version', producer_version, 'model_version', model_version,
                          'prompt_version', prompt_version, 'span_id', span_id)
  from app.claims where trace_id = $1
 group by interaction_id, produced_by, producer_version, model_version, prompt_version, span_id
union all
select max(produced_at), 'output', 'app.striking_flags', null,
       jsonb_build_object('decision_id', (select max(d.id) from replay.decisions d where d.span_id = app.striking_flags.span_id and d.task = 'detect_striking'),
                          'interaction_id', interaction_id, 'rows', count(*),
                          'flags', jsonb_agg(distinct flag), 'produced_by', produced_by,
                          'producer_version', producer_version, 'model_version', model_version,
                          'prompt_version', prompt_version, 'span_id', span_id)
  from app.striking_flags where trace_id = $1
 group by interaction_id, produced_by, producer_version, model_version, prompt_version, span_id
union all
select l.occurred_at, 'replay', 'inbox replay', null,
       jsonb_build_object('by', l.actor, 'span_id', l.span_id, 'reason', l.reason, 'ledger_id', l.id)
  from audit.ledger l
 where l.trace_id = $1 and l.occurred_at >= coalesce($2::timestamptz, '-infinity')
   and l.entity_type = 'ingest.webhook_events' and l.reason like 'inbox replay:%'
union all
select max(produced_at), 'output', 'app.billing_line_items', null,
       jsonb_build_object('interaction_id', interaction_id, 'units', jsonb_object_agg(unit, quantity), 'amount', sum(amount),
                          'period_start', period_start, 'tier_snapshot_id', min(tier_snapshot_id), 'produced_by', produced_by,
                          'producer_version', producer_version, 'span_id', span_id)
  from app.billing_line_items where trace_id = $1
 group by interaction_id, period_start, produced_by, producer_version, span_id
union all
select c.received_at, 'redelivery', 'body differs', null,
       jsonb_build_object('conflict_id', c.id, 'deliveries', c.deliveries, 'last_seen_at', c.last_seen_at,
                          'body_bytes', c.body_bytes, 'body_sha256', c.body_sha256, 'trace_id', c.trace_id)
  from ingest.redelivery_conflicts c
 where c.event_id in (select id from ev) and c.first_received_at >= coalesce($2::timestamptz, '-infinity')
union all
select v.detected_at, 'violation', v.policy, v.severity,
       jsonb_build_object('job_id', v.job_id, 'task', v.task, 'message', v.message)
  from ballast.policy_violations v
 where v.detected_at >= coalesce($2::timestamptz, '-infinity')
   and (v.attempt_span_id in (select span_id from att)
    or v.correlation_id in (select correlation_id from ev))
order by 1, 2;
