-- Issue 16: search_sync ahead of the stage backlog. Functions only; no table changes.
-- Measurements: docs/performance.md ("Latency: the receiver and search_sync's priority").
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
