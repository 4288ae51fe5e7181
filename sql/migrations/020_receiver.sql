-- Issue 16: the receiver near a bare INSERT. A trigger change only; no table changes.
-- Measurements: docs/performance.md ("The receiver near a bare INSERT").
--
-- The first stage's job, once per INSERT statement instead of once per row.
--
-- ingest.enqueue_first_stage (002) called graphile_worker.add_job for each
-- received row, and each call is a whole add_jobs run (tasks, queues, keyed-job
-- updates, the insert, a NOTIFY): about 0.6 ms of PostgreSQL CPU per row, the
-- largest part of a delivery's database time. The receiver now inserts
-- concurrent deliveries as one multi-row INSERT (lib/ingest/group-commit.ts),
-- and this statement trigger adds their jobs with one add_jobs call: the same
-- jobs, payloads, job keys (replace mode, add_job's default) and max_attempts,
-- in the rows' id order, in the same transaction as the rows. As before, only
-- rows inserted as 'received' start the pipeline; a duplicate delivery, skipped
-- by the key trigger, is not in the transition table and starts nothing.
--
-- plan_cache_mode = force_custom_plan (for add_jobs' statements too, while
-- this function runs): a session's cached generic plan of add_jobs' keyed-job
-- UPDATE, made while graphile_worker._private_jobs was small, seq-scans the
-- table, so each call cost more as the backlog grew (0.46 ms per call at
-- 2,000 jobs, 1.0 ms at 8,000); planned per call it stays at about 0.48 ms.
create function ingest.enqueue_first_stages() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp set plan_cache_mode = force_custom_plan as $$
declare
  specs graphile_worker.job_spec[] := array(
    select ('normalize_event',
            json_build_object('event_id', n.id, 'trace_id', n.trace_id, 'parent_span_id', n.span_id, 'correlation_id', n.correlation_id),
            null, null, 10, 'normalize_event:' || n.id, null, null)::graphile_worker.job_spec
      from started_new n
     where n.status = 'received'
     order by n.id);
begin
  if cardinality(specs) > 0 then
    perform graphile_worker.add_jobs(specs);
  end if;
  return null;
end $$;
comment on function ingest.enqueue_first_stages() is
  'inbox statement trigger: one normalize_event job per row inserted as received, all in one graphile_worker.add_jobs call';
alter function ingest.enqueue_first_stages() owner to ballast_owner;
-- A trigger function; nobody calls it. Statement triggers are not cloned onto
-- partitions, so the partition keeper needs no EXECUTE on it.
revoke execute on function ingest.enqueue_first_stages() from public;

drop trigger webhook_events_start on ingest.webhook_events;
create trigger webhook_events_start after insert on ingest.webhook_events
  referencing new table as started_new
  for each statement execute function ingest.enqueue_first_stages();
drop function ingest.enqueue_first_stage();
