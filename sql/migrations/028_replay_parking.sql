-- A replay that fails permanently parks its dead letter again.
--
-- ballast.replay_dead_letter() schedules the next replay (next_retry_at) when
-- it enqueues one, so a replay whose job vanishes is tried again. When that
-- job failed, ballast.record_failure() updated the row's error but left the
-- schedule, whatever the outcome: a permanent failure that an operator
-- requeued (`ballast dlq requeue`) was then replayed by requeue_dead_letters
-- until the bound, against docs/failures.md (permanent failures are parked).
--
-- The failed replay is now judged by the rule a first failure is judged by
-- (the dead letter's `retryable`, which the stage runtime and failed-job
-- recovery set from classify(): transient): transient keeps the next replay
-- replay_dead_letter() scheduled, within the bound; permanent parks the row
-- (next_retry_at null). An operator's requeue is allowed as before.
--
-- ballast.record_failure is restated whole from 013_partitions (a forward
-- migration can only replace a function), with one line added: next_retry_at
-- in the replay_of branch. CREATE OR REPLACE keeps its owner (ballast_owner)
-- and its grants (EXECUTE to ballast_worker, 007_roles and 009_sealing).
create or replace function ballast.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb)
  returns uuid language plpgsql security definer set search_path = pg_catalog, ballast, pg_temp as $$
declare
  dl_id uuid;
begin
  if p_envelope is not null then
    insert into ballast.error_envelopes (error_id, "timestamp", layer, component, error_class, severity, message,
        correlation_id, decision_id, run_id, agent_id, tenant_id, trace_id, span_id, input_hash,
        exception_type, exception_chain, context)
    select e.error_id, coalesce(e."timestamp", now()), e.layer, e.component, e.error_class, e.severity, e.message,
        e.correlation_id, e.decision_id, e.run_id, e.agent_id, e.tenant_id, e.trace_id, e.span_id, e.input_hash,
        e.exception_type, coalesce(e.exception_chain, '[]'), coalesce(e.context, '{}')
      from jsonb_populate_record(null::ballast.error_envelopes, p_envelope) e
     where not exists (select 1 from ballast.error_envelopes x where x.error_id = e.error_id)
    on conflict do nothing;
  end if;
  if p_diagnostic is not null then
    perform ballast.log_diagnostic(p_diagnostic->>'function_name', p_diagnostic->>'function_version',
      p_diagnostic->>'log_level', p_diagnostic->>'code', p_diagnostic->>'message', p_diagnostic->'metadata');
  end if;
  if p_dead_letter is not null then
    if p_dead_letter->>'replay_of' is not null then
      update ballast.pipeline_failures
         set error_code = p_dead_letter->>'error_code',
             error_message = p_dead_letter->>'error_message',
             http_status = (p_dead_letter->>'http_status')::int,
             failed_at = now(),
             -- 028: a permanent outcome parks the row; a transient one keeps the next replay already scheduled
             next_retry_at = case when (p_dead_letter->>'retryable')::boolean then next_retry_at end,
             context = coalesce(context, '{}') || jsonb_build_object('last_error_id', p_envelope->>'error_id',
                                                                     'last_replay_failed_at', now())
       where id = (p_dead_letter->>'replay_of')::uuid
      returning id into dl_id;
    end if;
    if dl_id is null and p_dead_letter->'context'->>'job_id' is not null then
      -- the sweeper and a slow runtime write must not both add one
      select f.id into dl_id from ballast.pipeline_failures f
       where f.context->>'job_id' = p_dead_letter->'context'->>'job_id' and f.resolved_at is null;
    end if;
    if dl_id is null then
      insert into ballast.pipeline_failures (interaction_id, failing_function, caller_function, http_status,
          error_code, error_message, attempt_count, payload_snapshot, context, next_retry_at)
      values (p_dead_letter->>'interaction_id', p_dead_letter->>'failing_function',
          coalesce(p_dead_letter->>'caller_function',
                   (select a.task from ballast.job_attempts a where a.span_id = p_dead_letter->>'parent_span_id')),
          (p_dead_letter->>'http_status')::int, p_dead_letter->>'error_code', p_dead_letter->>'error_message',
          coalesce((p_dead_letter->>'attempt_count')::int, 1), p_dead_letter->'payload_snapshot',
          p_dead_letter->'context',
          case when (p_dead_letter->>'retryable')::boolean then now() + ballast.replay_delay(1) end)
      returning id into dl_id;
    end if;
  end if;
  return dl_id;
end $$;

-- Dead letters written before this migration whose last replay failed
-- permanently still carry the schedule; they are parked as the function above
-- would have left them. "Permanent" is what the failure's envelope recorded
-- (context.outcome, written by the stage runtime); a row with a replay enqueued
-- since its last failure is left to that replay's outcome. A row whose envelope
-- says nothing (failed-job recovery's, or one already archived and deleted) keeps
-- its schedule: its next failed replay parks it, and the bound still holds.
select set_config('ballast.reason', 'migration 028: a dead letter whose last replay failed permanently is parked', true);
update ballast.pipeline_failures f
   set next_retry_at = null
 where f.resolved_at is null and f.next_retry_at is not null
   and (f.context->>'last_replay_failed_at')::timestamptz >= (f.context->>'last_replay_at')::timestamptz
   and exists (select 1 from ballast.error_envelopes e
                where e.error_id = f.context->>'last_error_id' and e.context->>'outcome' = 'permanent');
select set_config('ballast.reason', '', true);
