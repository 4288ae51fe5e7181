-- Agents with a lifecycle, the unknown-number queue with a resolution, and
-- the quarantine reason codes the inbox replay filters on.
--
-- Agent lifecycle (docs/agents.md):
--
--   pending --activate--> active <--activate-- suspended
--                           |  \--suspend-->      |
--                           +------retire---------+--> retired (final)
--
-- A pending agent's id is `pending-{user_id}` (one provisioning per user at a
-- time); activation gives it its real id. Its id is fixed from then on, so
-- the references to an agent (app.interactions.agent_id) never have to
-- follow a rename: a pending agent owns no interaction, because events for a
-- number that is only pending are kept as unknown_phone and replayed when
-- the agent is activated. The foreign key stays NO ACTION: a rename of a
-- referenced id is refused, never cascaded into the interactions.
-- A pending agent that is never activated is deleted, with a reason.

-- Old rows first: where status and is_active disagree, is_active is what the
-- pipeline obeyed, so it wins.
select set_config('ballast.reason', 'migration 017: agent status follows is_active where the two disagreed', true);
update app.agents set status = case when is_active then 'active' else 'suspended' end
 where is_active <> (status = 'active');
-- A number belongs to at most one agent that is not retired (below); of
-- older duplicates the active one, else the latest, keeps it.
select set_config('ballast.reason', 'migration 017: a number belongs to one agent that is not retired', true);
update app.agents a set status = 'retired'
  from (select agent_id, row_number() over (partition by phone_number
                                            order by (status = 'active') desc, updated_at desc, agent_id) as n
          from app.agents where status <> 'retired') d
 where a.agent_id = d.agent_id and d.n > 1;
select set_config('ballast.reason', '', true);
do $$
declare
  bad text;
begin
  select string_agg(agent_id || ' (' || status || ')', ', ') into bad
    from app.agents where (status = 'pending') <> (agent_id = 'pending-' || user_id);
  if bad is not null then
    raise exception 'app.agents: pending agents must be named pending-<user_id>, and only they: %', bad
      using hint = 'rename or delete these rows (with a reason), then run `ballast migrate` again';
  end if;
end $$;

-- is_active is derived from status, so the two can no longer disagree.
drop index app.agents_active_number_key;
alter table app.agents drop column is_active;
alter table app.agents
  add column is_active boolean generated always as (status = 'active') stored,
  add constraint agents_pending_id check ((status = 'pending') = (agent_id = 'pending-' || user_id));
comment on column app.agents.is_active is 'derived: true exactly when status = ''active''';
comment on column app.agents.status is
  'pending (provisioning; id pending-<user_id>) -> active <-> suspended -> retired (final); see app.agents_guard()';
comment on column app.agents.agent_id is 'pending-<user_id> while pending; the real id from activation on, fixed';
-- A pending or suspended agent keeps its number; only retiring releases it.
create unique index agents_number_key on app.agents (phone_number) where status <> 'retired';
comment on index app.agents_number_key is 'a number belongs to at most one agent that is not retired';

-- Transitions, the fixed id, and updated_at, for every writer (the CLI or psql).
create function app.agents_guard() returns trigger
  language plpgsql as $$
begin
  if new.agent_id <> old.agent_id and old.status <> 'pending' then
    raise exception 'agent %: the id of a % agent is fixed (only a pending agent gets its real id, on activation)', old.agent_id, old.status
      using errcode = '23514';
  end if;
  if new.status <> old.status and (old.status, new.status) not in
     (('pending', 'active'), ('active', 'suspended'), ('suspended', 'active'), ('active', 'retired'), ('suspended', 'retired')) then
    raise exception 'agent %: % -> % is not a transition an agent makes', old.agent_id, old.status, new.status
      using errcode = '23514',
            hint = case when old.status = 'pending' then 'a pending agent is activated, or deleted with a reason'
                        when old.status = 'retired' then 'a retired agent stays retired; add a new agent for its number'
                        else 'pending -> active <-> suspended -> retired' end;
  end if;
  new.updated_at := now();
  return new;
end $$;
create trigger agents_guard before update on app.agents
  for each row execute function app.agents_guard();

-- Agents are provisioned by operators (`ballast agents ...`, as the owner);
-- the worker only reads them.
revoke insert, update, delete, truncate on app.agents from ballast_worker;

