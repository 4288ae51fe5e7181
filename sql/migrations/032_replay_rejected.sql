-- `ballast inbox replay` takes rejected events whose stored body is acceptable.
--
-- The receiver keeps every body it refuses on a `rejected` row so that nothing
-- is lost, but nothing could bring one back: replay took quarantined and
-- completed events only, and a re-delivery of the id is answered 400
-- `rejected` for ever (the first delivery stands). Now ingest.replay_events
-- also replays a rejected event:
--
-- - only one whose body is kept as text (a body kept as raw_bytes stays
--   rejected: webhook_events_bytes_rejected) and parses as jsonb. The caller
--   (lib/ingest/replay.ts) first applies the receiver's own body checks
--   (lib/ingest/body.ts, without a Content-Type) and passes only the events
--   whose body passes them;
-- - payload becomes PostgreSQL's parse of raw_body, as the receiver's insert
--   makes it, and event_type its "type", as ingest.fill_event_defaults fills it;
--   then it is replayed as any other event: `received`, normalize_event enqueued
--   on its own trace under a new span, one audit row with the operator's note;
-- - the receiver's dead letter of the refusal (failing_function ingest.receiver,
--   found by the event's correlation id) is resolved with the operator's note:
--   the body it kept is being processed, and an open dead letter would otherwise
--   set the event back to `failed` (ingest.follow_dead_letters);
-- - a row whose body still fails is left as it was: outcome `rejected`, with
--   the reason.
--
-- The delivery's key follows its row: once the row leaves `rejected`,
-- ingest.webhook_keys.rejected is cleared, so a re-delivery of the id is
-- answered as a duplicate, also after the row's partition is purged.
--
-- replay_events now takes the operator's note (for the dead letter) and returns
-- a reason; its signature changes, so it is dropped and created again.

-- 1. Replay. -----------------------------------------------------------------------

drop function ingest.replay_events(bigint[], text);

-- Inbox replay (lib/ingest/replay.ts): each event back to `received` and
-- normalize_event enqueued on its original trace, under a new span made here
-- (the job's parent; the attempt gets its own). The event's audit row records
-- that span, the operator (ballast.actor) and the reason (ballast.reason).
-- Completed, quarantined and rejected events (above) can be replayed; one
-- still in the pipeline or failed cannot. The stages replace their outputs, so
-- a replay duplicates nothing. Returns one row per event found: outcome
-- `replayed`, or the status that prevented it (with a reason for a rejected one).
create function ingest.replay_events(p_ids bigint[], p_replayed_by text, p_note text)
  returns table (event_id bigint, outcome text, span_id text, reason text)
  language plpgsql as $$
declare
  e record;
  v_payload jsonb;
  saved text[] := array[current_setting('ballast.trace_id', true), current_setting('ballast.span_id', true),
                        current_setting('ballast.correlation_id', true)];
begin
  if coalesce(btrim(p_note), '') = '' then
    raise exception 'ingest.replay_events: a replay needs a note saying why' using errcode = '22023';
  end if;
  for e in select w.id, w.status, w.trace_id, w.correlation_id, w.raw_bytes is not null as as_bytes
             from ingest.webhook_events w
            where w.id = any (p_ids) order by w.id loop
    event_id := e.id;
    span_id := null;
    reason := null;
    v_payload := null;
    if e.status not in ('quarantined', 'completed', 'rejected') then
      outcome := e.status;
      return next;
      continue;
    end if;
    if e.status = 'rejected' then
      outcome := 'rejected';
      if e.as_bytes then
        reason := 'its body is kept as bytes, not as UTF-8 text; only a text body can be replayed';
        return next;
        continue;
      end if;
      begin
        select w.raw_body::jsonb into v_payload from ingest.webhook_events w where w.id = e.id;
      exception when data_exception or program_limit_exceeded then
        -- The error's message may quote the body: keep only its SQLSTATE.
        reason := format('PostgreSQL refused its body as jsonb (SQLSTATE %s)', sqlstate);
        return next;
        continue;
      end;
    end if;
    span_id := ballast.new_span_id();
    perform set_config('ballast.trace_id', e.trace_id, true), set_config('ballast.span_id', span_id, true),
            set_config('ballast.correlation_id', e.correlation_id, true);
    update ingest.webhook_events w
       set status = 'received', status_reason = null, processed_at = null, stages_done = '{}',
           payload = case when e.status = 'rejected' then v_payload else w.payload end,
           event_type = case when e.status = 'rejected' then v_payload->>'type' else w.event_type end
     where w.id = e.id
       and case when e.status = 'rejected' then w.status = 'rejected' else w.status in ('quarantined', 'completed') end;
    if not found then
      -- Another replay (or a stage) moved it meanwhile: report where it is now.
      select w.status into outcome from ingest.webhook_events w where w.id = e.id;
      span_id := null;
    else
      if e.status = 'rejected' then
        update ballast.pipeline_failures f
           set resolved_at = now(), next_retry_at = null,
               resolution_note = format('inbox replay: %s (by %s)', p_note, p_replayed_by)
         where f.context->>'correlation_id' = e.correlation_id and f.resolved_at is null
           and f.failing_function = 'ingest.receiver';
      end if;
      perform graphile_worker.add_job(
        'normalize_event',
        json_build_object('event_id', e.id, 'trace_id', e.trace_id, 'parent_span_id', span_id,
                          'correlation_id', e.correlation_id, 'replayed_by', p_replayed_by),
        job_key => 'normalize_event:' || e.id,
        max_attempts => 10);
      outcome := 'replayed';
    end if;
    return next;
  end loop;
  perform set_config('ballast.trace_id', coalesce(saved[1], ''), true), set_config('ballast.span_id', coalesce(saved[2], ''), true),
          set_config('ballast.correlation_id', coalesce(saved[3], ''), true);
end $$;
comment on function ingest.replay_events(bigint[], text, text) is
  'inbox replay: back to received (a rejected event only when its text body parses; its payload parsed, the receiver''s dead letter resolved with the note), normalize_event enqueued on the original trace under a new span; outcome replayed, or the status that prevented it and a reason';
revoke execute on function ingest.replay_events(bigint[], text, text) from public;
grant execute on function ingest.replay_events(bigint[], text, text) to ballast_owner, ballast_worker;

-- 2. The delivery's key follows its row. -------------------------------------------

-- Keys are written by the inbox's insert trigger and otherwise never change, but
-- for `rejected`: the flag ingest.delivery_status() answers with once the row is
-- purged. Only this trigger writes it, as the keeper (a nologin role nothing acts
-- as), so no role a process acts as may change a key.
grant select (event_id, rejected), update (rejected) on ingest.webhook_keys to ballast_partition_keeper;

create function ingest.key_follows_status() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  update ingest.webhook_keys k
     set rejected = (new.status = 'rejected')
   where k.event_id = new.id and k.rejected is distinct from (new.status = 'rejected');
  return null;
end $$;
comment on function ingest.key_follows_status() is
  'inbox update trigger: a row that leaves (or enters) `rejected` sets its key''s rejected flag, which ingest.delivery_status() answers with after the row is purged';
alter function ingest.key_follows_status() owner to ballast_partition_keeper;
revoke execute on function ingest.key_follows_status() from public;

create trigger webhook_events_key_status after update of status on ingest.webhook_events
  for each row when ((old.status = 'rejected') is distinct from (new.status = 'rejected'))
  execute function ingest.key_follows_status();

comment on table ingest.webhook_keys is
  'one row per delivery ever stored in the inbox: the keys that must stay unique across partitions, written by the inbox''s insert trigger, never purged; rejected follows the row''s status (ingest.key_follows_status)';
