-- The reference pipeline: telephony events -> interactions -> conversation
-- spans -> summary, claims, striking flags.
--
-- Every stage output carries its producer stamps (seed 000, item 3). The
-- defaults read the transaction-local settings the stage runtime sets, so a
-- stage writes only business columns; a row written outside a stage without
-- explicit stamps is refused by NOT NULL. The defaults spell out
-- nullif(current_setting('ballast.<name>', true), '') rather than call
-- ballast.setting(): built-ins cost nothing to plan or run, and a default is
-- evaluated for every inserted row. (Tables of your own may use
-- `default ballast.setting('trace_id')`; it is cheap enough.)

create schema app;
comment on schema app is 'reference pipeline data (telephony)';

-- Agents (seed 001, "Core Entities and Canonical Fields").
create table app.agents (
  agent_id            text primary key,
  org_id              text not null default 'default',
  user_id             text not null,
  phone_number        text not null check (phone_number ~ '^\+[1-9][0-9]{6,14}$'),
  provider_number_id  text,
  deploy_request_id   text,
  nickname            text,
  status              text not null default 'active' check (status in ('pending', 'active', 'suspended', 'retired')),
  is_active           boolean not null default true,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now(),
  provisioned_by      text,
  provider            text
);
comment on column app.agents.phone_number is 'E.164';
create unique index agents_active_number_key on app.agents (phone_number) where is_active;

create table app.unknown_phone (
  id                bigint generated always as identity primary key,
  event_id          bigint not null unique references ingest.webhook_events (id),
  source            text not null,
  phone_number      text not null,
  event_type        text,
  seen_at           timestamptz not null default now(),
  trace_id          text not null default nullif(current_setting('ballast.trace_id', true), '') check (trace_id ~ '^[0-9a-f]{32}$'),
  correlation_id    text not null default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id           text not null default nullif(current_setting('ballast.span_id', true), ''),
  produced_by       text not null default nullif(current_setting('ballast.task', true), ''),
  producer_version  text not null default nullif(current_setting('ballast.task_version', true), ''),
  produced_at       timestamptz not null default now()
);
create index unknown_phone_number_idx on app.unknown_phone (phone_number, seen_at desc);

create table app.interactions (
  id                 bigint generated always as identity primary key,
  event_id           bigint not null unique references ingest.webhook_events (id),
  org_id             text not null,
  agent_id           text not null references app.agents (agent_id),
  kind               text not null check (kind in ('call', 'sms')),
  direction          text not null check (direction in ('inbound', 'outbound')),
  provider_ref       text not null,
  from_number        text not null,
  to_number          text not null,
  occurred_at        timestamptz not null,
  duration_seconds   int,
  body               text,
  transcript         jsonb,
  trace_id           text not null default nullif(current_setting('ballast.trace_id', true), '') check (trace_id ~ '^[0-9a-f]{32}$'),
  correlation_id     text not null default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id            text not null default nullif(current_setting('ballast.span_id', true), ''),
  produced_by        text not null default nullif(current_setting('ballast.task', true), ''),
  producer_version   text not null default nullif(current_setting('ballast.task_version', true), ''),
  produced_at        timestamptz not null default now()
);
create index interactions_agent_idx on app.interactions (agent_id, occurred_at desc);
create index interactions_trace_idx on app.interactions (trace_id);

create table app.conversation_spans (
  id                 bigint generated always as identity primary key,
  interaction_id     bigint not null references app.interactions (id) on delete cascade,
  seq                int not null,
  speaker            text not null,
  start_ms           int,
  end_ms             int,
  turn_count         int not null,
  text               text not null,
  trace_id           text not null default nullif(current_setting('ballast.trace_id', true), '') check (trace_id ~ '^[0-9a-f]{32}$'),
  correlation_id     text not null default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id            text not null default nullif(current_setting('ballast.span_id', true), ''),
  produced_by        text not null default nullif(current_setting('ballast.task', true), ''),
  producer_version   text not null default nullif(current_setting('ballast.task_version', true), ''),
  model_version      text not null default nullif(current_setting('ballast.model_version', true), ''),
  produced_at        timestamptz not null default now(),
  unique (interaction_id, seq)
);
create index conversation_spans_trace_idx on app.conversation_spans (trace_id);

create table app.summaries (
  interaction_id     bigint primary key references app.interactions (id) on delete cascade,
  summary            text not null,
  key_points         jsonb not null default '[]',
  trace_id           text not null default nullif(current_setting('ballast.trace_id', true), '') check (trace_id ~ '^[0-9a-f]{32}$'),
  correlation_id     text not null default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id            text not null default nullif(current_setting('ballast.span_id', true), ''),
  produced_by        text not null default nullif(current_setting('ballast.task', true), ''),
  producer_version   text not null default nullif(current_setting('ballast.task_version', true), ''),
  model_version      text not null default nullif(current_setting('ballast.model_version', true), ''),
  prompt_version     text default nullif(current_setting('ballast.prompt_version', true), ''),
  produced_at        timestamptz not null default now()
);
create index summaries_trace_idx on app.summaries (trace_id);

create table app.claims (
  id                 bigint generated always as identity primary key,
  interaction_id     bigint not null references app.interactions (id) on delete cascade,
  seq                int not null,
  kind               text not null,
  text               text not null,
  span_seq           int not null,
  trace_id           text not null default nullif(current_setting('ballast.trace_id', true), '') check (trace_id ~ '^[0-9a-f]{32}$'),
  correlation_id     text not null default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id            text not null default nullif(current_setting('ballast.span_id', true), ''),
  produced_by        text not null default nullif(current_setting('ballast.task', true), ''),
  producer_version   text not null default nullif(current_setting('ballast.task_version', true), ''),
  model_version      text not null default nullif(current_setting('ballast.model_version', true), ''),
  prompt_version     text default nullif(current_setting('ballast.prompt_version', true), ''),
  produced_at        timestamptz not null default now(),
  unique (interaction_id, seq)
);
create index claims_trace_idx on app.claims (trace_id);

