-- Leaner audit triggers (test/bench/audit.ts, npm run bench:audit).
--
-- An audited change costs its ledger INSERT, and most of that INSERT's cost
-- was setting it up: every function call in a statement is looked up and
-- permission-checked each time the statement starts, and every PL/pgSQL
-- variable or IF condition is compiled again in every transaction. Measured
-- in instructions per audited insert+update (callgrind), this migration
-- takes the audit's share from about 780,000 to about 545,000 (the writes
-- themselves, unaudited, take about 115,000):
--  * each capture function runs one INSERT; its only variables hold what
--    that INSERT would otherwise compute more than once (the identity, the
--    UPDATE's two images), and its only condition is the UPDATE's "did
--    anything change";
--  * the identity settings are read by one function, audit.tx_identity(),
--    compiled once per transaction however many statements it audits, and
--    called once per statement (it was evaluated once per row);
--  * a table with a one-column key and nothing to redact (most tables) gets
--    *_simple capture functions, which read the key straight from the row
--    (its name is the triggers' third argument) and store the image as it
--    is: the key and redaction helpers are only planned for tables that
--    need them;
--  * redaction replaces a row image's redacted values in one step;
--  * the `changed` list (a sorted aggregate over jsonb_object_keys: an Agg,
--    a Sort and a FunctionScan for every audited UPDATE) repeated what
--    before_data and after_data already say, so it is no longer stored:
--    audit.changed_columns(before_data, after_data) computes it when asked,
--    and the forensic queries call it. Older rows keep their metadata.
-- Same rows, same values (test/audit/ledger.test.ts).

-- Which top-level columns differ between two row images, sorted. Both images
-- of a ledger row are redacted the same way, and a redacted value's hash
-- changes with the value, so this matches a comparison of the real rows.
create function audit.changed_columns(before_data jsonb, after_data jsonb) returns text[]
  language sql immutable parallel safe as $$
  select coalesce(array_agg(k order by k), '{}')
    from (select jsonb_object_keys(coalesce(after_data, '{}')) union
          select jsonb_object_keys(coalesce(before_data, '{}'))) keys(k)
   where after_data -> k is distinct from before_data -> k
$$;
comment on function audit.changed_columns(jsonb, jsonb) is
  'columns whose values differ between a ledger row''s before_data and after_data (every column of a create or delete)';

-- Who is acting: every identity setting a ledger row records, read once per
-- audited statement. As one PL/pgSQL expression it is compiled once per
-- transaction; written inline, each audited statement compiled its own copy
-- (two dozen function calls).
create type audit.tx_identity as (
  org_id text, actor text, db_role text, job text, endpoint text, application_name text,
  request_id text, trace_id text, span_id text, correlation_id text, reason text);
create function audit.tx_identity() returns audit.tx_identity
  language plpgsql stable as $$
declare
  r text := audit.acting_role();
begin
  return row(nullif(current_setting('ballast.org_id', true), ''),
             coalesce(nullif(current_setting('ballast.actor', true), ''), r), r,
             audit.job_label(), nullif(current_setting('ballast.endpoint', true), ''),
             nullif(current_setting('application_name'), ''), nullif(current_setting('ballast.request_id', true), ''),
             nullif(current_setting('ballast.trace_id', true), ''), nullif(current_setting('ballast.span_id', true), ''),
             nullif(current_setting('ballast.correlation_id', true), ''),
             nullif(current_setting('ballast.reason', true), ''))::audit.tx_identity;
end $$;
comment on function audit.tx_identity() is 'the transaction''s identity settings (ballast.actor, request_id, trace_id, reason, ...) as the ledger records them';

-- A status reaching its end, or a dead letter resolved, is a completion.
create function audit.is_completion(b jsonb, a jsonb) returns boolean
  language plpgsql immutable parallel safe as $$
begin
  return (a ->> 'status' in ('completed', 'resolved') and b ->> 'status' is distinct from a ->> 'status')
      or (a ? 'resolved_at' and b ->> 'resolved_at' is null and a ->> 'resolved_at' is not null);
end $$;

-- Redaction replaces every redacted value in one concatenation; it replaced
-- them one jsonb_set() at a time, each rebuilding the whole image. Same
-- result: the value's short SHA-256, nulls and absent columns left alone.
create or replace function audit.redact(j jsonb, cols text[]) returns jsonb
  language plpgsql immutable parallel safe as $$
declare
  c text;
  k text[] := '{}';
  v text[] := '{}';
begin
  if j is null or cardinality(cols) = 0 then
    return j;
  end if;
  foreach c in array cols loop
    if jsonb_typeof(j -> c) <> 'null' then
      k := k || c;
      v := v || ('sha256:' || left(encode(sha256(convert_to((j -> c)::text, 'UTF8')), 'hex'), 16));
    end if;
  end loop;
  return j || jsonb_object(k, v);
end $$;

-- TG_ARGV[0] = key columns (text[] literal), TG_ARGV[1] = redacted columns
-- (text[] literal), TG_ARGV[2] = the key column when there is exactly one,
-- else ''. Each capture function comes in two forms, and audit.enable() picks
-- one per table: the *_simple form, for a one-column key with nothing to
-- redact (most tables), reads the key straight from the row image and stores
-- the image as it is; the general form goes through audit.redact(), and
-- through audit.key_of() when the key has several columns (a primary key
-- column is never NULL, so the coalesce falls through only for those).
-- Triggers attached before this migration have no TG_ARGV[2] (NULL) and use
-- the general form, which handles them.
create or replace function audit.capture_insert() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  i audit.tx_identity := audit.tx_identity();
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, after_data, reason)
  select coalesce(j ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
         i.request_id, i.trace_id, i.span_id, i.correlation_id, 'create',
         concat_ws('.', tg_table_schema, tg_table_name),
         coalesce(j ->> tg_argv[2], audit.key_of(j, tg_argv[0]::text[])), audit.redact(j, tg_argv[1]::text[]), i.reason
    from (select to_jsonb(r) as j from audit_new r offset 0) rows;
  return null;
end $$;

create or replace function audit.capture_insert_simple() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  i audit.tx_identity := audit.tx_identity();
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, after_data, reason)
  select coalesce(j ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
         i.request_id, i.trace_id, i.span_id, i.correlation_id, 'create',
         concat_ws('.', tg_table_schema, tg_table_name), j ->> tg_argv[2], j, i.reason
    from (select to_jsonb(r) as j from audit_new r offset 0) rows;
  return null;
end $$;

create or replace function audit.capture_delete() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  i audit.tx_identity := audit.tx_identity();
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, reason)
  select coalesce(j ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
         i.request_id, i.trace_id, i.span_id, i.correlation_id, 'delete',
         concat_ws('.', tg_table_schema, tg_table_name),
         coalesce(j ->> tg_argv[2], audit.key_of(j, tg_argv[0]::text[])), audit.redact(j, tg_argv[1]::text[]), i.reason
    from (select to_jsonb(r) as j from audit_old r offset 0) rows;
  return null;
end $$;

create or replace function audit.capture_delete_simple() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  i audit.tx_identity := audit.tx_identity();
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, reason)
  select coalesce(j ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
         i.request_id, i.trace_id, i.span_id, i.correlation_id, 'delete',
         concat_ws('.', tg_table_schema, tg_table_name), j ->> tg_argv[2], j, i.reason
    from (select to_jsonb(r) as j from audit_old r offset 0) rows;
  return null;
end $$;

-- An UPDATE that changes nothing leaves no row.
create or replace function audit.capture_update() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  b jsonb := to_jsonb(old);
  a jsonb := to_jsonb(new);
  i audit.tx_identity;
begin
  if a = b then
    return null;
  end if;
  i := audit.tx_identity();
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason)
  values (coalesce(a ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
          i.request_id, i.trace_id, i.span_id, i.correlation_id,
          case when (a ? 'status' or a ? 'resolved_at') and audit.is_completion(b, a) then 'complete' else 'update' end,
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
begin
  if a = b then
    return null;
  end if;
  i := audit.tx_identity();
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason)
  values (coalesce(a ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
          i.request_id, i.trace_id, i.span_id, i.correlation_id,
          case when (a ? 'status' or a ? 'resolved_at') and audit.is_completion(b, a) then 'complete' else 'update' end,
          concat_ws('.', tg_table_schema, tg_table_name), a ->> tg_argv[2], b, a, i.reason);
  return null;
end $$;

-- Like the general forms (011), they run as the audit writer: the only role that may append to the ledger.
alter function audit.capture_insert_simple() owner to ballast_audit_writer;
alter function audit.capture_delete_simple() owner to ballast_audit_writer;
alter function audit.capture_update_simple() owner to ballast_audit_writer;

-- TRUNCATE and GRANT/REVOKE rows read the same identity, from the same place.
create or replace function audit.capture_truncate() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  i audit.tx_identity := audit.tx_identity();
begin
  insert into audit.ledger (actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, reason)
  values (i.actor, i.db_role, i.job, i.endpoint, i.application_name, i.request_id, i.trace_id, i.span_id,
          i.correlation_id, 'truncate', concat_ws('.', tg_table_schema, tg_table_name), i.reason);
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
            i.correlation_id, lower(r.command_tag), coalesce(lower(r.object_type), 'privilege'), r.object_identity,
            jsonb_build_object('statement', left(current_query(), 2000)), i.reason);
  end loop;
end $$;

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
                    for each row execute function audit.capture_update%s(%s)', target, form, args);
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
