-- Least-privilege roles. NOLOGIN group roles: a process logs in as a user that
-- is a member (or, in development, as the superuser) and connects with
-- `options=-c role=<role>` (lib/db/roles.ts), so every statement runs with the
-- group's rights only.
--
--   ballast_owner      migrations, operator commands that change settings; owns the
--                      SECURITY DEFINER functions that cross the lines below
--   ballast_worker     the stage runtime and graphile-worker
--   ballast_ingest     the webhook receiver: insert into the inbox, nothing else
--   ballast_forensics  read-only: trace, stuck, audit verify, replay
--   ballast_audit_writer  owns the audit triggers and audit.seal(); the only
--                      role that may append to audit.*. No process connects or
--                      acts as it, so no role ballast uses can write audit rows
--                      by hand: they reach the ledger only through the triggers.
--                      It alone reads the redaction key (audit.redaction_key).
--
-- Roles are cluster-wide: created only if missing, so many databases share them.
--
-- The rules this file sets (test/audit/roles.test.ts holds the matrix):
-- - The job ledger, the policy violations and the maintenance runs are
--   evidence: the worker may add to them, never rewrite them.
-- - Settings (ballast.trace_policy, ballast.failure_settings) and the stage
--   registry (ballast.stages) are written by the owner only, and every change
--   is audited (006_audit).
-- - Every SECURITY DEFINER function is owned by a ballast role (never by the
--   superuser that ran the migrations; ballast.cleanup_old_errors is the one
--   exception, see below), has a search_path that ends in pg_temp, has
--   EXECUTE revoked from PUBLIC, and is granted to the roles that call it,
--   and no others.

do $$
declare
  r text;
begin
  foreach r in array array['ballast_owner', 'ballast_worker', 'ballast_ingest', 'ballast_forensics', 'ballast_audit_writer'] loop
    if not exists (select 1 from pg_roles where rolname = r) then
      begin
        execute format('create role %I nologin', r);
      exception when duplicate_object or unique_violation then
        null; -- created by a concurrent migration of another database
      end;
    end if;
  end loop;
  -- A non-superuser migrator must be able to SET ROLE to them, and own
  -- functions through them to replace those functions later.
  if not (select rolsuper from pg_roles where rolname = current_user) then
    begin
      execute format('grant ballast_owner, ballast_worker, ballast_ingest, ballast_forensics, ballast_audit_writer to %I', current_user);
    exception when others then
      raise notice 'could not grant ballast roles to %: %', current_user, sqlerrm;
    end;
  end if;
end $$;
comment on role ballast_audit_writer is 'owns the audit triggers and audit.seal(); the only role that may append to audit.*; never log in as it';

-- Start from nothing for the roles, in every schema ballast uses (including
-- those of other migrations), then grant what each needs.
do $$
declare
  s text;
begin
  for s in select nspname from pg_namespace
            where nspname in ('ballast', 'ingest', 'app', 'audit', 'replay', 'graphile_worker')
               or nspname in (select n.nspname from pg_namespace n where n.nspname !~ '^pg_'
                                and n.nspname not in ('information_schema', 'public'))
  loop
    execute format('grant usage on schema %I to ballast_owner, ballast_worker, ballast_forensics', s);
    execute format('grant select on all tables in schema %I to ballast_owner, ballast_forensics', s);
    execute format('alter default privileges in schema %I grant select on tables to ballast_owner, ballast_forensics', s);
    if s not in ('audit') then
      execute format('grant insert, update, delete on all tables in schema %I to ballast_owner, ballast_worker', s);
      execute format('grant select on all tables in schema %I to ballast_worker', s);
      execute format('grant usage, select on all sequences in schema %I to ballast_owner, ballast_worker', s);
      execute format('alter default privileges in schema %I grant select, insert, update, delete on tables to ballast_owner, ballast_worker', s);
      execute format('alter default privileges in schema %I grant usage, select on sequences to ballast_owner, ballast_worker', s);
    end if;
  end loop;
end $$;
grant execute on all functions in schema graphile_worker to ballast_owner, ballast_worker;
-- graphile-worker enables row level security on its tables with no policy
-- (only their owner sees rows); let the worker and the owner use the queue.
do $$
declare
  t regclass;
begin
  for t in select c.oid::regclass from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'graphile_worker' and c.relkind = 'r' and c.relrowsecurity loop
    execute format('create policy ballast_queue on %s to ballast_owner, ballast_worker using (true) with check (true)', t);
    execute format('create policy ballast_queue_read on %s for select to ballast_forensics using (true)', t);
  end loop;
end $$;

-- The worker never touches the migrations, the audit trail or the settings;
-- only the owner writes settings.
revoke insert, update, delete, truncate on graphile_worker.migrations from ballast_worker;
revoke insert, update, delete, truncate on ballast.trace_policy, ballast.failure_settings
  from ballast_worker, ballast_ingest, ballast_forensics;
-- The stage registry: the owner (`ballast migrate`) writes it, everyone reads it.
revoke all on ballast.stages from ballast_worker, ballast_forensics;
grant select on ballast.stages to ballast_worker, ballast_forensics;
-- Evidence is append-only for the worker. Its ledger writes other than the
-- insert of a finished attempt go through ballast.finish_attempts() and
-- ballast.heartbeat_attempts() (001_runtime). Violations are written by the
-- trace-policy trigger (ballast.attempt_succeeded, run as the owner) only.
revoke update, delete, truncate on ballast.error_envelopes from ballast_worker;
revoke update, delete, truncate on ballast.maintenance_runs from ballast_worker;
revoke update, delete, truncate on ballast.job_attempts from ballast_worker, ballast_ingest, ballast_forensics;
revoke insert, update, delete, truncate on ballast.policy_violations from ballast_worker, ballast_ingest, ballast_forensics;
revoke all on public.migrations from ballast_worker, ballast_ingest, ballast_forensics;
grant select on public.migrations to ballast_owner, ballast_forensics;