create table app.striking_flags (
  id                 bigint generated always as identity primary key,
  interaction_id     bigint not null references app.interactions (id) on delete cascade,
  seq                int not null,
  flag               text not null,
  severity           text not null check (severity in ('low', 'medium', 'high')),
  evidence           text not null,
  span_seq           int not null,
  trace_id           text not null default nullif(current_setting('ballast.trace_id', true), '') check (trace_id ~ '^[0-9a-f]{32}$'),
  correlation_id     text not null default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id            text not null default nullif(current_setting('ballast.span_id', true), ''),
  produced_by        text not null default nullif(current_setting('ballast.task', true), ''),
  producer_version   text not null default nullif(current_setting('ballast.task_version', true), ''),
  model_version      text not null default nullif(current_setting('ballast.model_version', true), ''),
  prompt_version     text default nullif(current_setting('ballast.prompt_version', true), ''),
  produced_at        timestamptz not null default now(),
  unique (interaction_id, seq)
);
create index striking_flags_trace_idx on app.striking_flags (trace_id);

-- Wiring. Each trigger copies the trace from the row it fires on; the new
-- job's parent span is the span of the attempt that wrote the row. The
-- functions run as their owner (ballast_owner, 007_roles), with a fixed
-- search_path, so a role that may write the row needs no rights on the queue.

create function app.enqueue_segmentation() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  perform graphile_worker.add_job(
    'segment_interaction',
    json_build_object('interaction_id', new.id, 'trace_id', new.trace_id,
                      'parent_span_id', new.span_id, 'correlation_id', new.correlation_id),
    job_key => 'segment_interaction:' || new.id);
  return null;
end $$;
create trigger interactions_segment
  after insert or update of transcript, body on app.interactions
  for each row execute function app.enqueue_segmentation();

-- Fan-out once per segmentation (a statement), not once per span: one job per
-- registered decision stage. With no decision stage registered the fan-out
-- would drop the interaction silently, so it refuses instead.
create function app.enqueue_decisions() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  r record;
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
  t text;
begin
  if cardinality(finals) = 0 then
    raise exception 'no decision stage is registered in ballast.stages'
      using errcode = '55000', hint = 'run `ballast migrate`: it registers the stages declared in tasks/';
  end if;
  for r in select distinct on (interaction_id) interaction_id, trace_id, span_id, correlation_id
             from new_spans order by interaction_id loop
    foreach t in array finals loop
      perform graphile_worker.add_job(
        t,
        json_build_object('interaction_id', r.interaction_id, 'trace_id', r.trace_id,
                          'parent_span_id', r.span_id, 'correlation_id', r.correlation_id),
        job_key => t || ':' || r.interaction_id);
    end loop;
  end loop;
  return null;
end $$;
create trigger conversation_spans_fan_out
  after insert on app.conversation_spans
  referencing new table as new_spans
  for each statement execute function app.enqueue_decisions();

-- An event is completed when every registered decision stage has succeeded
-- for it. Each decision stage calls this last, in its own transaction; the
-- UPDATE's row lock serializes their commits, so the last one always sees the
-- others.
create function app.decision_done() returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
  v_task text := ballast.setting('task');
begin
  if v_task is null or not (v_task = any (finals)) then
    raise exception 'app.decision_done() is for the decision stages (%), not %', array_to_string(finals, ', '), coalesce(v_task, 'no task')
      using errcode = '42501';
  end if;
  update ingest.webhook_events e
     set stages_done  = array(select distinct s from unnest(e.stages_done || v_task) s order by s),
         status       = case when (e.stages_done || v_task) @> finals then 'completed' else e.status end,
         processed_at = case when (e.stages_done || v_task) @> finals then now() else e.processed_at end
   where e.correlation_id = ballast.setting('correlation_id')
     and e.status in ('processing', 'completed');
end $$;

-- Decision snapshots (seed 002, Track 2.1): what a decision stage saw and
-- decided, with the engine's version and code hash, for offline replay. Deletes
-- need a reason (the gate is attached in 006_audit).
create schema replay;
comment on schema replay is 'decision snapshots for offline replay';

create table replay.decisions (
  id                bigint generated always as identity primary key,
  task              text not null,
  task_version      text not null,
  engine            text not null,
  engine_version    text not null,
  engine_code_hash  text not null check (engine_code_hash ~ '^[0-9a-f]{64}$'),
  ruleset           text,
  interaction_id    bigint not null,
  input             jsonb not null,
  input_hash        text not null,
  input_redacted    boolean not null,
  output            jsonb not null,
  output_hash       text not null,
  live_output_hash  text not null,
  trace_id          text default nullif(current_setting('ballast.trace_id', true), ''),
  correlation_id    text default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id           text default nullif(current_setting('ballast.span_id', true), ''),
  decided_at        timestamptz not null default now()
);
comment on column replay.decisions.input is 'engine input with personal data and secrets replaced by placeholders';
comment on column replay.decisions.input_hash is 'sha256 of the original, unredacted input';
comment on column replay.decisions.output is 'what the engine decided on the stored input (the replay baseline)';
comment on column replay.decisions.live_output_hash is 'sha256 of what the stage wrote; equals output_hash unless the input was redacted';
create index decisions_task_idx on replay.decisions (task, decided_at);
create index decisions_interaction_idx on replay.decisions (interaction_id, id);
create index decisions_trace_idx on replay.decisions (trace_id);
create index decisions_span_idx on replay.decisions (span_id);
