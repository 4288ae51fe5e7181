-- Audit ledger (seed 003, Phase 1): one append-only table, generic triggers
-- attached with one call, a hash chain sealed after commit, gated deletes.
-- Roles and grants are in 007_roles.sql.
--
-- An audited change costs one ledger INSERT in the writer's transaction, so
-- the capture functions are written to keep that INSERT cheap to set up:
-- each runs one INSERT, reads the transaction's identity once per statement
-- (audit.tx_identity()), and tables with a one-column key and nothing to
-- redact get *_simple forms that skip the key and redaction helpers.

create schema audit;
comment on schema audit is 'append-only audit ledger, its hash chain, and the triggers that feed it';

-- An enum, not a check: its values are checked once, when the capture
-- function's INSERT is planned, not for every row.
create type audit.operation as enum ('create', 'update', 'delete', 'complete', 'grant', 'revoke', 'truncate');
comment on type audit.operation is 'what an audit ledger row records';

-- One row per changed row (or per TRUNCATE / GRANT / REVOKE). Written only by
-- the SECURITY DEFINER functions below, in the same transaction as the change.
create table audit.ledger (
  id                bigint generated always as identity primary key,
  txid              xid8 not null default pg_current_xact_id(),
  occurred_at       timestamptz not null default clock_timestamp(),
  org_id            text,
  actor             text not null,
  db_role           text not null,
  job               text,
  endpoint          text,
  application_name  text,
  request_id        text,
  trace_id          text,
  span_id           text,
  correlation_id    text,
  operation         audit.operation not null,
  entity_type       text not null,
  entity_id         text,
  before_data       jsonb,
  after_data        jsonb,
  reason            text,
  metadata          jsonb not null default '{}'
);
comment on table audit.ledger is 'append-only: UPDATE, DELETE and TRUNCATE are refused; sealed into audit.chain by audit.seal()';
comment on column audit.ledger.txid is 'writing transaction; the chain orders rows by (txid, id) once every older transaction has finished';
comment on column audit.ledger.actor is 'ballast.actor of the transaction (worker:<id>, cli:<user>, ...), else the database role';
comment on column audit.ledger.job is 'task@version when a stage wrote the row';
create index ledger_chain_order_idx on audit.ledger (txid, id);
-- Row history. On entity_id alone: the keys arrive in no order, so every
-- insert walks the index from its root, and a narrower key makes each step
-- cheaper. The entity type is then a filter, and the few rows of one entity
-- are sorted by id. (A hash index would make one hot entity's changes ever
-- slower: a bucket is walked from its first page on every insert.)
create index ledger_entity_idx on audit.ledger (entity_id);
comment on index audit.ledger_entity_idx is 'row history: the entries of one entity id (the recipe filters on entity_type)';
create index ledger_trace_idx on audit.ledger (trace_id) where trace_id is not null;
-- Deletes and truncates are exactly the rows with no after image; a null
-- test is a cheaper index condition to set up than a list of operations.
create index ledger_deletes_idx on audit.ledger (occurred_at desc) where after_data is null;
comment on index audit.ledger_deletes_idx is 'deletes and truncates (the only rows with no after image), newest first';

-- The hash chain: row_hash = sha256(canonical row), chain_hash = sha256(previous chain_hash || row_hash).
create table audit.chain (
  seq         bigint primary key,
  ledger_id   bigint not null unique,
  txid        xid8 not null,
  row_hash    bytea not null,
  chain_hash  bytea not null,
  seal_id     bigint not null
);
comment on table audit.chain is 'position of each sealed ledger row in the hash chain (append-only)';

create table audit.seals (
  id          bigint generated always as identity primary key,
  sealed_at   timestamptz not null default now(),
  sealed_by   text not null,
  horizon     xid8 not null,
  first_seq   bigint,
  last_seq    bigint,
  row_count   int not null,
  head_hash   text not null
);
comment on table audit.seals is 'one row per seal run; head_hash is the chain head after it (copy it somewhere else to anchor the chain)';

