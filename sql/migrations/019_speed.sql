-- Issue 16 part 2: less PostgreSQL time per event, same paper trail.
-- Functions and triggers only; no table changes. Measurements: docs/performance.md
-- ("Where an event's time goes").

-- 1. Wake search_sync at commit, not at the statement.
--
-- search.capture_changes (005) called search.wake_sync from the statement
-- trigger: graphile_worker.add_job on job key 'search_sync' updates that one
-- job row, and the stage's transaction then held the row's lock for the rest
-- of its work (ledger, snapshot, job attempt), so every transaction that
-- wrote a summary or a claim waited for the one before it to commit
-- (bench:e2e --statements: 2 waits of ~16 ms per event, docs/performance.md).
-- Now the statement trigger only writes search.versions and search.outbox,
-- and a deferred constraint trigger wakes the sync once per transaction, at
-- commit: the same job, the same trace and correlation ids, the same
-- guarantee (the wake commits with the outbox rows it is for), and the lock
-- is held only while the transaction commits.
create or replace function search.capture_changes() returns trigger
  language plpgsql as $$
declare
  entity constant text := tg_argv[0];
  key_col constant text := tg_argv[1];
begin
  if tg_op = 'DELETE' then
    execute format(
      'with gone as (delete from search.versions v using old_rows o where v.entity = $1 and v.entity_id = o.%I returning v.entity_id)
       insert into search.outbox (point_id, entity, entity_id, op, version, trace_id)
       select search.point_id($1, o.%I), $1, o.%I, ''delete'', nextval(''search.version_seq''), o.trace_id from old_rows o order by o.%I',
      key_col, key_col, key_col, key_col) using entity;
  else
    execute format(
      'with changed as (
         insert into search.versions as v (entity, entity_id, version)
         select $1, n.%I, nextval(''search.version_seq'') from new_rows n order by n.%I
         on conflict (entity, entity_id) do update set version = excluded.version, changed_at = now()
         returning v.entity_id, v.version)
       insert into search.outbox (point_id, entity, entity_id, op, version, trace_id)
       select search.point_id($1, c.entity_id), $1, c.entity_id, ''upsert'', c.version, n.trace_id
         from changed c join new_rows n on n.%I = c.entity_id',
      key_col, key_col, key_col) using entity;
  end if;
  return null;
end $$;

-- Deferred, per row; the first row of a transaction wakes the sync, the
-- others return at once (a transaction-local flag). As before, rows without
-- a trace id (written outside any traced work) wake nothing.
create function search.wake_sync_at_commit() returns trigger
  language plpgsql as $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
begin
  if r.trace_id is null or current_setting('search.woken', true) = 'yes' then
    return null;
  end if;
  perform set_config('search.woken', 'yes', true);
  perform search.wake_sync(coalesce(ballast.setting('trace_id'), r.trace_id), coalesce(ballast.setting('correlation_id'), r.correlation_id));
  return null;
end $$;

create constraint trigger summaries_search_wake after insert or update or delete on app.summaries
  deferrable initially deferred for each row execute function search.wake_sync_at_commit();
create constraint trigger claims_search_wake after insert or update or delete on app.claims
  deferrable initially deferred for each row execute function search.wake_sync_at_commit();

-- 2. One add_jobs call for an event's decision stages.
--
-- app.enqueue_decisions (003) called graphile_worker.add_job once per
-- decision stage (three per event), and each call is a whole add_jobs run
-- (tasks, queues, keyed-job updates, the insert). One add_jobs call with the
-- three specs does the same work set-based: the same jobs, payloads and job
-- keys (replace mode, as add_job's default), in the same order.
create or replace function app.enqueue_decisions() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
begin
  if cardinality(finals) = 0 then
    raise exception 'no decision stage is registered in ballast.stages'
      using errcode = '55000', hint = 'run `ballast migrate`: it registers the stages declared in tasks/';
  end if;
  perform graphile_worker.add_jobs(array(
    select (t, json_build_object('interaction_id', r.interaction_id, 'trace_id', r.trace_id,
                                 'parent_span_id', r.span_id, 'correlation_id', r.correlation_id),
            null, null, null, t || ':' || r.interaction_id, null, null)::graphile_worker.job_spec
      from (select distinct on (interaction_id) interaction_id, trace_id, span_id, correlation_id
              from new_spans order by interaction_id) r
      cross join unnest(finals) with ordinality as f(t, n)
     order by r.interaction_id, f.n), false);
  return null;
end $$;
