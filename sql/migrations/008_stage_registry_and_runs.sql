-- The stage registry, and one row per maintenance run.
--
-- Stages declare themselves in tasks/*.ts (defineStage: outputs, engine,
-- decision). `ballast migrate` copies those declarations into ballast.stages
-- (lib/stage/registry.ts), and the SQL that needs the list of decision stages
-- (the fan-out after segmentation, an event's completion) reads it from there
-- instead of spelling it out. Adding a stage is one task file plus, when it
-- has new output tables, one migration.

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
-- The registry changes what the pipeline does: who changed it is audited.
select audit.enable('ballast.stages');
-- Only the owner (`ballast migrate`) writes it; everyone may read it.
revoke insert, update, delete, truncate on ballast.stages from ballast_worker;
grant select on ballast.stages to ballast_owner, ballast_worker, ballast_forensics;
grant insert, update, delete on ballast.stages to ballast_owner;

-- Fan-out once per segmentation (a statement), not once per span: one job per
-- registered decision stage. With no decision stage registered the fan-out
-- would drop the interaction silently, so it refuses instead.
create or replace function app.enqueue_decisions() returns trigger
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

-- An event is completed when every registered decision stage has succeeded
-- for it. Each decision stage calls this last, in its own transaction; the
-- UPDATE's row lock serializes their commits, so the last one always sees the
-- others.
create or replace function app.decision_done() returns void
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

-- One row per maintenance run (lib/maintenance): which task, in which trace,
-- when, what it counted, and how it ended, failures included.
alter table ballast.maintenance_runs rename column result to counts;
alter table ballast.maintenance_runs
  alter column finished_at drop default,
  add column outcome text not null default 'succeeded' check (outcome in ('succeeded', 'failed')),
  add column error text,
  add constraint maintenance_runs_error_check check ((outcome = 'failed') = (error is not null));
alter table ballast.maintenance_runs alter column outcome drop default;
comment on table ballast.maintenance_runs is 'one row per run of a maintenance task (lib/maintenance), written also when the run fails';
comment on column ballast.maintenance_runs.counts is 'the counts of the run''s batches, summed, and the number of batches';
-- A run's row is evidence: the worker appends, never rewrites.
revoke update, delete, truncate on ballast.maintenance_runs from ballast_worker;
