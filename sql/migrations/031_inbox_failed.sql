-- The inbox row says where its event stopped: `failed` while a dead letter of
-- its work waits for a replay or an operator.
--
-- An event whose stage gave up (a permanent failure, or a transient one out of
-- attempts) kept the status it had: `received` when the first stage failed,
-- which reads as "waiting to be picked up", `processing` for a later stage,
-- for ever. Now:
--
-- - a dead letter written (or a replay of it failed) for an event's work sets
--   the inbox row to `failed`, status_reason naming the stage, the error code,
--   whether a replay is scheduled or the row is parked, and the dead letter's
--   id: `dead_letter: <task> failed (<code>), parked until an operator acts;
--   dead letter <uuid>`;
-- - a replay of it enqueued (the requeue task, `ballast dlq requeue`) puts the
--   row back in flight: `received` when the first stage is replayed, else
--   `processing`; the stages then move it on as before (normalize_event,
--   app.decision_done());
-- - a dead letter resolved by hand leaves the row `failed`: its work was not
--   done; the dead letter's resolution note says why.
--
-- The link is the correlation id: a dead letter's context.correlation_id is
-- its event's (ingest.webhook_keys). Dead letters of other work (search sync,
-- maintenance tasks) name no inbox event and change nothing; a row already
-- rejected, quarantined or completed is left as it is.
--
-- Also: a failed replay refreshes its dead letter's context.outcome and
-- context.error_class (the last failure's), as it already refreshed
-- error_code and error_message; context.error_id stays the first failure's,
-- context.last_error_id is the last's.

-- 1. The status. ------------------------------------------------------------------

alter table ingest.webhook_events drop constraint webhook_events_status_check,
  add constraint webhook_events_status_check
    check (status in ('received', 'rejected', 'processing', 'completed', 'quarantined', 'failed'));
comment on column ingest.webhook_events.status is
  'received -> processing -> completed | quarantined; failed = a dead letter of its work waits (status_reason names it), back to received/processing when it is replayed; rejected = kept but never started (e.g. malformed JSON)';

-- Events not finished, as ballast.retention_hold() counts them.
drop index ingest.webhook_events_open_idx;
create index webhook_events_open_idx on ingest.webhook_events (received_at) where status in ('received', 'processing', 'failed');

-- An event's open dead letters, found by its correlation id.
create index pipeline_failures_open_correlation_idx on ballast.pipeline_failures ((context->>'correlation_id'))
  where resolved_at is null;

-- 2. The inbox row follows its dead letters. --------------------------------------

-- A replay of the dead letter was enqueued after its last failure: its work is in flight.
create function ballast.dead_letter_replaying(p_context jsonb) returns boolean
  language sql stable set search_path = pg_catalog, pg_temp
  return coalesce((p_context->>'last_replay_at')::timestamptz
                  > coalesce((p_context->>'last_replay_failed_at')::timestamptz, '-infinity'), false);
comment on function ballast.dead_letter_replaying(jsonb) is
  'a dead letter''s context says a replay was enqueued after its last failure';

/*
 * Sets the status of the event with this correlation id from its dead
 * letters: `failed`, naming the latest, while one is open with no replay in
 * flight; otherwise, when `p_replayed_task`'s replay was just enqueued, back in
 * flight (`received` for the first stage, which the inbox's insert enqueues,
 * else `processing`). Only rows in flight or failed change.
 */
create function ingest.follow_dead_letters(p_correlation_id text, p_replayed_task text default null) returns void
  language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
  k record;
  d record;
  reason text;
begin
  select w.event_id, w.received_at into k from ingest.webhook_keys w where w.correlation_id = p_correlation_id;
  if not found then return; end if;
  -- Two transactions changing dead letters of one event (two stages failing,
  -- a replay and a failure) decide one after the other, each seeing the other's rows.
  perform pg_advisory_xact_lock(hashtextextended('ingest.follow_dead_letters:' || p_correlation_id, 0));
  select f.id, f.failing_function, f.error_code, f.next_retry_at into d
    from ballast.pipeline_failures f
   where f.context->>'correlation_id' = p_correlation_id and f.resolved_at is null
     and not ballast.dead_letter_replaying(f.context)
   order by f.failed_at desc, f.id
   limit 1;
  if found then
    reason := format('dead_letter: %s failed (%s), %s; dead letter %s', d.failing_function, coalesce(d.error_code, 'no code'),
                     case when d.next_retry_at is null then 'parked until an operator acts' else 'replay scheduled' end, d.id);
    update ingest.webhook_events e
       set status = 'failed', status_reason = reason
     where e.id = k.event_id and e.received_at = k.received_at
       and e.status in ('received', 'processing', 'failed')
       and (e.status, e.status_reason) is distinct from ('failed', reason);
  elsif p_replayed_task is not null then
    update ingest.webhook_events e
       set status = case when p_replayed_task = 'normalize_event' then 'received' else 'processing' end,
           status_reason = null
     where e.id = k.event_id and e.received_at = k.received_at and e.status = 'failed';
  end if;
end $$;
comment on function ingest.follow_dead_letters(text, text) is
  'sets an inbox event''s status from its open dead letters: failed while one waits, back in flight when the replay of p_replayed_task is enqueued';

create function ingest.event_follows_dead_letter() returns trigger
  language plpgsql set search_path = pg_catalog, pg_temp as $$
begin
  perform ingest.follow_dead_letters(new.context->>'correlation_id',
    case when new.resolved_at is null and ballast.dead_letter_replaying(new.context) then new.failing_function end);
  return null;
end $$;
comment on function ingest.event_follows_dead_letter() is
  'trigger: a dead letter written, replayed, failed again or resolved sets its inbox event''s status (ingest.follow_dead_letters)';
create trigger pipeline_failures_inbox_status after insert or update on ballast.pipeline_failures
  for each row when (new.context ? 'correlation_id')
  execute function ingest.event_follows_dead_letter();

-- Nobody calls these directly. Creating a partition clones the parent's row
-- triggers, which takes EXECUTE on their functions (as in 013 and 022). They
-- run with the rights of whoever writes the dead letter (the worker, or the
-- owner through ballast.record_failure), which may update the inbox.
revoke execute on function ingest.event_follows_dead_letter(), ingest.follow_dead_letters(text, text) from public;
grant execute on function ingest.event_follows_dead_letter() to ballast_partition_keeper;
grant execute on function ingest.follow_dead_letters(text, text) to ballast_owner, ballast_worker;

-- 3. A failed event's other decisions still count. -----------------------------------

-- app.decision_done() as in 024, also for an event that is `failed`: one
-- decision stage's dead letter does not lose the others' progress, and the
-- event completes once every decision stage has succeeded (its replay last).
create or replace function app.decision_done() returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
  v_task text := ballast.setting('task');
  k record;
begin
  if v_task is null or not (v_task = any (finals)) then
    raise exception 'app.decision_done() is for the decision stages (%), not %', array_to_string(finals, ', '), coalesce(v_task, 'no task')
      using errcode = '42501';
  end if;
  select w.event_id, w.received_at into k from ingest.webhook_keys w where w.correlation_id = ballast.setting('correlation_id');
  if not found then
    return;
  end if;
  update ingest.webhook_events e
     set stages_done  = array(select distinct s from unnest(e.stages_done || v_task) s order by s),
         status       = case when (e.stages_done || v_task) @> finals then 'completed' else e.status end,
         processed_at = case when (e.stages_done || v_task) @> finals then now() else e.processed_at end
   where e.id = k.event_id and e.received_at = k.received_at
     and e.status in ('processing', 'completed', 'failed');
end $$;

-- 4. Retention holds a failed event while its dead letter is open. ------------------

-- ballast.retention_hold as in 030, with failed inbox events: a replay of the
-- first stage reads the inbox row, so its partition is kept until the dead
-- letter is resolved.
create or replace function ballast.retention_hold(parent regclass, lower_bound timestamptz, upper_bound timestamptz)
  returns text language plpgsql stable set "TimeZone" = 'UTC' set search_path = pg_catalog, pg_temp as $$
declare
  key text := ballast.partition_key(parent);
  n bigint;
  cond text;
  what text;
begin
  case parent::text
    when 'ingest.webhook_events' then
      cond := $c$status in ('received', 'processing', 'failed')
                 and (status <> 'failed' or exists (select 1 from ballast.pipeline_failures f
                                                     where f.resolved_at is null and f.context->>'correlation_id' = t.correlation_id))$c$;
      what := 'inbox events not finished (in flight, or failed with an open dead letter)';
    when 'search.outbox' then cond := $c$status in ('pending', 'dead')$c$; what := 'outbox rows not synced (pending or dead)';
    when 'ballast.pipeline_failures' then cond := 'resolved_at is null'; what := 'open dead letters';
    when 'audit.ledger' then
      cond := 'not exists (select 1 from audit.chain c where c.ledger_id = t.id)'; what := 'ledger rows not sealed into the chain';
    when 'ingest.redelivery_conflicts' then
      -- Counted in the inbox, not here: a first delivery with no conflict yet may still get one.
      select count(*) into n from ingest.webhook_events e where e.received_at >= lower_bound and e.received_at < upper_bound;
      return case when n > 0 then format('%s first deliveries still in the inbox (a re-delivery may still add a conflict)', n) end;
    else return null;
  end case;
  execute format('select count(*) from %s t where %I >= %L::timestamptz and %I < %L::timestamptz and %s',
                 parent, key, lower_bound, key, upper_bound, cond)
    into n;
  return case when n > 0 then format('%s %s', n, what) end;
end $$;

-- 5. A failed replay's outcome. --------------------------------------------------

-- ballast.record_failure as in 028, with context.outcome and
-- context.error_class refreshed in the replay_of branch. CREATE OR REPLACE
-- keeps its owner (ballast_owner) and its grants.
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
             -- a permanent outcome parks the row; a transient one keeps the next replay already scheduled
             next_retry_at = case when (p_dead_letter->>'retryable')::boolean then next_retry_at end,
             -- the last failure's outcome and class, as its code and message above
             context = coalesce(context, '{}') || jsonb_build_object('last_error_id', p_envelope->>'error_id',
                                                                     'last_replay_failed_at', now())
                       || jsonb_strip_nulls(jsonb_build_object('outcome', p_dead_letter->'context'->'outcome',
                                                               'error_class', p_dead_letter->'context'->'error_class'))
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

-- 6. Rows written before this migration. --------------------------------------------

select set_config('ballast.reason', 'migration 031: a failed replay''s outcome, and the inbox status of events with an open dead letter', true);

-- A dead letter whose last replay failed takes that failure's outcome and
-- class from its envelope (where the envelope still exists and records one).
update ballast.pipeline_failures f
   set context = f.context || jsonb_build_object('outcome', e.context->'outcome', 'error_class', e.error_class)
  from ballast.error_envelopes e
 where e.error_id = f.context->>'last_error_id' and e.context ? 'outcome'
   and (f.context->'outcome', f.context->>'error_class') is distinct from (e.context->'outcome', e.error_class);

-- An event in flight with an open dead letter and no replay of it in flight is failed.
select ingest.follow_dead_letters(c.correlation_id)
  from (select distinct f.context->>'correlation_id' as correlation_id from ballast.pipeline_failures f
         where f.resolved_at is null and f.context ? 'correlation_id') c;

select set_config('ballast.reason', '', true);
