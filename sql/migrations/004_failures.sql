-- Failures are data (seeds 002 Track 1, 000 items 2 and 4): error envelopes,
-- diagnostic logs, dead letters with bounded replay. A replayed job's
-- success resolves its dead letter through ballast.attempt_succeeded()
-- (001_runtime).

-- 1. Error envelopes (seed 002 1.1/1.3, table infra_error_events): append-only.
create table ballast.error_envelopes (
  error_id          text primary key check (error_id ~ '^err_[0-9a-f]{12}$'),
  "timestamp"       timestamptz not null default now(),
  layer             text not null check (layer in ('L2', 'L3', 'L4', 'L5', 'L6')),
  component         text not null,
  error_class       text not null check (error_class ~ '^(infra|domain|system)\.[a-z0-9_.]+$'),
  severity          text not null check (severity in ('debug', 'info', 'warning', 'error', 'critical')),
  message           text not null,
  correlation_id    text,
  decision_id       text,
  run_id            text,
  agent_id          text,
  tenant_id         text,
  trace_id          text,
  span_id           text,
  input_hash        text check (input_hash ~ '^[0-9a-f]{16}$'),
  exception_type    text,
  exception_chain   jsonb not null default '[]',
  context           jsonb not null default '{}',
  envelope_version  int not null default 1,
  created_at        timestamptz not null default now()
);
comment on table ballast.error_envelopes is 'incident memory: one row per caught error; append-only (seed 002 1.3)';
create index error_envelopes_correlation_idx on ballast.error_envelopes (correlation_id);
create index error_envelopes_component_idx on ballast.error_envelopes (component, "timestamp");
create index error_envelopes_class_idx on ballast.error_envelopes (error_class, "timestamp");
create index error_envelopes_created_idx on ballast.error_envelopes (created_at);
create index error_envelopes_run_idx on ballast.error_envelopes (run_id);
create index error_envelopes_trace_idx on ballast.error_envelopes (trace_id);

-- Semantic lockdown (seed 002): which classes each layer may emit.
create function ballast.layer_allows(p_layer text, p_class text) returns boolean
  language sql immutable as $$
  select case
    when p_layer = 'L4' then p_class like 'domain.%' or p_class like 'system.%'
    else p_class like 'infra.%' or p_class like 'system.%'
  end $$;

create function ballast.guard_error_envelope() returns trigger
  language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if not ballast.layer_allows(new.layer, new.error_class) then
      raise exception 'LAYER_VIOLATION: layer % may not emit %', new.layer, new.error_class
        using hint = 'L4 (domain) emits domain.* and system.*; L2/L3/L5/L6 emit infra.* and system.*';
    end if;
    return new;
  elsif tg_op = 'UPDATE' then
    raise exception 'error envelopes are append-only (update of %)', old.error_id;
  elsif tg_op = 'DELETE' then
    -- The door is the retention function, which runs as the table's owner
    -- (security definer); a setting alone opens nothing for anyone else.
    if ballast.setting('retention') is distinct from 'error_envelopes'
       or current_user <> (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = tg_relid) then
      raise exception 'error envelopes are deleted only by ballast.cleanup_old_errors()';
    end if;
    return old;
  end if;
  raise exception 'error envelopes cannot be truncated';
end $$;
create trigger error_envelopes_guard before insert or update or delete on ballast.error_envelopes
  for each row execute function ballast.guard_error_envelope();
create trigger error_envelopes_no_truncate before truncate on ballast.error_envelopes
  for each statement execute function ballast.guard_error_envelope();

-- Retention: the only door for deletes.
create function ballast.cleanup_old_errors(retention_days int default 90) returns int
  language plpgsql security definer set search_path = pg_catalog, ballast, pg_temp as $$
declare n int;
begin
  if retention_days < 1 then raise exception 'retention_days must be at least 1'; end if;
  perform set_config('ballast.retention', 'error_envelopes', true);
  delete from ballast.error_envelopes where created_at < now() - make_interval(days => retention_days);
  get diagnostics n = row_count;
  perform set_config('ballast.retention', '', true);
  return n;
end $$;

-- Query functions (seed 002 1.3).
create function ballast.errors_by_correlation(p_correlation_id text)
  returns setof ballast.error_envelopes language sql stable as $$
  select * from ballast.error_envelopes where correlation_id = p_correlation_id order by "timestamp" $$;
create function ballast.errors_by_component(p_component text, p_since timestamptz default now() - interval '1 day')
  returns setof ballast.error_envelopes language sql stable as $$
  select * from ballast.error_envelopes where component = p_component and "timestamp" >= p_since order by "timestamp" desc $$;
create function ballast.errors_by_class(p_class text, p_since timestamptz default now() - interval '1 day')
  returns setof ballast.error_envelopes language sql stable as $$
  select * from ballast.error_envelopes
   where (error_class = p_class or error_class like p_class || '.%') and "timestamp" >= p_since
   order by "timestamp" desc $$;
