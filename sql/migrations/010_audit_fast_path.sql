-- Cheaper audit rows (test/bench/audit.ts, npm run bench:audit).
--
-- The capture functions read the transaction's identity with built-ins, each
-- setting once per call: ballast.setting() is PL/pgSQL since 009 (cheap to
-- plan in ad-hoc statements), which made its ten calls per audit row cost a
-- function call each here, where the plan is cached anyway.
--
-- The operation check moves into a domain: a check constraint with a list of
-- constants is rebuilt for every INSERT statement, a domain's check once per
-- session.

create domain audit.operation_kind as text
  check (value in ('create', 'update', 'delete', 'complete', 'grant', 'revoke', 'truncate'));
alter table audit.ledger
  drop constraint ledger_operation_check,
  alter column operation type audit.operation_kind;

create or replace function audit.job_label() returns text
  language sql stable as $$
  select nullif(current_setting('ballast.task', true), '')
         || coalesce('@' || nullif(current_setting('ballast.task_version', true), ''), '')
$$;

create or replace function audit.capture_insert() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  keys   text[] := tg_argv[0]::text[];
  red    text[] := tg_argv[1]::text[];
  role_  text   := audit.acting_role();
  actor_ text   := coalesce(nullif(current_setting('ballast.actor', true), ''), role_);
  org_   text   := nullif(current_setting('ballast.org_id', true), '');
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, after_data, reason)
  select coalesce(j ->> 'org_id', org_), actor_, role_, audit.job_label(),
         nullif(current_setting('ballast.endpoint', true), ''), nullif(current_setting('application_name'), ''),
         nullif(current_setting('ballast.request_id', true), ''), nullif(current_setting('ballast.trace_id', true), ''),
         nullif(current_setting('ballast.span_id', true), ''), nullif(current_setting('ballast.correlation_id', true), ''),
         'create', tg_table_schema || '.' || tg_table_name,
         audit.key_of(j, keys), audit.redact(j, red), nullif(current_setting('ballast.reason', true), '')
    from (select to_jsonb(n) as j from audit_new n) rows;
  return null;
end $$;

create or replace function audit.capture_delete() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  keys   text[] := tg_argv[0]::text[];
  red    text[] := tg_argv[1]::text[];
  role_  text   := audit.acting_role();
  actor_ text   := coalesce(nullif(current_setting('ballast.actor', true), ''), role_);
  org_   text   := nullif(current_setting('ballast.org_id', true), '');
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, reason)
  select coalesce(j ->> 'org_id', org_), actor_, role_, audit.job_label(),
         nullif(current_setting('ballast.endpoint', true), ''), nullif(current_setting('application_name'), ''),
         nullif(current_setting('ballast.request_id', true), ''), nullif(current_setting('ballast.trace_id', true), ''),
         nullif(current_setting('ballast.span_id', true), ''), nullif(current_setting('ballast.correlation_id', true), ''),
         'delete', tg_table_schema || '.' || tg_table_name,
         audit.key_of(j, keys), audit.redact(j, red), nullif(current_setting('ballast.reason', true), '')
    from (select to_jsonb(o) as j from audit_old o) rows;
  return null;
end $$;

create or replace function audit.capture_update() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  keys text[] := tg_argv[0]::text[];
  red  text[] := tg_argv[1]::text[];
  b jsonb := to_jsonb(old);
  a jsonb := to_jsonb(new);
  op text := 'update';
  role_ text;
begin
  if a = b then return null; end if;
  -- A status reaching its end, or a dead letter resolved, is a completion.
  if (a ->> 'status' in ('completed', 'resolved') and b ->> 'status' is distinct from a ->> 'status')
     or (a ? 'resolved_at' and b ->> 'resolved_at' is null and a ->> 'resolved_at' is not null) then
    op := 'complete';
  end if;
  role_ := audit.acting_role();
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason, metadata)
  values (coalesce(a ->> 'org_id', nullif(current_setting('ballast.org_id', true), '')),
          coalesce(nullif(current_setting('ballast.actor', true), ''), role_), role_, audit.job_label(),
          nullif(current_setting('ballast.endpoint', true), ''), nullif(current_setting('application_name'), ''),
          nullif(current_setting('ballast.request_id', true), ''), nullif(current_setting('ballast.trace_id', true), ''),
          nullif(current_setting('ballast.span_id', true), ''), nullif(current_setting('ballast.correlation_id', true), ''),
          op, tg_table_schema || '.' || tg_table_name,
          audit.key_of(a, keys), audit.redact(b, red), audit.redact(a, red), nullif(current_setting('ballast.reason', true), ''),
          jsonb_build_object('changed', (select jsonb_agg(k order by k) from jsonb_object_keys(a) k
                                           where a -> k is distinct from b -> k)));
  return null;
end $$;
