-- The tamper-evident window stays bounded, and functions run with the least
-- privilege (test/audit/roles.test.ts holds the matrix, test/audit/sealing.test.ts
-- and test/audit/destructive.test.ts the behaviour).
--
-- 1. The owner seals by hand (`ballast audit seal`), as the worker's cron task does.
-- 2. audit.unsealed_window: how many ledger rows wait for the chain, and since when.
-- 3. The receiver records its failures through a door of its own: it cannot
--    call ballast.record_failure, so it cannot forge a dead letter for a job.
-- 4. Destructive operations are the owner's, need a stated reason and leave
--    audit rows: deleting old error envelopes (ballast.cleanup_old_errors) and
--    purging an interaction (`ballast audit purge-interaction`).

-- 1. Sealing by hand. --------------------------------------------------------

grant execute on function audit.seal(int) to ballast_owner;

-- 2. The unsealed window. -----------------------------------------------------

-- Every ledger row before the chain's last sealed position is in the chain
-- (`ballast audit verify` checks), so the rows after it are the unsealed
-- ones; the (txid, id) index finds them without reading the sealed ledger.
create view audit.unsealed_window as
select count(*)::bigint as unsealed, min(l.occurred_at) as oldest_at
  from audit.ledger l
 where (l.txid, l.id) > (select coalesce(max(c.txid), '0'::xid8), coalesce(max(c.ledger_id), 0)
                           from (select txid, ledger_id from audit.chain order by seq desc limit 1) c);
comment on view audit.unsealed_window is
  'ledger rows not yet in the hash chain: how many, and when the oldest was written (audit verify covers only sealed rows)';
grant select on audit.unsealed_window to ballast_owner, ballast_worker, ballast_forensics;

-- 3. The receiver's door for its failures. ------------------------------------

/*
 * What the webhook receiver may write down about a request that failed:
 * envelopes of its own component (layer L2, class infra.ingest.*), bounded
 * diagnostics of its own function, and a dead letter for an event it kept as
 * rejected. The dead letter is never replayable and never scheduled, and it
 * cannot name a job or another dead letter, so nothing it writes can make a
 * worker run a job. Anything else is refused whole.
 */
create function ingest.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb)
  returns uuid language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  event_id bigint;
begin
  if p_envelope is not null and not (p_envelope->>'layer' = 'L2' and p_envelope->>'component' = 'ingest.receiver'
                                     and p_envelope->>'error_class' like 'infra.ingest.%') then
    raise exception 'ingest.record_failure: the receiver records envelopes of component ingest.receiver, layer L2, class infra.ingest.*'
      using errcode = '42501';
  end if;
  if p_diagnostic is not null and p_diagnostic->>'function_name' is distinct from 'ingest.receiver' then
    raise exception 'ingest.record_failure: the receiver records diagnostics of function ingest.receiver'
      using errcode = '42501';
  end if;
  if p_dead_letter is not null then
    if p_dead_letter->>'failing_function' is distinct from 'ingest.receiver'
       or p_dead_letter->>'interaction_id' !~ '^event:[0-9]{1,18}$' then
      raise exception 'ingest.record_failure: the receiver records dead letters of ingest.receiver, keyed event:<id>'
        using errcode = '42501';
    end if;
    event_id := substr(p_dead_letter->>'interaction_id', 7)::bigint;
    if not exists (select 1 from ingest.webhook_events e where e.id = event_id and e.status = 'rejected') then
      raise exception 'ingest.record_failure: event % is not a rejected event', event_id
        using errcode = '42501';
    end if;
    p_dead_letter := (p_dead_letter - 'replay_of')
      || jsonb_build_object('retryable', false,
                            'context', (coalesce(p_dead_letter->'context', '{}') - 'job_id' - 'task')
                                       || jsonb_build_object('replayable', false));
  end if;
  return ballast.record_failure(p_envelope, p_diagnostic, p_dead_letter);
