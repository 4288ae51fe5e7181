-- Cheaper ledger rows (test/bench/audit.ts, npm run bench:audit).
--
-- After 013, most of an audited change's cost is its ledger INSERT, and a
-- good part of that is set up once per statement: every index of the ledger
-- is opened and, for a partial one, its condition planned again; every check
-- and every function call in the row is prepared again. Measured in
-- instructions per audited insert+update (callgrind, single-user server),
-- this migration takes the audit's share from about 515,000 to about
-- 475,000 (the writes themselves, unaudited, take about 143,000):
--  * operation becomes an enum. An enum value is checked when the trigger's
--    INSERT is planned, once; the domain's check (010) ran for every row
--    (about 10,000). Same values, same text form (row hashes unchanged).
--  * the row-history index is on entity_id alone. On (entity_type,
--    entity_id, id) it was the ledger's most expensive index: its keys
--    arrive in no order, so every insert walks it from the root, and three
--    columns made every step dearer (about 13,500 saved). A row's history
--    still comes through it; the entity type is then a filter, and the few
--    rows of one entity are sorted by id. (A hash index would be cheaper
--    still, but a hash bucket is walked from its first page on every insert:
--    one row changed a million times would make each of its changes slower.)
--  * the deletes index is kept to rows with no after image, which are
--    exactly the deletes and truncates; its condition is a null test, cheaper
--    to set up than the list of operations (about 8,500).
--  * an UPDATE is a completion (status reaching completed/resolved, or
--    resolved_at set) only on a table that has such a column, so
--    audit.enable() now looks for one when it attaches the triggers and
--    passes a fourth argument only to those tables; the capture function
--    tests a row only when it has it. Every other table's updates skip the
--    test, which was prepared for every audited UPDATE (about 10,000). The
--    test still reads the row images, not the columns, so the triggers do
--    not depend on those columns: they can be altered or dropped as before.
-- Same rows, same values (test/audit/ledger.test.ts).

create type audit.operation as enum ('create', 'update', 'delete', 'complete', 'grant', 'revoke', 'truncate');
comment on type audit.operation is 'what an audit ledger row records';

drop index audit.ledger_deletes_idx;
drop index audit.ledger_entity_idx;
alter table audit.ledger alter column operation type audit.operation using operation::text::audit.operation;
drop domain audit.operation_kind;
create index ledger_entity_idx on audit.ledger (entity_id);
create index ledger_deletes_idx on audit.ledger (occurred_at desc) where after_data is null;
comment on index audit.ledger_entity_idx is 'row history: the entries of one entity id (the recipe filters on entity_type)';
comment on index audit.ledger_deletes_idx is 'deletes and truncates (the only rows with no after image), newest first';

-- audit.enable() passes a fourth argument ('completes') to tables with a
-- status or resolved_at column: only their updates are tested for a
-- completion. A trigger attached by hand with two arguments is tested too.
create or replace function audit.capture_update() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  b jsonb := to_jsonb(old);
  a jsonb := to_jsonb(new);
  i audit.tx_identity;
  op audit.operation := 'update';
