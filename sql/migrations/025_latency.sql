-- Issue 16, latency: search_sync ahead of the stage backlog, and the inbox's
-- enqueue planned once per connection. Functions only; no table changes.
-- Measurements: docs/performance.md ("Latency: search_sync's priority and the inbox's plans").
--
-- 1. search_sync ahead of the stage backlog.
--
-- search_sync is woken (job key 'search_sync', one pending job) when a decision
-- commits. Its job had the stages' priority (0), and graphile-worker takes due
-- jobs by priority, then run_at: during a burst the wake queued behind every
-- older stage job, so enqueued -> indexed grew with the backlog. It now has
-- priority -1 (a lower number runs first): the next free worker slot takes it.
-- It cannot starve the stages: the job key keeps at most one pending sync job,
-- and one run drains every outbox row there is. add_jobs sets the priority on
-- each call for the key (keyed replace), so both functions that add the job
-- say -1, and a retry's schedule never demotes a pending wake.
create or replace function search.wake_sync(trace text, correlation text) returns void
  language plpgsql as $$
begin
  perform graphile_worker.add_job(
    'search_sync',
    json_build_object('trace_id', trace, 'correlation_id', correlation),
    job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25, priority => -1);
end $$;

create or replace function search.schedule_sync(at timestamptz, trace text, correlation text) returns void
  language sql as $$
  select graphile_worker.add_job(
    'search_sync',
    json_build_object('trace_id', trace, 'correlation_id', correlation),
    run_at => at, job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25, priority => -1);
$$;

-- A sync job pending at the upgrade gets the new priority too (a running one is left alone).
select graphile_worker.reschedule_jobs(
  array(select id from graphile_worker.jobs where task_identifier = 'search_sync' and locked_at is null), priority => -1);

-- 2. The inbox's first-stage jobs (020): add_jobs planned once per session, with index plans.
--
-- 020 ran ingest.enqueue_first_stages with plan_cache_mode = force_custom_plan,
-- because a generic plan of add_jobs' keyed-job UPDATE made while the queue was
-- small seq-scans graphile_worker._private_jobs and grows with the backlog. But
-- planning every statement of add_jobs on every call was a large share of a
-- one-row INSERT's PostgreSQL time (the receiver at half its max rate sends one
-- or two rows per INSERT). With enable_seqscan = off the generic plans use the
-- job table's indexes (its key and primary key; the tasks and queues lookups by
-- their unique names), so they are made once per connection and their cost
-- stays flat as the queue grows (figures: docs/performance.md). Both settings hold only while this
-- function (and the add_jobs it calls) runs; the receiver's connections call
-- add_jobs from nowhere else. Same jobs, payloads, keys and transaction.
alter function ingest.enqueue_first_stages() set plan_cache_mode = force_generic_plan set enable_seqscan = off;