end $$;
comment on function ingest.record_failure(jsonb, jsonb, jsonb) is
  'the receiver''s door to the failure tables: its own envelopes and diagnostics, and non-replayable dead letters of rejected events';
alter function ingest.record_failure(jsonb, jsonb, jsonb) owner to ballast_owner;
revoke execute on function ingest.record_failure(jsonb, jsonb, jsonb) from public;
grant execute on function ingest.record_failure(jsonb, jsonb, jsonb) to ballast_ingest;
revoke execute on function ballast.record_failure(jsonb, jsonb, jsonb) from ballast_ingest;

-- 4. Destructive operations: the owner's, with a reason, audited. -------------

-- Deleting error envelopes: only ballast.cleanup_old_errors(), run with a
-- stated reason (ballast.reason) by the owner; each deleted envelope leaves
-- an audit row, its free text kept as a hash. Envelopes are append-only, so
-- their inserts are not audited (a failure storm must not double the ledger).
create or replace function ballast.cleanup_old_errors(retention_days int default 90) returns int
  language plpgsql security definer set search_path = pg_catalog, ballast, pg_temp as $$
declare n int;
begin
  if retention_days < 1 then raise exception 'retention_days must be at least 1'; end if;
  if ballast.setting('reason') is null then
    raise exception 'ballast.cleanup_old_errors deletes error envelopes and needs a reason'
      using errcode = '42501',
            hint = 'state one for the transaction: select set_config(''ballast.reason'', ''<why>'', true); '
                   'or run `ballast errors cleanup --reason <why>`';
  end if;
  perform set_config('ballast.retention', 'error_envelopes', true);
  delete from ballast.error_envelopes where created_at < now() - make_interval(days => retention_days);
  get diagnostics n = row_count;
  perform set_config('ballast.retention', '', true);
  return n;
end $$;
alter function ballast.cleanup_old_errors(int) owner to ballast_owner;
revoke execute on function ballast.cleanup_old_errors(int) from public, ballast_worker, ballast_ingest, ballast_forensics;

-- The envelopes' guard: a delete is the retention function's, running as its
-- owner (no longer the table's owner, which is whoever ran the migrations).
-- The owner role could set the flag by hand; the flag stops accidents, and
-- the gate and the audit rows below hold for the owner too.
create or replace function ballast.guard_error_envelope() returns trigger
  language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if not ballast.layer_allows(new.layer, new.error_class) then
      raise exception 'LAYER_VIOLATION: layer % may not emit %', new.layer, new.error_class
        using hint = 'L4 (domain) emits domain.* and system.*; L2/L3/L5/L6 emit infra.* and system.*';
    end if;
    return new;
  elsif tg_op = 'UPDATE' then
    raise exception 'error envelopes are append-only (update of %)', old.error_id;
  elsif tg_op = 'DELETE' then
    if ballast.setting('retention') is distinct from 'error_envelopes'
       or current_user <> (select pg_get_userbyid(p.proowner) from pg_proc p
                            where p.oid = 'ballast.cleanup_old_errors(int)'::regprocedure) then
      raise exception 'error envelopes are deleted only by ballast.cleanup_old_errors()';
    end if;
    return old;
  end if;
  raise exception 'error envelopes cannot be truncated';
end $$;

-- Named to fire after error_envelopes_guard, whose refusal says more to a direct DELETE.
create trigger error_envelopes_reason before delete on ballast.error_envelopes
  for each row execute function audit.require_reason();
create trigger audit_delete after delete on ballast.error_envelopes referencing old table as audit_old
  for each statement execute function audit.capture_delete('{error_id}', '{message,exception_chain,context}', 'error_id');

-- Purging an interaction is the owner's (the pipeline never deletes one); the
-- gate and the audit triggers of app.interactions (006_audit.sql) already
-- ask for the reason and record each deleted row.
revoke delete on app.interactions from ballast_worker;
