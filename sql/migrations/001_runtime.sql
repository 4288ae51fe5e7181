-- ballast runtime: transaction settings, the job ledger, the trace-id policy
-- and the stage registry.
--
-- This is the baseline: every object is defined here in its current form.
-- From here on migrations are forward-only, each with an upgrade test
-- (test/helpers/upgrade.ts).

create schema ballast;
comment on schema ballast is 'ballast runtime: job ledger, policies, settings';

-- A transaction-local setting written by lib/db for every transaction
-- (ballast.trace_id, ballast.span_id, ballast.correlation_id, ballast.task, ...),
-- or by an operator in psql: select set_config('ballast.actor', 'alice', true).
-- PL/pgSQL, not SQL: a SQL function would be inlined, and so parsed again,
-- while planning every statement that calls it.
create function ballast.setting(name text) returns text
  language plpgsql stable parallel safe as $$
begin
  return nullif(current_setting('ballast.' || name, true), '');
end $$;

create function ballast.new_trace_id() returns text
  language sql volatile
  as $$ select replace(gen_random_uuid()::text, '-', '') $$;

create function ballast.new_span_id() returns text
  language sql volatile
  as $$ select left(replace(gen_random_uuid()::text, '-', ''), 16) $$;

-- The job ledger's checks are domains: a domain's check is compiled once per
-- session, a table's CHECK constraint for every INSERT statement, and the
-- ledger takes one INSERT per job. Same rules, same SQLSTATE (23514).
create domain ballast.attempt_status as text check (value in ('running', 'succeeded', 'failed'));
create domain ballast.trace_id as text check (value ~ '^[0-9a-f]{32}$');
comment on domain ballast.trace_id is 'W3C trace id: 32 lowercase hex digits';
create domain ballast.span_id as text check (value ~ '^[0-9a-f]{16}$');
comment on domain ballast.span_id is 'W3C span id: 16 lowercase hex digits';

-- One row per job attempt. graphile-worker deletes jobs when they succeed;
-- this is their history.
create table ballast.job_attempts (
  id              bigint generated always as identity,
  job_id          bigint not null,
  task            text not null,
  task_version    text,
  queue           text,
  attempt         int not null,
  max_attempts    int not null,
  trace_id        ballast.trace_id,
  span_id         ballast.span_id not null,
  parent_span_id  text,
  correlation_id  text,
  worker_id       text not null,
  status          ballast.attempt_status not null,
  job_created_at  timestamptz not null,
  started_at      timestamptz not null,
  heartbeat_at    timestamptz not null default now(),
  finished_at     timestamptz,
  error           text,
  will_retry      boolean,
  replay_of       uuid, -- the dead letter (ballast.pipeline_failures) a replayed job answers
  primary key (span_id)
);
comment on table ballast.job_attempts is 'job ledger: one row per attempt (written at the end, or at the first heartbeat for long attempts)';
comment on column ballast.job_attempts.id is 'insertion order; the key is span_id (one span per attempt)';
create index job_attempts_trace_idx on ballast.job_attempts (trace_id);
create index job_attempts_correlation_idx on ballast.job_attempts (correlation_id);
create index job_attempts_job_idx on ballast.job_attempts (job_id, attempt);
create index job_attempts_running_idx on ballast.job_attempts (heartbeat_at) where status = 'running';

-- The ledger is evidence: the worker may add to it, never rewrite it
-- (privileges in 007_roles). It inserts a finished attempt that never
-- heartbeated directly (the per-job fast path); every other ledger write goes
-- through these two functions, which can only insert a new attempt, refresh a
-- running attempt's heartbeat, or finish a running one.

/*
 * Records finished attempts (status succeeded or failed), given as a JSON
 * array of ballast.job_attempts rows: inserts the ones that never
 * heartbeated and finishes the running rows of the ones that did. A row that
 * is still running, or whose attempt is already finished or was started by
 * another worker, is refused: the whole call fails, so nothing is dropped
 * silently (the worker's ledger batcher then retries row by row, so only
 * that attempt fails).
 */
