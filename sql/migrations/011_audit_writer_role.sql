-- Nobody the application connects as can write audit rows by hand.
--
-- Until now the audit triggers ran as ballast_owner (they are SECURITY
-- DEFINER), so ballast_owner had INSERT on the ledger, and an operator
-- connected as ballast_owner could append a forged row. The triggers and the
-- sealer now run as ballast_audit_writer: a NOLOGIN role that owns nothing
-- else, that no process connects as, and that alone may append to the ledger,
-- its chain and its seals. Every role ballast uses reaches the ledger only
-- through the triggers (and audit.seal()).

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'ballast_audit_writer') then
    begin
      create role ballast_audit_writer nologin;
    exception when duplicate_object or unique_violation then
      null; -- created by a concurrent migration of another database
    end;
  end if;
  -- A non-superuser migrator must own the functions through the role to replace them later.
  if not (select rolsuper from pg_roles where rolname = current_user) then
    begin
      execute format('grant ballast_audit_writer to %I', current_user);
    exception when others then
      raise notice 'could not grant ballast_audit_writer to %: %', current_user, sqlerrm;
    end;
  end if;
end $$;
comment on role ballast_audit_writer is 'owns the audit triggers and audit.seal(); the only role that may append to audit.*; never log in as it';

grant usage on schema audit, ballast to ballast_audit_writer;
grant select, insert on audit.ledger, audit.chain, audit.seals to ballast_audit_writer;
grant usage, select on all sequences in schema audit to ballast_audit_writer;

do $$
declare
  f regprocedure;
begin
  foreach f in array array[
    'audit.capture_insert()', 'audit.capture_update()', 'audit.capture_delete()', 'audit.capture_truncate()',
    'audit.capture_grant()', 'audit.seal(int)']::regprocedure[]
  loop
    execute format('alter function %s owner to ballast_audit_writer', f);
  end loop;
end $$;

revoke insert, update, delete, truncate on audit.ledger, audit.chain, audit.seals from ballast_owner;
revoke usage, update on all sequences in schema audit from ballast_owner;
grant select on all sequences in schema audit to ballast_owner;
