-- Least privilege by default (test/audit/roles.test.ts holds the matrix).
--
-- 1. The job ledger and the policy violations are evidence: the worker may
--    add to them, never rewrite them. It inserts a finished attempt that never
--    heartbeated directly (the per-job fast path); every other ledger write
--    goes through the two functions below, which can only insert a new
--    attempt, refresh a running attempt's heartbeat, or finish a running one.
-- 2. Settings (ballast.trace_policy, ballast.failure_settings) are written by
--    the owner only, and every change is audited.
-- 3. Every SECURITY DEFINER function is owned by a ballast role (never by the
--    superuser that ran the migrations; ballast.cleanup_old_errors is the one
--    exception, see below), has a search_path that ends in pg_temp, has
--    EXECUTE revoked from PUBLIC, and is granted to the roles that call it,
--    and no others.

-- 1. The job ledger: add, never rewrite. ------------------------------------

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

alter function ballast.finish_attempts(json) owner to ballast_owner;
alter function ballast.heartbeat_attempts(json) owner to ballast_owner;
revoke execute on function ballast.finish_attempts(json), ballast.heartbeat_attempts(json) from public;
grant execute on function ballast.finish_attempts(json), ballast.heartbeat_attempts(json) to ballast_worker;

revoke update, delete, truncate on ballast.job_attempts from ballast_worker, ballast_ingest, ballast_forensics;
-- Violations are written by the trace-policy trigger (ballast.attempt_succeeded, run as the owner) only.
revoke insert, update, delete, truncate on ballast.policy_violations from ballast_worker, ballast_ingest, ballast_forensics;
-- Rare (one row per violation), so cheap to audit; the owner's changes to them show too.
select audit.enable('ballast.policy_violations');

-- 2. Settings: the owner writes them, the ledger records each change. --------

revoke insert, update, delete, truncate on ballast.trace_policy, ballast.failure_settings
  from ballast_worker, ballast_ingest, ballast_forensics;
select audit.enable('ballast.failure_settings', gated => true);

-- 3. SECURITY DEFINER functions. --------------------------------------------

-- Made by migrations as security definer but left owned by whoever ran them.
alter function ballast.record_failure(jsonb, jsonb, jsonb) owner to ballast_owner;
alter function ballast.log_diagnostic(text, text, text, text, text, jsonb) owner to ballast_owner;
alter function ballast.replay_dead_letter(uuid, boolean) owner to ballast_owner;
alter function ingest.delivery_status(text, text) owner to ballast_owner;

-- ballast.cleanup_old_errors(int) stays with the owner of ballast.error_envelopes:
-- the envelopes' guard lets only the table's owner delete (004_failures.sql).

-- Without pg_temp named last, a caller's temporary tables are searched
-- first, and could stand in for the tables these functions name unqualified.
alter function ballast.record_failure(jsonb, jsonb, jsonb) set search_path = pg_catalog, ballast, pg_temp;
alter function ballast.log_diagnostic(text, text, text, text, text, jsonb) set search_path = pg_catalog, ballast, pg_temp;
alter function ballast.replay_dead_letter(uuid, boolean) set search_path = pg_catalog, ballast, pg_temp;
alter function ballast.cleanup_old_errors(int) set search_path = pg_catalog, ballast, pg_temp;
alter function ballast.attempt_succeeded() set search_path = pg_catalog, ballast, pg_temp;
alter function ingest.delivery_status(text, text) set search_path = pg_catalog, ingest, pg_temp;

-- Trigger functions need no EXECUTE to fire; nobody calls them directly.
revoke execute on function
  ingest.enqueue_first_stage(), app.enqueue_segmentation(), app.enqueue_decisions(), ballast.attempt_succeeded(),
  audit.capture_insert(), audit.capture_update(), audit.capture_delete(), audit.capture_truncate(), audit.capture_grant(),
  audit.capture_insert_simple(), audit.capture_update_simple(), audit.capture_delete_simple()
  from public;

-- Called functions: each granted to exactly the roles that call it.
revoke execute on function
  ballast.record_failure(jsonb, jsonb, jsonb), ballast.log_diagnostic(text, text, text, text, text, jsonb),
  ballast.replay_dead_letter(uuid, boolean), ballast.cleanup_old_errors(int), ingest.delivery_status(text, text),
  audit.seal(int), app.decision_done()
  from public;
-- Stages, the search sync and the dead-letter sweeper (worker), the receiver (ingest).
grant execute on function ballast.record_failure(jsonb, jsonb, jsonb) to ballast_worker, ballast_ingest;
-- The replay cron task and `ballast dlq replay` (both as the worker).
grant execute on function ballast.replay_dead_letter(uuid, boolean) to ballast_worker;
-- The receiver's answer to a duplicate delivery.
grant execute on function ingest.delivery_status(text, text) to ballast_ingest;
-- Retention of error envelopes, by an operator.
grant execute on function ballast.cleanup_old_errors(int) to ballast_owner;
-- ballast.log_diagnostic (called by record_failure) is the owner's only; audit.seal keeps its grant to the worker
-- (the audit_seal cron task and `ballast audit seal`), app.decision_done its
-- grant to the worker (the decision stages).