create function ballast.finish_attempts(p_rows json) returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  n bigint;
begin
  insert into ballast.job_attempts as a (job_id, task, task_version, queue, attempt, max_attempts, trace_id, span_id,
      parent_span_id, correlation_id, worker_id, status, job_created_at, started_at, finished_at, error, will_retry,
      replay_of, heartbeat_at)
  select r.job_id, r.task, r.task_version, r.queue, r.attempt, r.max_attempts, r.trace_id, r.span_id,
         r.parent_span_id, r.correlation_id, r.worker_id, r.status, r.job_created_at, r.started_at, r.finished_at, r.error,
         r.will_retry, r.replay_of, coalesce(r.finished_at, now())
    from json_populate_recordset(null::ballast.job_attempts, p_rows) r
   where r.status <> 'running'
  on conflict (span_id) do update set
    status = excluded.status,
    finished_at = excluded.finished_at,
    heartbeat_at = excluded.heartbeat_at,
    error = excluded.error,
    will_retry = excluded.will_retry
   where a.status = 'running' and a.worker_id = excluded.worker_id;
  get diagnostics n = row_count;
  if n <> json_array_length(p_rows) then
    raise exception 'ballast.finish_attempts: % of % attempt(s) not recorded: still running, already finished, or started by another worker',
      json_array_length(p_rows) - n, json_array_length(p_rows)
      using errcode = '42501';
  end if;
end $$;
comment on function ballast.finish_attempts(json) is
  'the worker''s door to finish attempts in the job ledger: insert a finished attempt or finish a running one, never rewrite a finished one';

/*
 * Inserts running attempts (JSON array of ballast.job_attempts rows; their
 * status, finished_at, error and will_retry are ignored) or refreshes the
 * heartbeat of ones still running. A finished attempt is left as it is: a
 * heartbeat may race its attempt's end.
 */
create function ballast.heartbeat_attempts(p_rows json) returns void
  language sql security definer set search_path = pg_catalog, pg_temp as $$
  insert into ballast.job_attempts as a (job_id, task, task_version, queue, attempt, max_attempts, trace_id, span_id,
      parent_span_id, correlation_id, worker_id, status, job_created_at, started_at, replay_of, heartbeat_at)
  select r.job_id, r.task, r.task_version, r.queue, r.attempt, r.max_attempts, r.trace_id, r.span_id,
         r.parent_span_id, r.correlation_id, r.worker_id, 'running', r.job_created_at, r.started_at, r.replay_of, now()
    from json_populate_recordset(null::ballast.job_attempts, p_rows) r
  on conflict (span_id) do update set heartbeat_at = now()
   where a.status = 'running' and a.worker_id = excluded.worker_id $$;
comment on function ballast.heartbeat_attempts(json) is
  'the worker''s door to running attempts in the job ledger: insert one, or refresh its heartbeat while it runs';

-- Trace-id policy: jobs created at or after the cutoff must have a trace_id
-- when they succeed. Switch mode with one statement:
--   update ballast.trace_policy set mode = 'strict';
create table ballast.trace_policy (
  singleton   boolean primary key default true check (singleton),
  mode        text not null default 'log_only' check (mode in ('log_only', 'strict')),
  cutoff      timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  updated_by  text not null default coalesce(ballast.setting('actor'), current_user)
);
insert into ballast.trace_policy (mode) values ('log_only');
comment on column ballast.trace_policy.cutoff is 'jobs created before this are legacy: trace_id optional';

create function ballast.touch_trace_policy() returns trigger
  language plpgsql as $$
begin
  new.updated_at := now();
  new.updated_by := coalesce(ballast.setting('actor'), current_user);
  return new;
end $$;
create trigger trace_policy_touch before update on ballast.trace_policy
  for each row execute function ballast.touch_trace_policy();

create table ballast.policy_violations (
  id              bigint generated always as identity primary key,
  policy          text not null,
  severity        text not null check (severity in ('info', 'warning', 'error', 'critical')),
  job_id          bigint,
  task            text,
  attempt_span_id text,
  correlation_id  text,
  job_created_at  timestamptz,
  message         text not null,
  detail          jsonb not null default '{}',
  detected_at     timestamptz not null default now()
);
create index policy_violations_detected_idx on ballast.policy_violations (detected_at desc);
create index policy_violations_correlation_idx on ballast.policy_violations (correlation_id);

