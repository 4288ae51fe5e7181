-- Issue 16: the audit ledger's UPDATE path, cheaper with the same rows; and
-- agents' phone numbers masked in the ledger like every other phone number.
-- Functions and the agents' audit registration only; no table changes, and no
-- ledger row is rewritten (the ledger is append-only). Measurements:
-- docs/performance.md ("The audit's UPDATE path after 013").

-- 1. The name an UPDATE's ledger row records.
--
-- 013 made every UPDATE capture call audit.table_of(tg_relid), a SQL function
-- with its own search_path: such a function is never inlined, so each call
-- parsed and planned its catalog join again (every audited UPDATE ran a new
-- executor for its ledger INSERT). The name is the same text as before:
-- - for a relation that is not a partition, tg_table_schema and tg_table_name
--   are the nspname and relname table_of read from the catalog (what 006
--   recorded); pg_partition_root() tells the two cases apart from the
--   relation cache, and is null for a table outside any partition tree;
-- - for a partition, audit.table_of still names its partitioned table. It
--   is PL/pgSQL now, which keeps its query's plan for the session.

create or replace function audit.table_of(p_relid oid) returns text
  language plpgsql stable set search_path = pg_catalog, pg_temp as $$
declare
  name text;
begin
  select n.nspname || '.' || c.relname into name from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.oid = coalesce(pg_partition_root(p_relid), p_relid);
  return name;
end $$;

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
          case when pg_partition_root(tg_relid) <> tg_relid then audit.table_of(tg_relid)
               else concat_ws('.', tg_table_schema, tg_table_name) end,
          coalesce(a ->> tg_argv[2], audit.key_of(a, tg_argv[0]::text[])),
          audit.redact(b, tg_argv[1]::text[]), audit.redact(a, tg_argv[1]::text[]), i.reason);
  return null;
end $$;

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
          case when pg_partition_root(tg_relid) <> tg_relid then audit.table_of(tg_relid)
               else concat_ws('.', tg_table_schema, tg_table_name) end,
          a ->> tg_argv[2], b, a, i.reason);
  return null;
end $$;

-- 2. Agents' phone numbers are personal data: masked in the ledger from now
-- on, as app.interactions' from_number and to_number and app.unknown_phone's
-- phone_number are. audit.enable re-attaches the triggers with the redaction
-- list (and the general capture form, which applies it) and records it in
-- audit.tracked_tables. Rows written before stay as they are: the ledger is
-- append-only and sealed.
select audit.enable('app.agents', gated => true, redact => array['phone_number']);