create function ballast.error_counts_by_component(p_since timestamptz default now() - interval '1 day')
  returns table (component text, errors bigint, last_seen timestamptz) language sql stable as $$
  select component, count(*), max("timestamp") from ballast.error_envelopes
   where "timestamp" >= p_since group by component order by 2 desc $$;
create function ballast.error_counts_by_class(p_since timestamptz default now() - interval '1 day')
  returns table (error_class text, errors bigint, last_seen timestamptz) language sql stable as $$
  select error_class, count(*), max("timestamp") from ballast.error_envelopes
   where "timestamp" >= p_since group by error_class order by 2 desc $$;
create function ballast.error_timeline(p_since timestamptz default now() - interval '1 day', p_bucket interval default '1 hour')
  returns table (bucket timestamptz, error_class text, errors bigint) language sql stable as $$
  select date_bin(p_bucket, "timestamp", timestamptz '2000-01-01'), error_class, count(*)
    from ballast.error_envelopes where "timestamp" >= p_since group by 1, 2 order by 1, 2 $$;

-- 2. Diagnostic logs (seed 000 item 2): written on failure and retry paths
-- only; repeats of one function and code within a window are counted.
create table ballast.diagnostic_logs (
  id                bigint generated always as identity primary key,
  function_name     text not null,
  function_version  text not null,
  log_level         text not null check (log_level in ('debug', 'info', 'warn', 'error', 'fatal')),
  code              text not null check (code in ('AUTH_FAILED', 'INPUT_INVALID', 'DOWNSTREAM_CALL_FAILED',
                                                  'MODEL_PARSE_ERROR', 'DB_WRITE_FAILED', 'PIPELINE_RETRY',
                                                  'POLICY_VIOLATION', 'UNEXPECTED')),
  message           text not null,
  metadata          jsonb not null default '{}',
  window_start      timestamptz not null,
  occurrences       int not null default 1,
  first_seen_at     timestamptz not null default now(),
  last_seen_at      timestamptz not null default now(),
  unique (function_name, code, window_start)
);
comment on table ballast.diagnostic_logs is 'failure/retry diagnostics; one row per function, code and window, with a count';
create index diagnostic_logs_recent_idx on ballast.diagnostic_logs (last_seen_at desc);

create table ballast.failure_settings (
  singleton                  boolean primary key default true check (singleton),
  diagnostic_window          interval not null default '1 minute',
  replay_max_attempts        int not null default 5 check (replay_max_attempts >= 0),
  replay_base_delay          interval not null default '30 seconds',
  replay_max_delay           interval not null default '6 hours',
  updated_at                 timestamptz not null default now()
);
insert into ballast.failure_settings default values;

-- Security definer, called by ballast.record_failure(): every role that fails
-- (ingest, worker) may record a diagnostic through it, none may edit them.
create function ballast.log_diagnostic(p_function text, p_version text, p_level text, p_code text,
                                        p_message text, p_metadata jsonb default '{}')
  returns void language sql security definer set search_path = pg_catalog, ballast, pg_temp as $$
  insert into ballast.diagnostic_logs as d (function_name, function_version, log_level, code, message, metadata, window_start)
  select p_function, p_version, p_level, p_code, p_message, coalesce(p_metadata, '{}'),
         date_bin(s.diagnostic_window, now(), timestamptz '2000-01-01')
    from ballast.failure_settings s
  on conflict (function_name, code, window_start) do update
     set occurrences = d.occurrences + 1, last_seen_at = now(),
         log_level = case when excluded.log_level = 'error' then 'error' else d.log_level end $$;

-- 3. Dead letters (seed 000 item 4): exactly the seed's columns and indexes.
create table ballast.pipeline_failures (
  id                uuid primary key default gen_random_uuid(),
  interaction_id    text not null,
  span_id           uuid null,
  failing_function  text not null,
  caller_function   text null,
  http_status       int null,
  error_code        text null,
  error_message     text null,
  attempt_count     int not null default 1,
  payload_snapshot  jsonb null,
  context           jsonb null,
  failed_at         timestamptz not null default now(),
  next_retry_at     timestamptz null,
  resolved_at       timestamptz null,
  resolution_note   text null
);
comment on table ballast.pipeline_failures is 'dead letters: permanent failures and exhausted retries; payload_snapshot is redacted';
comment on column ballast.pipeline_failures.context is
  'job_id, task, trace_id, correlation_id, error_id, replayable, replay history';
create index pipeline_failures_interaction_idx on ballast.pipeline_failures (interaction_id, failed_at desc);
create index pipeline_failures_function_idx on ballast.pipeline_failures (failing_function, failed_at desc);
create index pipeline_failures_unresolved_idx on ballast.pipeline_failures (resolved_at) where resolved_at is null;

-- Exponential backoff with jitter for the n-th replay.
create function ballast.replay_delay(n int) returns interval
  language sql volatile as $$
  select least(s.replay_max_delay, s.replay_base_delay * power(2, greatest(n - 1, 0)))
         * (0.75 + random() * 0.5)
    from ballast.failure_settings s $$;

