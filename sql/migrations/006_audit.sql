-- Audit ledger (seed 003, Phase 1): one append-only table, generic triggers
-- attached with one call, a hash chain sealed after commit, gated deletes.
-- Roles and grants are in 007_roles.sql; decision snapshots in 008_decisions.sql.

create schema audit;
comment on schema audit is 'append-only audit ledger, its hash chain, and the triggers that feed it';

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
  operation         text not null check (operation in ('create', 'update', 'delete', 'complete', 'grant', 'revoke', 'truncate')),
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
create index ledger_entity_idx on audit.ledger (entity_type, entity_id, id);
create index ledger_trace_idx on audit.ledger (trace_id) where trace_id is not null;
create index ledger_deletes_idx on audit.ledger (occurred_at desc) where operation in ('delete', 'truncate');

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

-- Helpers (pure).
create function audit.key_of(j jsonb, keys text[]) returns text
  language sql immutable parallel safe as $$
  select case when cardinality(keys) = 1 then j ->> keys[1]
              else array_to_string(array(select j ->> k from unnest(keys) k), ',') end
$$;

-- Personal data and secrets are kept as a short hash: enough to see that a value changed.
create function audit.redact(j jsonb, cols text[]) returns jsonb
  language sql immutable parallel safe as $$
  select case when j is null or cardinality(cols) = 0 then j else
    (select jsonb_object_agg(key, case when key = any(cols) and jsonb_typeof(value) <> 'null'
                                      then to_jsonb('sha256:' || left(encode(sha256(convert_to(value::text, 'UTF8')), 'hex'), 16))
                                      else value end)
       from jsonb_each(j)) end
$$;

-- The role the caller acts as (SET ROLE survives SECURITY DEFINER; current_user does not).
create function audit.acting_role() returns text
  language sql stable as $$
  select case when current_setting('role') = 'none' then session_user::text else current_setting('role') end
$$;

create function audit.job_label() returns text
  language sql stable as $$
  select ballast.setting('task') || coalesce('@' || ballast.setting('task_version'), '')
$$;

-- Writers: one statement-level trigger per INSERT / DELETE (set-based, through
-- transition tables), one row-level trigger for UPDATE (old and new paired).
-- TG_ARGV[0] = key columns, TG_ARGV[1] = redacted columns.
create function audit.capture_insert() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  keys text[] := tg_argv[0]::text[];
  red  text[] := tg_argv[1]::text[];
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, after_data, reason)
  select coalesce(j ->> 'org_id', ballast.setting('org_id')), coalesce(ballast.setting('actor'), audit.acting_role()),
         audit.acting_role(), audit.job_label(), ballast.setting('endpoint'), nullif(current_setting('application_name'), ''),
         ballast.setting('request_id'), ballast.setting('trace_id'), ballast.setting('span_id'),
         ballast.setting('correlation_id'), 'create', tg_table_schema || '.' || tg_table_name,
         audit.key_of(j, keys), audit.redact(j, red), ballast.setting('reason')
    from (select to_jsonb(n) as j from audit_new n) rows;
  return null;
end $$;

create function audit.capture_delete() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  keys text[] := tg_argv[0]::text[];
  red  text[] := tg_argv[1]::text[];
begin
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, reason)
  select coalesce(j ->> 'org_id', ballast.setting('org_id')), coalesce(ballast.setting('actor'), audit.acting_role()),
         audit.acting_role(), audit.job_label(), ballast.setting('endpoint'), nullif(current_setting('application_name'), ''),
         ballast.setting('request_id'), ballast.setting('trace_id'), ballast.setting('span_id'),
         ballast.setting('correlation_id'), 'delete', tg_table_schema || '.' || tg_table_name,
         audit.key_of(j, keys), audit.redact(j, red), ballast.setting('reason')
    from (select to_jsonb(o) as j from audit_old o) rows;
  return null;
end $$;

create function audit.capture_update() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  keys text[] := tg_argv[0]::text[];
  red  text[] := tg_argv[1]::text[];
  b jsonb := to_jsonb(old);
  a jsonb := to_jsonb(new);
  op text := 'update';
begin
  if a = b then return null; end if;
  -- A status reaching its end, or a dead letter resolved, is a completion.
  if (a ->> 'status' in ('completed', 'resolved') and b ->> 'status' is distinct from a ->> 'status')
     or (a ? 'resolved_at' and b ->> 'resolved_at' is null and a ->> 'resolved_at' is not null) then
    op := 'complete';
  end if;
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason, metadata)
  values (coalesce(a ->> 'org_id', ballast.setting('org_id')), coalesce(ballast.setting('actor'), audit.acting_role()),
          audit.acting_role(), audit.job_label(), ballast.setting('endpoint'), nullif(current_setting('application_name'), ''),
          ballast.setting('request_id'), ballast.setting('trace_id'), ballast.setting('span_id'),
          ballast.setting('correlation_id'), op, tg_table_schema || '.' || tg_table_name,
          audit.key_of(a, keys), audit.redact(b, red), audit.redact(a, red), ballast.setting('reason'),
          jsonb_build_object('changed', (select jsonb_agg(k order by k) from jsonb_object_keys(a) k
                                           where a -> k is distinct from b -> k)));
  return null;