-- Ingest: insert into the inbox and read back the acknowledgement columns
-- (RETURNING id, and the status of a duplicate delivery). No raw bodies.
grant usage on schema ingest, ballast to ballast_ingest;
grant insert on ingest.webhook_events to ballast_ingest;
grant select (id, source, webhook_id, status, status_reason, trace_id) on ingest.webhook_events to ballast_ingest;
grant usage on sequence ingest.webhook_events_id_seq to ballast_ingest;

-- The functions that cross the lines (declared SECURITY DEFINER with a
-- fixed search_path) run as the owner. ballast.cleanup_old_errors(int) stays
-- with the owner of ballast.error_envelopes: the envelopes' guard lets only
-- the table's owner delete (004_failures).
do $$
declare
  f regprocedure;
begin
  foreach f in array array[
    'ingest.enqueue_first_stage()', 'ingest.delivery_status(text, text)', 'app.enqueue_segmentation()',
    'app.enqueue_decisions()', 'app.decision_done()', 'ballast.attempt_succeeded()',
    'ballast.finish_attempts(json)', 'ballast.heartbeat_attempts(json)', 'ballast.record_failure(jsonb, jsonb, jsonb)',
    'ballast.log_diagnostic(text, text, text, text, text, jsonb)', 'ballast.replay_dead_letter(uuid, boolean)']::regprocedure[]
  loop
    execute format('alter function %s owner to ballast_owner', f);
  end loop;
end $$;
revoke execute on function audit.enable(regclass, boolean, text[]) from public;

-- The audit triggers and the sealer run as the audit writer, which alone may
-- append to the ledger, its chain and its seals. The owner reads them.
grant usage on schema audit, ballast to ballast_audit_writer;
grant select, insert on audit.ledger, audit.chain, audit.seals to ballast_audit_writer;
-- The redaction key: the audit writer alone reads it, and alone computes masks.
revoke all on audit.redaction_key from ballast_owner, ballast_forensics;
grant select on audit.redaction_key to ballast_audit_writer;
grant select on all sequences in schema audit to ballast_owner;
grant usage, select on all sequences in schema audit to ballast_audit_writer;
do $$
declare
  f regprocedure;
begin
  foreach f in array array[
    'audit.capture_insert()', 'audit.capture_insert_simple()', 'audit.capture_update()',
    'audit.capture_update_simple()', 'audit.capture_delete()', 'audit.capture_delete_simple()',
    'audit.capture_truncate()', 'audit.capture_grant()', 'audit.seal(int)']::regprocedure[]
  loop
    execute format('alter function %s owner to ballast_audit_writer', f);
  end loop;
end $$;

-- Trigger functions need no EXECUTE to fire; nobody calls them directly.
revoke execute on function
  ingest.enqueue_first_stage(), app.enqueue_segmentation(), app.enqueue_decisions(), ballast.attempt_succeeded(),
  audit.capture_insert(), audit.capture_update(), audit.capture_delete(), audit.capture_truncate(), audit.capture_grant(),
  audit.capture_insert_simple(), audit.capture_update_simple(), audit.capture_delete_simple()
  from public;

-- Called functions: each granted to exactly the roles that call it.
revoke execute on function audit.redact(jsonb, text[]) from public;
grant execute on function audit.redact(jsonb, text[]) to ballast_audit_writer;
revoke execute on function
  ballast.finish_attempts(json), ballast.heartbeat_attempts(json),
  ballast.record_failure(jsonb, jsonb, jsonb), ballast.log_diagnostic(text, text, text, text, text, jsonb),
  ballast.replay_dead_letter(uuid, boolean), ballast.cleanup_old_errors(int), ingest.delivery_status(text, text),
  audit.seal(int), app.decision_done()
  from public;
-- The stage runtime's ledger writes.
grant execute on function ballast.finish_attempts(json), ballast.heartbeat_attempts(json) to ballast_worker;
-- The decision stages.
grant execute on function app.decision_done() to ballast_worker, ballast_owner;
-- Stages, the search sync and the dead-letter sweeper (worker), the receiver (ingest).
grant execute on function ballast.record_failure(jsonb, jsonb, jsonb) to ballast_worker, ballast_ingest;
-- The requeue cron task and `ballast dlq requeue` (both as the worker).
grant execute on function ballast.replay_dead_letter(uuid, boolean) to ballast_worker;
-- The receiver's answer to a duplicate delivery.
grant execute on function ingest.delivery_status(text, text) to ballast_ingest;
-- Retention of error envelopes, by an operator.
grant execute on function ballast.cleanup_old_errors(int) to ballast_owner;
-- The audit_seal cron task and `ballast audit seal`.
grant execute on function audit.seal(int) to ballast_worker;
-- ballast.log_diagnostic (called by record_failure) is the owner's only.

-- GRANT / REVOKE from here on leave an audit row (needs a superuser to install).
do $$
begin
  if (select rolsuper from pg_roles where rolname = current_user) then
    create event trigger audit_grants on ddl_command_end
      when tag in ('GRANT', 'REVOKE') execute function audit.capture_grant();
  else
    raise notice 'audit: GRANT/REVOKE are not audited (event triggers need a superuser)';
  end if;
end $$;