-- The unknown-number queue gets a resolution: open until the event is
-- replayed into an interaction (normalize_event marks it), or an operator
-- dismisses it.
alter table app.unknown_phone
  add column resolution         text not null default 'open' check (resolution in ('open', 'replayed', 'dismissed')),
  add column resolved_at        timestamptz,
  add column resolved_by        text,
  add column resolved_agent_id  text,
  add column resolution_note    text,
  add constraint unknown_phone_resolved check ((resolution = 'open') = (resolved_at is null));
comment on column app.unknown_phone.resolution is
  'open; replayed (the event became an interaction of resolved_agent_id); dismissed (by an operator, with a note)';
create index unknown_phone_open_idx on app.unknown_phone (phone_number) where resolution = 'open';
update app.unknown_phone u
   set resolution = 'replayed', resolved_at = now(), resolved_by = 'migration 017',
       resolution_note = 'the event had left quarantine before resolutions were recorded'
  from ingest.webhook_events e
 where e.id = u.event_id and e.status <> 'quarantined';

-- Quarantine reasons start with a code: `<code>: <detail>` (unknown_phone,
-- agent_suspended, unsupported_event_type, ...), so an operator can replay
-- by reason. Older reasons get theirs.
select set_config('ballast.reason', 'migration 017: quarantine reasons start with a code', true);
update ingest.webhook_events set status_reason = 'unknown_phone: ' || status_reason
 where status = 'quarantined' and status_reason like 'no active agent owns %';
update ingest.webhook_events set status_reason = 'unsupported_event_type: ' || status_reason
 where status = 'quarantined' and status_reason like 'unsupported event type %';
select set_config('ballast.reason', '', true);

create function ingest.reason_code(status_reason text) returns text
  language sql immutable parallel safe as $$
  select substring(status_reason from '^([a-z][a-z0-9_]*)(?::|$)') $$;
comment on function ingest.reason_code(text) is 'the code of a quarantine reason `<code>: <detail>` (unknown_phone, agent_suspended, ...)';

-- Our side of a telephony event: the number called or texted (inbound), or
-- the one calling (outbound), as normalize_event reads it.
create function ingest.event_number(payload jsonb) returns text
  language sql immutable parallel safe as $$
  select case when payload -> 'data' ->> 'direction' = 'outbound' then payload -> 'data' ->> 'from'
              else payload -> 'data' ->> 'to' end $$;

create index webhook_events_quarantined_idx on ingest.webhook_events (received_at) where status = 'quarantined';

-- Inbox replay (lib/ingest/replay.ts): each event back to `received` and
-- normalize_event enqueued on its original trace, under a new span made here
-- (the job's parent; the attempt gets its own). The event's audit row records
-- that span, the operator (ballast.actor) and the reason (ballast.reason).
-- Completed and quarantined events can be replayed; one still in the
-- pipeline or rejected cannot. The stages replace their outputs, so a replay
-- duplicates nothing. Returns one row per event found.
create function ingest.replay_events(p_ids bigint[], p_replayed_by text)
  returns table (event_id bigint, outcome text, span_id text)
  language plpgsql as $$
declare
  e record;
  saved text[] := array[current_setting('ballast.trace_id', true), current_setting('ballast.span_id', true),
                        current_setting('ballast.correlation_id', true)];
begin
  for e in select w.id, w.status, w.trace_id, w.correlation_id from ingest.webhook_events w
            where w.id = any (p_ids) order by w.id loop
    event_id := e.id;
    span_id := null;
    if e.status not in ('quarantined', 'completed') then
      outcome := e.status;
      return next;
      continue;
    end if;
    span_id := ballast.new_span_id();
    perform set_config('ballast.trace_id', e.trace_id, true), set_config('ballast.span_id', span_id, true),
            set_config('ballast.correlation_id', e.correlation_id, true);
    update ingest.webhook_events w
       set status = 'received', status_reason = null, processed_at = null, stages_done = '{}'
     where w.id = e.id and w.status in ('quarantined', 'completed');
    if not found then
      -- Another replay (or a stage) moved it meanwhile: report where it is now.
      select w.status into outcome from ingest.webhook_events w where w.id = e.id;
      span_id := null;
    else
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
comment on function ingest.replay_events(bigint[], text) is
  'inbox replay: back to received, normalize_event enqueued on the original trace under a new span; outcome replayed, or the status that prevented it';
revoke execute on function ingest.replay_events(bigint[], text) from public;
grant execute on function ingest.replay_events(bigint[], text) to ballast_owner, ballast_worker;
