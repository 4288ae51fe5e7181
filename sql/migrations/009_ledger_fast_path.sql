-- Cheaper per-job writes. Every stage insert reads its stamps through column
-- defaults that call ballast.setting(), and every job writes one ledger row;
-- both ran once per job, so their fixed costs were the stage runtime's
-- overhead (test/bench/overhead.ts, npm run bench:overhead).

-- As a SQL function, ballast.setting() was inlined while planning each
-- statement, which parses its body again: about 40 us per call site, four or
-- more per stamped insert. As PL/pgSQL it is a call at run time of a few us.
create or replace function ballast.setting(name text) returns text
  language plpgsql stable parallel safe as $$
begin
  return nullif(current_setting('ballast.' || name, true), '');
end $$;

-- Stamp defaults of the tables migrations created read the setting with
-- built-ins only, which cost nothing to plan or run. (Tables of your own can
-- keep `default ballast.setting('trace_id')`; it is cheap enough now.)
do $$
declare
  c record;
begin
  for c in
    select n.nspname, t.relname, a.attname, substring(pg_get_expr(d.adbin, d.adrelid) from '^ballast\.setting\(''([a-z_]+)''::text\)$') as setting
      from pg_attrdef d
      join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
      join pg_class t on t.oid = d.adrelid
      join pg_namespace n on n.oid = t.relnamespace
     where pg_get_expr(d.adbin, d.adrelid) ~ '^ballast\.setting\(''[a-z_]+''::text\)$'
  loop
    execute format('alter table %I.%I alter column %I set default nullif(current_setting(%L, true), %L)',
                   c.nspname, c.relname, c.attname, 'ballast.' || c.setting, '');
  end loop;
end $$;

-- The job ledger takes one row per job, so everything that runs per inserted
-- row counts. Check constraints and trigger WHEN conditions are rebuilt for
-- every statement; a list of constants (`status in (...)`) is the costly
-- kind, a domain's check is prepared once per session.
create domain ballast.attempt_status as text check (value in ('running', 'succeeded', 'failed'));

-- Three triggers (trace policy, dead-letter resolution, event progress) each
-- tested a WHEN condition on every row. Now one trigger, whose condition is
-- false for a traced attempt that is not a replay, does the first two; the
-- reference pipeline's decision stages mark event progress themselves, in the
-- same transaction as their outputs and their ledger row (app.decision_done()).
drop trigger job_attempts_trace_policy on ballast.job_attempts;
drop trigger job_attempts_resolve_dead_letter on ballast.job_attempts;
drop trigger job_attempts_event_progress on ballast.job_attempts;
alter table ballast.job_attempts
  drop constraint job_attempts_status_check,
  alter column status type ballast.attempt_status;

create function ballast.attempt_succeeded() returns trigger
  language plpgsql security definer set search_path = pg_catalog, ballast as $$
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
alter function ballast.attempt_succeeded() owner to ballast_owner;
create trigger job_attempts_succeeded
  after insert or update of status on ballast.job_attempts
  for each row when (new.status = 'succeeded' and (new.trace_id is null or new.replay_of is not null))
  execute function ballast.attempt_succeeded();
drop function ballast.enforce_trace_policy();
drop function ballast.resolve_replayed_dead_letter();

-- An event is completed when all three decision stages have succeeded for it.
-- Each decision stage calls this last, in its own transaction; the UPDATE's row
-- lock serializes the three commits, so the last one always sees the other two.
create function app.decision_done() returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  finals constant text[] := array['summarize_interaction', 'extract_claims', 'detect_striking'];
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
alter function app.decision_done() owner to ballast_owner;
revoke execute on function app.decision_done() from public;
grant execute on function app.decision_done() to ballast_worker, ballast_owner;
drop function app.track_event_progress();