-- Which tables are audited, and how.
create table audit.tracked_tables (
  relid           regclass primary key,
  gated           boolean not null,
  key_columns     text[] not null,
  redact_columns  text[] not null default '{}',
  enabled_at      timestamptz not null default now(),
  enabled_by      text not null default coalesce(ballast.setting('actor'), current_user)
);

-- Append-only guard, for the ledger and its chain. A superuser can still
-- disable triggers; audit.seal() and `ballast audit verify` catch that.
create function audit.refuse_change() returns trigger
  language plpgsql as $$
begin
  raise exception '% is append-only: % refused', tg_table_schema || '.' || tg_table_name, tg_op
    using errcode = '42501', hint = 'audit rows are never changed or removed';
end $$;
create trigger ledger_append_only before update or delete on audit.ledger
  for each row execute function audit.refuse_change();
create trigger ledger_no_truncate before truncate on audit.ledger
  for each statement execute function audit.refuse_change();
create trigger chain_append_only before update or delete on audit.chain
  for each row execute function audit.refuse_change();
create trigger chain_no_truncate before truncate on audit.chain
  for each statement execute function audit.refuse_change();
create trigger seals_append_only before update or delete on audit.seals
  for each row execute function audit.refuse_change();
create trigger seals_no_truncate before truncate on audit.seals
  for each statement execute function audit.refuse_change();

-- Helpers (pure). PL/pgSQL rather than SQL: a SQL function that is not
-- inlined (these use their arguments more than once) is planned again on
-- every call; PL/pgSQL keeps its plans.
create function audit.key_of(j jsonb, keys text[]) returns text
  language plpgsql immutable parallel safe as $$
begin
  if cardinality(keys) = 1 then
    return j ->> keys[1];
  end if;
  return array_to_string(array(select j ->> k from unnest(keys) k), ',');
end $$;

-- The key of the redaction masks, one per install, made here from the
-- server's strong random source (four random UUIDs: 488 random bits). It is
-- kept as HMAC-SHA256's inner and outer padded keys (the 64-byte key XOR 0x36
-- and XOR 0x5c), so a mask costs two sha256() calls. Only the audit writer,
-- as which the capture triggers run, may read it (007_roles): without it a
-- mask cannot be recomputed from guessed values, so a masked phone number
-- cannot be brute-forced back.
create table audit.redaction_key (
  singleton   boolean primary key default true check (singleton),
  ipad        bytea not null check (length(ipad) = 64),
  opad        bytea not null check (length(opad) = 64),
  created_at  timestamptz not null default now()
);
comment on table audit.redaction_key is 'the per-install HMAC key of audit.redact(), as its padded inner and outer keys; readable by ballast_audit_writer only';
do $$
declare
  k bytea := decode(replace(concat(gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), gen_random_uuid()), '-', ''), 'hex');
  ipad bytea := k;
  opad bytea := k;