end $$;

create function audit.capture_truncate() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  insert into audit.ledger (actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, reason)
  values (coalesce(ballast.setting('actor'), audit.acting_role()), audit.acting_role(), audit.job_label(),
          ballast.setting('endpoint'), nullif(current_setting('application_name'), ''), ballast.setting('request_id'),
          ballast.setting('trace_id'), ballast.setting('span_id'), ballast.setting('correlation_id'),
          'truncate', tg_table_schema || '.' || tg_table_name, ballast.setting('reason'));
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
begin
  select array_agg(a.attname::text order by k.ord) into keys
    from pg_index i
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = target and i.indisprimary;
  if keys is null then
    raise exception 'audit.enable: % has no primary key to name its rows', target;
  end if;
  args := format('%L, %L', keys::text, redact::text);
  execute format('drop trigger if exists audit_insert on %s', target);
  execute format('drop trigger if exists audit_update on %s', target);
  execute format('drop trigger if exists audit_delete on %s', target);
  execute format('drop trigger if exists audit_truncate on %s', target);
  execute format('drop trigger if exists audit_gate_delete on %s', target);
  execute format('drop trigger if exists audit_gate_truncate on %s', target);
  execute format('create trigger audit_insert after insert on %s referencing new table as audit_new
                    for each statement execute function audit.capture_insert(%s)', target, args);
  execute format('create trigger audit_update after update on %s
                    for each row execute function audit.capture_update(%s)', target, args);
  execute format('create trigger audit_delete after delete on %s referencing old table as audit_old
                    for each statement execute function audit.capture_delete(%s)', target, args);
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

-- GRANT and REVOKE leave a row too. Event triggers need a superuser; where the
-- migrating role is not one, this part is skipped with a notice.
create function audit.capture_grant() returns event_trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  r record;
begin
  for r in select * from pg_event_trigger_ddl_commands() where command_tag in ('GRANT', 'REVOKE') loop
    insert into audit.ledger (actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                              correlation_id, operation, entity_type, entity_id, after_data, reason)
    values (coalesce(ballast.setting('actor'), audit.acting_role()), audit.acting_role(), audit.job_label(),
            ballast.setting('endpoint'), nullif(current_setting('application_name'), ''), ballast.setting('request_id'),
            ballast.setting('trace_id'), ballast.setting('span_id'), ballast.setting('correlation_id'),
            lower(r.command_tag), coalesce(lower(r.object_type), 'privilege'), r.object_identity,
            jsonb_build_object('statement', left(current_query(), 2000)), ballast.setting('reason'));
  end loop;
end $$;

-- Decision snapshots (seed 002, Track 2.1): what a decision stage saw and
-- decided, with the engine's version and code hash, for offline replay.
create schema replay;
comment on schema replay is 'decision snapshots for offline replay';

create table replay.decisions (
  id                bigint generated always as identity primary key,
  task              text not null,
  task_version      text not null,
  engine            text not null,
  engine_version    text not null,
  engine_code_hash  text not null check (engine_code_hash ~ '^[0-9a-f]{64}$'),
  ruleset           text,
  interaction_id    bigint not null,
  input             jsonb not null,
  input_hash        text not null,
  input_redacted    boolean not null,
  output            jsonb not null,
  output_hash       text not null,
  live_output_hash  text not null,
  trace_id          text default ballast.setting('trace_id'),
  correlation_id    text default ballast.setting('correlation_id'),
  span_id           text default ballast.setting('span_id'),
  decided_at        timestamptz not null default now()
);
comment on column replay.decisions.input is 'engine input with personal data and secrets replaced by placeholders';
comment on column replay.decisions.input_hash is 'sha256 of the original, unredacted input';
comment on column replay.decisions.output is 'what the engine decided on the stored input (the replay baseline)';
comment on column replay.decisions.live_output_hash is 'sha256 of what the stage wrote; equals output_hash unless the input was redacted';
create index decisions_task_idx on replay.decisions (task, decided_at);
create index decisions_interaction_idx on replay.decisions (interaction_id, id);
create index decisions_trace_idx on replay.decisions (trace_id);
create index decisions_span_idx on replay.decisions (span_id);
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
-- Dead letters belong to 004_failures; attach when that migration defined them.
do $$
begin
  if to_regclass('ballast.pipeline_failures') is not null then
    perform audit.enable('ballast.pipeline_failures', gated => true, redact => array['payload_snapshot', 'context']);
  end if;
end $$;
