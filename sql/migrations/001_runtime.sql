-- ballast runtime: helpers, the job ledger and the trace-id policy (seed 004).

create schema ballast;
comment on schema ballast is 'ballast runtime: job ledger, policies, settings';

-- A transaction-local setting written by lib/db for every transaction
-- (ballast.trace_id, ballast.span_id, ballast.correlation_id, ballast.task, ...),
-- or by an operator in psql: select set_config('ballast.actor', 'alice', true).
create function ballast.setting(name text) returns text
  language sql stable parallel safe
  as $$ select nullif(current_setting('ballast.' || name, true), '') $$;

create function ballast.new_trace_id() returns text
  language sql volatile
  as $$ select replace(gen_random_uuid()::text, '-', '') $$;

create function ballast.new_span_id() returns text
  language sql volatile
  as $$ select left(replace(gen_random_uuid()::text, '-', ''), 16) $$;

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
  trace_id        text check (trace_id ~ '^[0-9a-f]{32}$'),
  span_id         text not null check (span_id ~ '^[0-9a-f]{16}$'),
  parent_span_id  text,
  correlation_id  text,
  worker_id       text not null,
  status          text not null check (status in ('running', 'succeeded', 'failed')),
  job_created_at  timestamptz not null,
  started_at      timestamptz not null,
  heartbeat_at    timestamptz not null default now(),
  finished_at     timestamptz,
  error           text,
  will_retry      boolean,
  primary key (span_id)
);
comment on table ballast.job_attempts is 'job ledger: one row per attempt (written at the end, or at the first heartbeat for long attempts)';
comment on column ballast.job_attempts.id is 'insertion order; the key is span_id (one span per attempt)';
create index job_attempts_trace_idx on ballast.job_attempts (trace_id);
create index job_attempts_correlation_idx on ballast.job_attempts (correlation_id);
create index job_attempts_job_idx on ballast.job_attempts (job_id, attempt);
create index job_attempts_running_idx on ballast.job_attempts (heartbeat_at) where status = 'running';

-- Trace-id policy (seed 004): jobs created at or after the cutoff must have a
-- trace_id when they succeed. Switch mode with one statement:
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

create function ballast.enforce_trace_policy() returns trigger
  language plpgsql as $$
declare
  p ballast.trace_policy;
  msg text;
begin
  select * into p from ballast.trace_policy;
  if new.job_created_at < p.cutoff then
    return new; -- legacy job: trace optional
  end if;
  msg := format('POLICY_VIOLATION: Job %s succeeded without trace_id (created_at=%s)', new.job_id, new.job_created_at);
  if p.mode = 'strict' then
    raise exception using message = msg, errcode = 'P0001',
      hint = 'the job payload carried no trace_id; enqueue through a traced path (inbox insert, ballast CLI, lib addJob)';
  end if;
  insert into ballast.policy_violations (policy, severity, job_id, task, attempt_span_id, correlation_id, job_created_at, message, detail)
  values ('trace_id_required', 'critical', new.job_id, new.task, new.span_id, new.correlation_id, new.job_created_at, msg,
          jsonb_build_object('mode', p.mode, 'cutoff', p.cutoff, 'worker_id', new.worker_id, 'span_id', new.span_id));
  raise warning '%', msg;
  return new;
end $$;

create trigger job_attempts_trace_policy
  after insert or update of status on ballast.job_attempts
  for each row when (new.status = 'succeeded' and new.trace_id is null)
  execute function ballast.enforce_trace_policy();

-- graphile-worker's public jobs view hides the payload; forensics need the
-- trace it carries.
create view ballast.queued_jobs as
select j.id, t.identifier as task_identifier, j.payload, j.run_at, j.attempts, j.max_attempts,
       j.last_error, j.created_at, j.key, j.locked_at, j.locked_by,
       j.payload->>'trace_id' as trace_id, j.payload->>'correlation_id' as correlation_id
  from graphile_worker._private_jobs j
  join graphile_worker._private_tasks t on t.id = j.task_id;
comment on view ballast.queued_jobs is 'jobs still in the queue (waiting, locked, retrying or failed for good), with their trace';