-- One call records a failure: the envelope, the bounded diagnostic and (when
-- given) the dead letter, in one transaction. A dead letter for a replayed job
-- updates its original row instead of adding one.
create function ballast.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb)
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
    on conflict (error_id) do nothing;
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

-- One dead letter's next replay, decided in SQL. The caller holds the row
-- lock (LOCKED_MUTATION). Returns what happened: enqueued, bound_reached,
-- not_replayable or already_resolved. p_force (an operator's `dlq requeue`)
-- ignores the bound and the schedule.
create function ballast.replay_dead_letter(p_id uuid, p_force boolean default false) returns text
  language plpgsql security definer set search_path = pg_catalog, ballast, pg_temp as $$
declare
  f ballast.pipeline_failures;
  s ballast.failure_settings;
  replays int;
  job_id bigint;
begin
  select * into f from ballast.pipeline_failures where id = p_id;
  if not found then raise exception 'no dead letter %', p_id; end if;
  if f.resolved_at is not null then return 'already_resolved'; end if;
  select * into s from ballast.failure_settings;
  replays := coalesce((f.context->>'replays')::int, 0);
  if not coalesce((f.context->>'replayable')::boolean, false) or f.context->>'task' is null then
    update ballast.pipeline_failures
       set next_retry_at = null,
           resolution_note = 'not replayable: the payload snapshot was redacted or the task is unknown; fix and enqueue by hand, then resolve'
     where id = p_id;
    return 'not_replayable';
  end if;
  if replays >= s.replay_max_attempts and not p_force then
    update ballast.pipeline_failures
       set next_retry_at = null,
           resolution_note = format('replay bound reached: %s replays failed (failure_settings.replay_max_attempts = %s); replay or resolve by hand',
                                    replays, s.replay_max_attempts)
     where id = p_id;
    return 'bound_reached';
  end if;
  select (graphile_worker.add_job(
      f.context->>'task',
      (f.payload_snapshot || jsonb_build_object(
         'trace_id', f.context->>'trace_id', 'correlation_id', f.context->>'correlation_id',
         'parent_span_id', f.context->>'span_id', 'replay_of', f.id))::json,
      max_attempts => 1,
      job_key => 'replay:' || f.id)).id into job_id;
  update ballast.pipeline_failures
     set attempt_count = attempt_count + 1,
         next_retry_at = now() + ballast.replay_delay(replays + 1),
         context = coalesce(context, '{}') || jsonb_build_object(
           'replays', replays + 1, 'last_replay_job_id', job_id, 'last_replay_at', now(), 'last_replay_forced', p_force)
   where id = p_id;
  perform ballast.log_diagnostic(f.failing_function, 'replay', 'warn', 'PIPELINE_RETRY',
    format('dead letter %s replayed (replay %s)', f.id, replays + 1),
    jsonb_build_object('dead_letter_id', f.id, 'job_id', job_id, 'forced', p_force));
  return 'enqueued';
end $$;

-- Jobs graphile-worker holds as failed for good, with no dead letter: the
-- crash window between "the job failed" and "the dead letter was written".
-- A job superseded through its job_key while it ran (graphile-worker sets its
-- attempts to max_attempts so it never retries; the newer job does the work) is
-- not a failure: its last ledger row said "will retry" for an earlier attempt.
create view ballast.unrecorded_failed_jobs as
select j.*
  from ballast.queued_jobs j
 where j.attempts >= j.max_attempts
   and j.locked_at is null
   and not exists (select 1 from ballast.pipeline_failures f
                    where f.context->>'job_id' = j.id::text or f.id::text = j.payload->>'replay_of')
   and not exists (select 1 from (select a.attempt, a.will_retry from ballast.job_attempts a
                                   where a.job_id = j.id order by a.attempt desc limit 1) last
                    where last.will_retry and last.attempt < j.attempts - 1);

-- One row per maintenance run (lib/maintenance): which task, in which trace,
-- when, what it counted, and how it ended, failures included. A run's row is
-- evidence: the worker appends, never rewrites (007_roles).
create table ballast.maintenance_runs (
  id           bigint generated always as identity primary key,
  task         text not null,
  started_at   timestamptz not null,
  finished_at  timestamptz not null,
  counts       jsonb not null,
  trace_id     text default nullif(current_setting('ballast.trace_id', true), ''),
  outcome      text not null check (outcome in ('succeeded', 'failed')),
  error        text,
  constraint maintenance_runs_error_check check ((outcome = 'failed') = (error is not null))
);
comment on table ballast.maintenance_runs is 'one row per run of a maintenance task (lib/maintenance), written also when the run fails';
comment on column ballast.maintenance_runs.counts is 'the counts of the run''s batches, summed, and the number of batches';
create index maintenance_runs_task_idx on ballast.maintenance_runs (task, started_at desc);