begin
  for n in 0 .. 63 loop
    ipad := set_byte(ipad, n, get_byte(k, n) # 54);
    opad := set_byte(opad, n, get_byte(k, n) # 92);
  end loop;
  insert into audit.redaction_key (ipad, opad) values (ipad, opad);
end $$;

-- Personal data and secrets are kept as a short keyed hash,
-- 'hmac-sha256:' and the first 16 hex digits of HMAC-SHA256(key, value as
-- JSON text): enough to see that a value changed, useless for guessing it.
-- Every redacted value is replaced in one concatenation; nulls and absent
-- columns are left alone. The key is read only when there is a value to
-- mask, so callers that cannot read it (every role but the audit writer)
-- cannot use this function to test guesses.
create function audit.redact(j jsonb, cols text[]) returns jsonb
  language plpgsql stable parallel safe as $$
declare
  c text;
  k text[] := '{}';
  v text[] := '{}';
  ipad bytea;
  opad bytea;
begin
  if j is null or cardinality(cols) = 0 then
    return j;
  end if;
  foreach c in array cols loop
    if jsonb_typeof(j -> c) <> 'null' then
      if ipad is null then
        select r.ipad, r.opad into strict ipad, opad from audit.redaction_key r;
      end if;
      k := k || c;
      v := v || ('hmac-sha256:' || left(encode(sha256(opad || sha256(ipad || convert_to((j -> c)::text, 'UTF8'))), 'hex'), 16));
    end if;
  end loop;
  return j || jsonb_object(k, v);
end $$;

-- The role the caller acts as (SET ROLE survives SECURITY DEFINER; current_user does not).
create function audit.acting_role() returns text
  language sql stable as $$
  select case when current_setting('role') = 'none' then session_user::text else current_setting('role') end
$$;

-- task@version of the stage that is writing, read with built-ins.
create function audit.job_label() returns text
  language sql stable as $$
  select nullif(current_setting('ballast.task', true), '')
         || coalesce('@' || nullif(current_setting('ballast.task_version', true), ''), '')
$$;

-- Who is acting: every identity setting a ledger row records, read once per
-- audited statement. As one PL/pgSQL expression it is compiled once per
-- transaction, however many statements it audits.
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

-- Whether a table's updates can be completions: it has a status or a
-- resolved_at column (see audit.is_completion()).
create function audit.can_complete(target regclass) returns boolean
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select exists (select from pg_attribute a
                  where a.attrelid = target and a.attname in ('status', 'resolved_at') and a.attnum > 0 and not a.attisdropped)
$$;

-- Writers: one statement-level trigger per INSERT / DELETE (set-based, through
-- transition tables), one row-level trigger for UPDATE (old and new paired).
-- TG_ARGV[0] = key columns (text[] literal), TG_ARGV[1] = redacted columns
-- (text[] literal), TG_ARGV[2] = the key column when there is exactly one,
-- else '', TG_ARGV[3] (UPDATE only) = 'completes' on tables whose updates can
-- be completions. Each capture function comes in two forms, and audit.enable()
-- picks one per table: the *_simple form, for a one-column key with nothing to
-- redact (most tables), reads the key straight from the row image and stores
-- the image as it is; the general form goes through audit.redact(), and
-- through audit.key_of() when the key has several columns (a primary key
-- column is never NULL, so the coalesce falls through only for those).
create function audit.capture_insert() returns trigger
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

create function audit.capture_insert_simple() returns trigger
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

create function audit.capture_delete() returns trigger
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

create function audit.capture_delete_simple() returns trigger
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

-- An UPDATE that changes nothing leaves no row. A status reaching its end, or
-- a dead letter resolved, is a completion; only tables that can have one (a
-- fourth trigger argument) are tested, and a trigger attached by hand with
-- two arguments is tested too. The test reads the row images, not the
-- columns, so the trigger does not depend on them: they can be altered or
-- dropped.
create function audit.capture_update() returns trigger
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
create function audit.capture_update_simple() returns trigger
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

create function audit.capture_truncate() returns trigger
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

-- Gate (seed 003, Hard Requirements): destructive operations need a stated reason.
create function audit.require_reason() returns trigger
  language plpgsql as $$
begin
  if ballast.setting('reason') is null then
    raise exception '% on % needs a reason', tg_op, tg_table_schema || '.' || tg_table_name
      using errcode = '42501',
            hint = 'state one for the transaction: select set_config(''ballast.reason'', ''<why>'', true); '
                   'from code: db.atomicWrite(fn, { reason })';
  end if;
  return case when tg_level = 'ROW' then old else null end;
end $$;

/**
 * Attaches the audit triggers to a table (one call, idempotent):
 *   select audit.enable('app.interactions', gated => true, redact => array['transcript', 'body']);
 */
create function audit.enable(target regclass, gated boolean default false, redact text[] default '{}')
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

-- Canonical form of a ledger row; every column, in a fixed order, timezone-independent.
create function audit.row_hash(l audit.ledger) returns bytea
  language sql stable as $$
  select sha256(convert_to(jsonb_build_array(
    l.id, l.txid::text, to_char(l.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    l.org_id, l.actor, l.db_role, l.job, l.endpoint, l.application_name, l.request_id, l.trace_id,
    l.span_id, l.correlation_id, l.operation, l.entity_type, l.entity_id, l.before_data, l.after_data,
    l.reason, l.metadata)::text, 'UTF8'))
$$;

/**
 * Seals committed ledger rows into the chain, in (txid, id) order. Only rows of
 * transactions older than the oldest one still running are taken, so a row
 * that commits late can never land behind the sealed frontier. Writers never
 * wait for this: one sealer at a time holds an advisory lock, nobody else does.
 */
create function audit.seal(max_rows int default 10000)
  returns table (sealed int, head text, horizon xid8)
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  h xid8 := pg_snapshot_xmin(pg_current_snapshot());
  last audit.chain;
  r record;
  prev bytea;
  n int := 0;
  s bigint := nextval(pg_get_serial_sequence('audit.seals', 'id'));
begin
  perform pg_advisory_xact_lock(hashtext('audit.seal'));
  select * into last from audit.chain order by seq desc limit 1;
  prev := coalesce(last.chain_hash, '\x'::bytea);
  for r in
    select l.id, l.txid, audit.row_hash(l) as rh
      from audit.ledger l
     where l.txid < h
       and (last.seq is null or (l.txid, l.id) > (last.txid, last.ledger_id))
     order by l.txid, l.id
     limit max_rows
  loop
    n := n + 1;
    prev := sha256(prev || r.rh);
    insert into audit.chain (seq, ledger_id, txid, row_hash, chain_hash, seal_id)
    values (coalesce(last.seq, 0) + n, r.id, r.txid, r.rh, prev, s);
  end loop;
  if n > 0 then
    insert into audit.seals (id, sealed_by, horizon, first_seq, last_seq, row_count, head_hash)
    overriding system value
    values (s, coalesce(ballast.setting('actor'), audit.acting_role()), h,
            coalesce(last.seq, 0) + 1, coalesce(last.seq, 0) + n, n, encode(prev, 'hex'));
  end if;
  return query select n, encode(nullif(prev, '\x'::bytea), 'hex'), h;
end $$;

-- GRANT and REVOKE leave a row too. Event triggers need a superuser; the
-- event trigger itself is created in 007_roles, or skipped with a notice.
create function audit.capture_grant() returns event_trigger
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

-- Decision snapshots (003_pipeline) are evidence: deleting them needs a reason.
create trigger decisions_gate_delete before delete on replay.decisions
  for each row execute function audit.require_reason();
create trigger decisions_gate_truncate before truncate on replay.decisions
  for each statement execute function audit.require_reason();

-- Attach the ledger to every critical table of the reference pipeline and of the runtime.
select audit.enable('app.agents', gated => true);
select audit.enable('app.interactions', gated => true, redact => array['transcript', 'body', 'from_number', 'to_number']);
select audit.enable('app.summaries', gated => true, redact => array['summary', 'key_points']);
select audit.enable('app.claims', gated => true, redact => array['text']);
select audit.enable('app.striking_flags', gated => true, redact => array['evidence']);
select audit.enable('app.unknown_phone', redact => array['phone_number']);
select audit.enable('ingest.webhook_events', gated => true, redact => array['raw_body', 'payload', 'headers']);
select audit.enable('ballast.trace_policy', gated => true);
select audit.enable('ballast.failure_settings', gated => true);
-- Rare (one row per violation), so cheap to audit; the owner's changes to them show too.
select audit.enable('ballast.policy_violations');
-- The registry changes what the pipeline does: who changed it is audited.
select audit.enable('ballast.stages');
select audit.enable('ballast.pipeline_failures', gated => true, redact => array['payload_snapshot', 'context']);