-- What a succeeded attempt sets off: the trace-id policy (log-only mode
-- records a violation, strict mode refuses the success), and, for a replayed
-- job, the resolution of its dead letter (ballast.pipeline_failures, defined
-- in 004_failures) in the same transaction. One trigger whose condition is
-- false for the common case, a traced attempt that is not a replay, so most
-- ledger rows fire nothing. The reference pipeline's decision stages mark
-- their event's progress themselves (app.decision_done()).
create function ballast.attempt_succeeded() returns trigger
  language plpgsql security definer set search_path = pg_catalog, ballast, pg_temp as $$
declare
  p ballast.trace_policy;
  msg text;
begin
  -- Trace-id policy (seed 004): a job created at or after the cutoff must carry a trace.
  if new.trace_id is null then
    select * into p from ballast.trace_policy;
    if new.job_created_at >= p.cutoff then
      msg := format('POLICY_VIOLATION: Job %s succeeded without trace_id (created_at=%s)', new.job_id, new.job_created_at);
      if p.mode = 'strict' then
        raise exception using message = msg, errcode = 'P0001',
          hint = 'the job payload carried no trace_id; enqueue through a traced path (inbox insert, ballast CLI, lib addJob)';
      end if;
      insert into ballast.policy_violations (policy, severity, job_id, task, attempt_span_id, correlation_id, job_created_at, message, detail)
      values ('trace_id_required', 'critical', new.job_id, new.task, new.span_id, new.correlation_id, new.job_created_at, msg,
              jsonb_build_object('mode', p.mode, 'cutoff', p.cutoff, 'worker_id', new.worker_id, 'span_id', new.span_id));
      raise warning '%', msg;
    end if;
  end if;
  -- A replayed job that succeeds resolves its dead letter, in the same transaction.
  if new.replay_of is not null then
    update ballast.pipeline_failures
       set resolved_at = now(),
           next_retry_at = null,
           resolution_note = format('replay succeeded: job %s attempt %s (span %s)', new.job_id, new.attempt, new.span_id)
     where id = new.replay_of and resolved_at is null;
  end if;
  return null;
end $$;
create trigger job_attempts_succeeded
  after insert or update of status on ballast.job_attempts
  for each row when (new.status = 'succeeded' and (new.trace_id is null or new.replay_of is not null))
  execute function ballast.attempt_succeeded();

-- graphile-worker's public jobs view hides the payload; forensics need the
-- trace it carries.
create view ballast.queued_jobs as
select j.id, t.identifier as task_identifier, j.payload, j.run_at, j.attempts, j.max_attempts,
       j.last_error, j.created_at, j.key, j.locked_at, j.locked_by,
       j.payload->>'trace_id' as trace_id, j.payload->>'correlation_id' as correlation_id
  from graphile_worker._private_jobs j
  join graphile_worker._private_tasks t on t.id = j.task_id;
comment on view ballast.queued_jobs is 'jobs still in the queue (waiting, locked, retrying or failed for good), with their trace';

-- The stage registry. Stages declare themselves in tasks/*.ts (defineStage:
-- outputs, engine, decision). `ballast migrate` copies those declarations
-- here (lib/stage/registry.ts), and the SQL that needs the list of decision
-- stages (the fan-out after segmentation, an event's completion; 003_pipeline)
-- reads it from here instead of spelling it out. Adding a stage is one task
-- file plus, when it has new output tables, one migration. Only the owner
-- (`ballast migrate`) writes it, and every change is audited (006_audit,
-- 007_roles): the registry changes what the pipeline does.
create table ballast.stages (
  task            text primary key,
  version         text not null,
  queue           text not null,
  -- A decision stage runs on an interaction's spans (fanned out by
  -- app.enqueue_decisions()), stores a decision snapshot, and counts for the
  -- completion of its event (app.decision_done()).
  decision        boolean not null default false,
  engine          text,
  engine_version  text,
  outputs         text[] not null default '{}',
  registered_at   timestamptz not null default now(),
  check (engine is null or engine_version is not null)
);
comment on table ballast.stages is 'what the stages in tasks/ declare; written by `ballast migrate` (lib/stage/registry.ts)';
comment on column ballast.stages.outputs is 'tables the stage writes stamped rows to (schema.table)';