begin
  if a = b then
    return null;
  end if;
  if tg_nargs <> 3 then
    if audit.is_completion(b, a) then
      op := 'complete';
    end if;
  end if;
  i := audit.tx_identity();
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason)
  values (coalesce(a ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
          i.request_id, i.trace_id, i.span_id, i.correlation_id, op,
          concat_ws('.', tg_table_schema, tg_table_name), coalesce(a ->> tg_argv[2], audit.key_of(a, tg_argv[0]::text[])),
          audit.redact(b, tg_argv[1]::text[]), audit.redact(a, tg_argv[1]::text[]), i.reason);
  return null;
end $$;

-- The same, for a one-column key with nothing to redact.
create or replace function audit.capture_update_simple() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  b jsonb := to_jsonb(old);
  a jsonb := to_jsonb(new);
  i audit.tx_identity;
  op audit.operation := 'update';
begin
  if a = b then
    return null;
  end if;
  if tg_nargs <> 3 then
    if audit.is_completion(b, a) then
      op := 'complete';
    end if;
  end if;
  i := audit.tx_identity();
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason)
  values (coalesce(a ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
          i.request_id, i.trace_id, i.span_id, i.correlation_id, op,
          concat_ws('.', tg_table_schema, tg_table_name), a ->> tg_argv[2], b, a, i.reason);
  return null;
end $$;

create or replace function audit.capture_grant() returns event_trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  i audit.tx_identity := audit.tx_identity();
  r record;
begin
  for r in select * from pg_event_trigger_ddl_commands() where command_tag in ('GRANT', 'REVOKE') loop
    insert into audit.ledger (actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                              correlation_id, operation, entity_type, entity_id, after_data, reason)
    values (i.actor, i.db_role, i.job, i.endpoint, i.application_name, i.request_id, i.trace_id, i.span_id,
            i.correlation_id, lower(r.command_tag)::audit.operation, coalesce(lower(r.object_type), 'privilege'),
            r.object_identity, jsonb_build_object('statement', left(current_query(), 2000)), i.reason);
  end loop;
end $$;

-- Whether a table's updates can be completions: it has a status or a
-- resolved_at column (see audit.is_completion()).
create function audit.can_complete(target regclass) returns boolean
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select exists (select from pg_attribute a
                  where a.attrelid = target and a.attname in ('status', 'resolved_at') and a.attnum > 0 and not a.attisdropped)
$$;

/**
 * Attaches the audit triggers to a table (one call, idempotent):
 *   select audit.enable('app.interactions', gated => true, redact => array['transcript', 'body']);
 */
create or replace function audit.enable(target regclass, gated boolean default false, redact text[] default '{}')
  returns void language plpgsql as $$
declare
  keys text[];
  args text;
  form text;
begin
  select array_agg(a.attname::text order by k.ord) into keys
    from pg_index i
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = target and i.indisprimary;
  if keys is null then
    raise exception 'audit.enable: % has no primary key to name its rows', target;
  end if;
  redact := coalesce(redact, '{}');
  args := format('%L, %L, %L', keys::text, redact::text, case when cardinality(keys) = 1 then keys[1] else '' end);
  form := case when cardinality(keys) = 1 and cardinality(redact) = 0 then '_simple' else '' end;
  execute format('drop trigger if exists audit_insert on %s', target);
  execute format('drop trigger if exists audit_update on %s', target);
  execute format('drop trigger if exists audit_delete on %s', target);
  execute format('drop trigger if exists audit_truncate on %s', target);
  execute format('drop trigger if exists audit_gate_delete on %s', target);
  execute format('drop trigger if exists audit_gate_truncate on %s', target);
  execute format('create trigger audit_insert after insert on %s referencing new table as audit_new
                    for each statement execute function audit.capture_insert%s(%s)', target, form, args);
  execute format('create trigger audit_update after update on %s
                    for each row execute function audit.capture_update%s(%s%s)',
                 target, form, args, case when audit.can_complete(target) then ', ''completes''' else '' end);
  execute format('create trigger audit_delete after delete on %s referencing old table as audit_old
                    for each statement execute function audit.capture_delete%s(%s)', target, form, args);
  execute format('create trigger audit_truncate after truncate on %s
                    for each statement execute function audit.capture_truncate()', target);
  if gated then
    execute format('create trigger audit_gate_delete before delete on %s
                      for each row execute function audit.require_reason()', target);
    execute format('create trigger audit_gate_truncate before truncate on %s
                      for each statement execute function audit.require_reason()', target);
  end if;
  insert into audit.tracked_tables (relid, gated, key_columns, redact_columns)
  values (target, gated, keys, redact)
  on conflict (relid) do update set gated = excluded.gated, key_columns = excluded.key_columns,
    redact_columns = excluded.redact_columns, enabled_at = now(), enabled_by = excluded.enabled_by;
end $$;

-- Re-attach every audited table with the new arguments; when and by whom it
-- was first enabled stays as it was.
do $$
declare
  t audit.tracked_tables;
begin
  for t in select * from audit.tracked_tables loop
    perform audit.enable(t.relid, t.gated, t.redact_columns);
    update audit.tracked_tables set enabled_at = t.enabled_at, enabled_by = t.enabled_by where relid = t.relid;
  end loop;
end $$;
