--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA app;

--
-- Name: SCHEMA app; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA app IS 'reference pipeline data (telephony)';

--
-- Name: audit; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA audit;

--
-- Name: SCHEMA audit; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA audit IS 'append-only audit ledger, its hash chain, and the triggers that feed it';

--
-- Name: ballast; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA ballast;

--
-- Name: SCHEMA ballast; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA ballast IS 'ballast runtime: job ledger, policies, settings';

--
-- Name: graphile_worker; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA graphile_worker;

--
-- Name: ingest; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA ingest;

--
-- Name: SCHEMA ingest; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA ingest IS 'raw inbound events, kept before processing';

--
-- Name: replay; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA replay;

--
-- Name: SCHEMA replay; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA replay IS 'decision snapshots for offline replay';

--
-- Name: search; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA search;

--
-- Name: SCHEMA search; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA search IS 'transactional outbox to Qdrant, versions, reconciliation runs';

--
-- Name: operation; Type: TYPE; Schema: audit; Owner: -
--

CREATE TYPE audit.operation AS ENUM (
    'create',
    'update',
    'delete',
    'complete',
    'grant',
    'revoke',
    'truncate'
);

--
-- Name: TYPE operation; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON TYPE audit.operation IS 'what an audit ledger row records';

--
-- Name: tx_identity; Type: TYPE; Schema: audit; Owner: -
--

CREATE TYPE audit.tx_identity AS (
	org_id text,
	actor text,
	db_role text,
	job text,
	endpoint text,
	application_name text,
	request_id text,
	trace_id text,
	span_id text,
	correlation_id text,
	reason text
);

--
-- Name: attempt_status; Type: DOMAIN; Schema: ballast; Owner: -
--

CREATE DOMAIN ballast.attempt_status AS text
	CONSTRAINT attempt_status_check CHECK ((VALUE = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text, 'abandoned'::text])));

--
-- Name: DOMAIN attempt_status; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON DOMAIN ballast.attempt_status IS 'running, succeeded, failed, or abandoned (its worker stopped heartbeating; error says why)';

--
-- Name: span_id; Type: DOMAIN; Schema: ballast; Owner: -
--

CREATE DOMAIN ballast.span_id AS text
	CONSTRAINT span_id_check CHECK ((VALUE ~ '^[0-9a-f]{16}$'::text));

--
-- Name: DOMAIN span_id; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON DOMAIN ballast.span_id IS 'W3C span id: 16 lowercase hex digits';

--
-- Name: trace_id; Type: DOMAIN; Schema: ballast; Owner: -
--

CREATE DOMAIN ballast.trace_id AS text
	CONSTRAINT trace_id_check CHECK ((VALUE ~ '^[0-9a-f]{32}$'::text));

--
-- Name: DOMAIN trace_id; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON DOMAIN ballast.trace_id IS 'W3C trace id: 32 lowercase hex digits';

--
-- Name: job_spec; Type: TYPE; Schema: graphile_worker; Owner: -
--

CREATE TYPE graphile_worker.job_spec AS (
	identifier text,
	payload json,
	queue_name text,
	run_at timestamp with time zone,
	max_attempts smallint,
	job_key text,
	priority smallint,
	flags text[]
);

--
-- Name: decision_done(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.decision_done() RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
  v_task text := ballast.setting('task');
begin
  if v_task is null or not (v_task = any (finals)) then
    raise exception 'app.decision_done() is for the decision stages (%), not %', array_to_string(finals, ', '), coalesce(v_task, 'no task')
      using errcode = '42501';
  end if;
  update ingest.webhook_events e
     set stages_done  = array(select distinct s from unnest(e.stages_done || v_task) s order by s),
         status       = case when (e.stages_done || v_task) @> finals then 'completed' else e.status end,
         processed_at = case when (e.stages_done || v_task) @> finals then now() else e.processed_at end
   where e.correlation_id = ballast.setting('correlation_id')
     and e.status in ('processing', 'completed');
end $$;

--
-- Name: enqueue_decisions(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.enqueue_decisions() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  r record;
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
  t text;
begin
  if cardinality(finals) = 0 then
    raise exception 'no decision stage is registered in ballast.stages'
      using errcode = '55000', hint = 'run `ballast migrate`: it registers the stages declared in tasks/';
  end if;
  for r in select distinct on (interaction_id) interaction_id, trace_id, span_id, correlation_id
             from new_spans order by interaction_id loop
    foreach t in array finals loop
      perform graphile_worker.add_job(
        t,
        json_build_object('interaction_id', r.interaction_id, 'trace_id', r.trace_id,
                          'parent_span_id', r.span_id, 'correlation_id', r.correlation_id),
        job_key => t || ':' || r.interaction_id);
    end loop;
  end loop;
  return null;
end $$;

--
-- Name: enqueue_segmentation(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.enqueue_segmentation() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform graphile_worker.add_job(
    'segment_interaction',
    json_build_object('interaction_id', new.id, 'trace_id', new.trace_id,
                      'parent_span_id', new.span_id, 'correlation_id', new.correlation_id),
    job_key => 'segment_interaction:' || new.id);
  return null;
end $$;

--
-- Name: acting_role(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.acting_role() RETURNS text
    LANGUAGE sql STABLE
    AS $$
  select case when current_setting('role') = 'none' then session_user::text else current_setting('role') end
$$;

--
-- Name: can_complete(regclass); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.can_complete(target regclass) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select exists (select from pg_attribute a
                  where a.attrelid = target and a.attname in ('status', 'resolved_at') and a.attnum > 0 and not a.attisdropped)
$$;

--
-- Name: capture_delete(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_delete() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: capture_delete_simple(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_delete_simple() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: capture_grant(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_grant() RETURNS event_trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: capture_insert(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_insert() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: capture_insert_simple(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_insert_simple() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: capture_truncate(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_truncate() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  i audit.tx_identity := audit.tx_identity();
begin
  insert into audit.ledger (actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, reason)
  values (i.actor, i.db_role, i.job, i.endpoint, i.application_name, i.request_id, i.trace_id, i.span_id,
          i.correlation_id, 'truncate', concat_ws('.', tg_table_schema, tg_table_name), i.reason);
  return null;
end $$;

--
-- Name: capture_update(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_update() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: capture_update_simple(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.capture_update_simple() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: changed_columns(jsonb, jsonb); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.changed_columns(before_data jsonb, after_data jsonb) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select coalesce(array_agg(k order by k), '{}')
    from (select jsonb_object_keys(coalesce(after_data, '{}')) union
          select jsonb_object_keys(coalesce(before_data, '{}'))) keys(k)
   where after_data -> k is distinct from before_data -> k
$$;

--
-- Name: FUNCTION changed_columns(before_data jsonb, after_data jsonb); Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON FUNCTION audit.changed_columns(before_data jsonb, after_data jsonb) IS 'columns whose values differ between a ledger row''s before_data and after_data (every column of a create or delete)';

--
-- Name: enable(regclass, boolean, text[]); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.enable(target regclass, gated boolean DEFAULT false, redact text[] DEFAULT '{}'::text[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: is_completion(jsonb, jsonb); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.is_completion(b jsonb, a jsonb) RETURNS boolean
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
begin
  return (a ->> 'status' in ('completed', 'resolved') and b ->> 'status' is distinct from a ->> 'status')
      or (a ? 'resolved_at' and b ->> 'resolved_at' is null and a ->> 'resolved_at' is not null);
end $$;

--
-- Name: job_label(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.job_label() RETURNS text
    LANGUAGE sql STABLE
    AS $$
  select nullif(current_setting('ballast.task', true), '')
         || coalesce('@' || nullif(current_setting('ballast.task_version', true), ''), '')
$$;

--
-- Name: key_of(jsonb, text[]); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.key_of(j jsonb, keys text[]) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
begin
  if cardinality(keys) = 1 then
    return j ->> keys[1];
  end if;
  return array_to_string(array(select j ->> k from unnest(keys) k), ',');
end $$;

--
-- Name: redact(jsonb, text[]); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.redact(j jsonb, cols text[]) RETURNS jsonb
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
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

--
-- Name: refuse_change(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.refuse_change() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  raise exception '% is append-only: % refused', tg_table_schema || '.' || tg_table_name, tg_op
    using errcode = '42501', hint = 'audit rows are never changed or removed';
end $$;

--
-- Name: require_reason(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.require_reason() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  if ballast.setting('reason') is null then
    raise exception '% on % needs a reason', tg_op, tg_table_schema || '.' || tg_table_name
      using errcode = '42501',
            hint = 'state one for the transaction: select set_config(''ballast.reason'', ''<why>'', true); '
                   'from code: db.atomicWrite(fn, { reason })';
  end if;
  return case when tg_level = 'ROW' then old else null end;
end $$;

SET default_table_access_method = heap;

--
-- Name: ledger; Type: TABLE; Schema: audit; Owner: -
--

CREATE TABLE audit.ledger (
    id bigint NOT NULL,
    txid xid8 DEFAULT pg_current_xact_id() NOT NULL,
    occurred_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    org_id text,
    actor text NOT NULL,
    db_role text NOT NULL,
    job text,
    endpoint text,
    application_name text,
    request_id text,
    trace_id text,
    span_id text,
    correlation_id text,
    operation audit.operation NOT NULL,
    entity_type text NOT NULL,
    entity_id text,
    before_data jsonb,
    after_data jsonb,
    reason text,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL
);

--
-- Name: TABLE ledger; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON TABLE audit.ledger IS 'append-only: UPDATE, DELETE and TRUNCATE are refused; sealed into audit.chain by audit.seal()';

--
-- Name: COLUMN ledger.txid; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.ledger.txid IS 'writing transaction; the chain orders rows by (txid, id) once every older transaction has finished';

--
-- Name: COLUMN ledger.actor; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.ledger.actor IS 'ballast.actor of the transaction (worker:<id>, cli:<user>, ...), else the database role';

--
-- Name: COLUMN ledger.job; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON COLUMN audit.ledger.job IS 'task@version when a stage wrote the row';

--
-- Name: row_hash(audit.ledger); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.row_hash(l audit.ledger) RETURNS bytea
    LANGUAGE sql STABLE
    AS $$
  select sha256(convert_to(jsonb_build_array(
    l.id, l.txid::text, to_char(l.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'),
    l.org_id, l.actor, l.db_role, l.job, l.endpoint, l.application_name, l.request_id, l.trace_id,
    l.span_id, l.correlation_id, l.operation, l.entity_type, l.entity_id, l.before_data, l.after_data,
    l.reason, l.metadata)::text, 'UTF8'))
$$;

--
-- Name: seal(integer); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.seal(max_rows integer DEFAULT 10000) RETURNS TABLE(sealed integer, head text, horizon xid8)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: tx_identity(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.tx_identity() RETURNS audit.tx_identity
    LANGUAGE plpgsql STABLE
    AS $$
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

--
-- Name: FUNCTION tx_identity(); Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON FUNCTION audit.tx_identity() IS 'the transaction''s identity settings (ballast.actor, request_id, trace_id, reason, ...) as the ledger records them';

--
-- Name: abandon_attempts(numeric); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.abandon_attempts(p_grace_seconds numeric) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  n int;
begin
  if p_grace_seconds is null or p_grace_seconds <= 0 then
    raise exception 'ballast.abandon_attempts: the grace period must be positive, got %', p_grace_seconds using errcode = '22023';
  end if;
  if not ballast.fleet_heard_for(make_interval(secs => p_grace_seconds)) then
    return 0;
  end if;
  update ballast.job_attempts a
     set status = 'abandoned',
         finished_at = now(),
         error = coalesce(w.rescue_reason,
                          case when w.stopped_at is not null then format('worker %s stopped at %s while this attempt ran', a.worker_id, w.stopped_at)
                               else format('worker %s has no heartbeat row; the attempt''s last heartbeat was at %s', a.worker_id, a.heartbeat_at) end),
         will_retry = exists (select 1 from ballast.queued_jobs j where j.id = a.job_id and j.attempts < j.max_attempts)
    from ballast.job_attempts r
    left join ballast.workers w on w.worker_id = r.worker_id
   where a.span_id = r.span_id
     and r.status = 'running'
     and r.heartbeat_at < now() - make_interval(secs => p_grace_seconds)
     and (w.worker_id is null or w.rescued_at is not null or w.stopped_at is not null);
  get diagnostics n = row_count;
  return n;
end $$;

--
-- Name: alert_owes_delivery(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.alert_owes_delivery() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
declare
  ev text := case when tg_op = 'INSERT' then 'opened' else 'resolved' end;
begin
  insert into ballast.alert_deliveries (alert_id, event, sink)
  select new.id, ev, s from unnest(array['log', 'webhook', 'email']) s
  on conflict do nothing;
  -- Debounced: one waiting job, run a second from now (cron runs it every minute anyway).
  perform graphile_worker.add_job('deliver_alerts', json_build_object('trace_id', ballast.setting('trace_id'), 'correlation_id', 'alert:' || new.id),
    run_at => now() + interval '1 second', job_key => 'deliver_alerts', job_key_mode => 'preserve_run_at', max_attempts => 5);
  return null;
end $$;

--
-- Name: attempt_succeeded(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.attempt_succeeded() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'ballast', 'pg_temp'
    AS $$
declare
  p ballast.trace_policy;
  msg text;
begin
  -- Trace-id policy (seed 004): a job created at or after the cutoff must carry a trace.
  if new.trace_id is null then
    select * into p from ballast.trace_policy;
    if new.job_created_at >= p.cutoff then
      msg := format('POLICY_VIOLATION: Job %s succeeded without trace_id (created_at=%s)', new.job_id, new.job_created_at);
      if p.mode = 'strict' then
        raise exception using message = msg, errcode = 'P0001',
          hint = 'the job payload carried no trace_id; enqueue through a traced path (inbox insert, ballast CLI, lib addJob)';
      end if;
      insert into ballast.policy_violations (policy, severity, job_id, task, attempt_span_id, correlation_id, job_created_at, message, detail)
      values ('trace_id_required', 'critical', new.job_id, new.task, new.span_id, new.correlation_id, new.job_created_at, msg,
              jsonb_build_object('mode', p.mode, 'cutoff', p.cutoff, 'worker_id', new.worker_id, 'span_id', new.span_id));
      raise warning '%', msg;
    end if;
  end if;
  -- A replayed job that succeeds resolves its dead letter, in the same transaction.
  if new.replay_of is not null then
    update ballast.pipeline_failures
       set resolved_at = now(),
           next_retry_at = null,
           resolution_note = format('replay succeeded: job %s attempt %s (span %s)', new.job_id, new.attempt, new.span_id)
     where id = new.replay_of and resolved_at is null;
  end if;
  return null;
end $$;

--
-- Name: beat_worker(text, text, integer, text[], text[], integer, integer); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.beat_worker(p_worker_id text, p_host text, p_pid integer, p_pool_ids text[], p_tasks text[], p_concurrency integer, p_beat_ms integer) RETURNS timestamp with time zone
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_rescued timestamptz;
begin
  insert into ballast.workers as w (worker_id, host, pid, pool_ids, tasks, concurrency, beat_ms)
  values (p_worker_id, p_host, p_pid, coalesce(p_pool_ids, '{}'), p_tasks, p_concurrency, p_beat_ms)
  on conflict (worker_id) do update set
    pool_ids = excluded.pool_ids,
    tasks = excluded.tasks,
    concurrency = excluded.concurrency,
    beat_ms = excluded.beat_ms,
    beating_since = case when w.last_beat_at < now() - make_interval(secs => 3 * w.beat_ms / 1000.0)
                         then now() else w.beating_since end,
    last_beat_at = now()
   where w.rescued_at is null and w.stopped_at is null;
  select w.rescued_at into v_rescued from ballast.workers w where w.worker_id = p_worker_id;
  return v_rescued;
end $$;

--
-- Name: FUNCTION beat_worker(p_worker_id text, p_host text, p_pid integer, p_pool_ids text[], p_tasks text[], p_concurrency integer, p_beat_ms integer); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.beat_worker(p_worker_id text, p_host text, p_pid integer, p_pool_ids text[], p_tasks text[], p_concurrency integer, p_beat_ms integer) IS 'a worker''s heartbeat; returns rescued_at, not null when the fleet declared it dead';

--
-- Name: cleanup_old_errors(integer); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.cleanup_old_errors(retention_days integer DEFAULT 90) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'ballast', 'pg_temp'
    AS $$
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

--
-- Name: error_counts_by_class(timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.error_counts_by_class(p_since timestamp with time zone DEFAULT (now() - '1 day'::interval)) RETURNS TABLE(error_class text, errors bigint, last_seen timestamp with time zone)
    LANGUAGE sql STABLE
    AS $$
  select error_class, count(*), max("timestamp") from ballast.error_envelopes
   where "timestamp" >= p_since group by error_class order by 2 desc $$;

--
-- Name: error_counts_by_component(timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.error_counts_by_component(p_since timestamp with time zone DEFAULT (now() - '1 day'::interval)) RETURNS TABLE(component text, errors bigint, last_seen timestamp with time zone)
    LANGUAGE sql STABLE
    AS $$
  select component, count(*), max("timestamp") from ballast.error_envelopes
   where "timestamp" >= p_since group by component order by 2 desc $$;

--
-- Name: error_timeline(timestamp with time zone, interval); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.error_timeline(p_since timestamp with time zone DEFAULT (now() - '1 day'::interval), p_bucket interval DEFAULT '01:00:00'::interval) RETURNS TABLE(bucket timestamp with time zone, error_class text, errors bigint)
    LANGUAGE sql STABLE
    AS $$
  select date_bin(p_bucket, "timestamp", timestamptz '2000-01-01'), error_class, count(*)
    from ballast.error_envelopes where "timestamp" >= p_since group by 1, 2 order by 1, 2 $$;

--
-- Name: error_envelopes; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.error_envelopes (
    error_id text NOT NULL,
    "timestamp" timestamp with time zone DEFAULT now() NOT NULL,
    layer text NOT NULL,
    component text NOT NULL,
    error_class text NOT NULL,
    severity text NOT NULL,
    message text NOT NULL,
    correlation_id text,
    decision_id text,
    run_id text,
    agent_id text,
    tenant_id text,
    trace_id text,
    span_id text,
    input_hash text,
    exception_type text,
    exception_chain jsonb DEFAULT '[]'::jsonb NOT NULL,
    context jsonb DEFAULT '{}'::jsonb NOT NULL,
    envelope_version integer DEFAULT 1 NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT error_envelopes_error_class_check CHECK ((error_class ~ '^(infra|domain|system)\.[a-z0-9_.]+$'::text)),
    CONSTRAINT error_envelopes_error_id_check CHECK ((error_id ~ '^err_[0-9a-f]{12}$'::text)),
    CONSTRAINT error_envelopes_input_hash_check CHECK ((input_hash ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT error_envelopes_layer_check CHECK ((layer = ANY (ARRAY['L2'::text, 'L3'::text, 'L4'::text, 'L5'::text, 'L6'::text]))),
    CONSTRAINT error_envelopes_severity_check CHECK ((severity = ANY (ARRAY['debug'::text, 'info'::text, 'warning'::text, 'error'::text, 'critical'::text])))
);

--
-- Name: TABLE error_envelopes; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.error_envelopes IS 'incident memory: one row per caught error; append-only (seed 002 1.3)';

--
-- Name: errors_by_class(text, timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.errors_by_class(p_class text, p_since timestamp with time zone DEFAULT (now() - '1 day'::interval)) RETURNS SETOF ballast.error_envelopes
    LANGUAGE sql STABLE
    AS $$
  select * from ballast.error_envelopes
   where (error_class = p_class or error_class like p_class || '.%') and "timestamp" >= p_since
   order by "timestamp" desc $$;

--
-- Name: errors_by_component(text, timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.errors_by_component(p_component text, p_since timestamp with time zone DEFAULT (now() - '1 day'::interval)) RETURNS SETOF ballast.error_envelopes
    LANGUAGE sql STABLE
    AS $$
  select * from ballast.error_envelopes where component = p_component and "timestamp" >= p_since order by "timestamp" desc $$;

--
-- Name: errors_by_correlation(text); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.errors_by_correlation(p_correlation_id text) RETURNS SETOF ballast.error_envelopes
    LANGUAGE sql STABLE
    AS $$
  select * from ballast.error_envelopes where correlation_id = p_correlation_id order by "timestamp" $$;

--
-- Name: finish_attempts(json); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.finish_attempts(p_rows json) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
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

--
-- Name: FUNCTION finish_attempts(p_rows json); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.finish_attempts(p_rows json) IS 'the worker''s door to finish attempts in the job ledger: insert a finished attempt or finish a running one, never rewrite a finished one';

--
-- Name: fleet_heard_for(interval); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.fleet_heard_for(p_grace interval) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select exists (select 1 from ballast.workers l
                  where l.stopped_at is null and l.rescued_at is null
                    and l.last_beat_at >= now() - make_interval(secs => 3 * l.beat_ms / 1000.0)
                    and l.beating_since <= now() - p_grace) $$;

--
-- Name: guard_error_envelope(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.guard_error_envelope() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
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

--
-- Name: heartbeat_attempts(json); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.heartbeat_attempts(p_rows json) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  insert into ballast.job_attempts as a (job_id, task, task_version, queue, attempt, max_attempts, trace_id, span_id,
      parent_span_id, correlation_id, worker_id, status, job_created_at, started_at, replay_of, heartbeat_at)
  select r.job_id, r.task, r.task_version, r.queue, r.attempt, r.max_attempts, r.trace_id, r.span_id,
         r.parent_span_id, r.correlation_id, r.worker_id, 'running', r.job_created_at, r.started_at, r.replay_of, now()
    from json_populate_recordset(null::ballast.job_attempts, p_rows) r
  on conflict (span_id) do update set heartbeat_at = now()
   where a.status = 'running' and a.worker_id = excluded.worker_id $$;

--
-- Name: FUNCTION heartbeat_attempts(p_rows json); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.heartbeat_attempts(p_rows json) IS 'the worker''s door to running attempts in the job ledger: insert one, or refresh its heartbeat while it runs';

--
-- Name: layer_allows(text, text); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.layer_allows(p_layer text, p_class text) RETURNS boolean
    LANGUAGE sql IMMUTABLE
    AS $$
  select case
    when p_layer = 'L4' then p_class like 'domain.%' or p_class like 'system.%'
    else p_class like 'infra.%' or p_class like 'system.%'
  end $$;

--
-- Name: log_diagnostic(text, text, text, text, text, jsonb); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.log_diagnostic(p_function text, p_version text, p_level text, p_code text, p_message text, p_metadata jsonb DEFAULT '{}'::jsonb) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'ballast', 'pg_temp'
    AS $$
  insert into ballast.diagnostic_logs as d (function_name, function_version, log_level, code, message, metadata, window_start)
  select p_function, p_version, p_level, p_code, p_message, coalesce(p_metadata, '{}'),
         date_bin(s.diagnostic_window, now(), timestamptz '2000-01-01')
    from ballast.failure_settings s
  on conflict (function_name, code, window_start) do update
     set occurrences = d.occurrences + 1, last_seen_at = now(),
         log_level = case when excluded.log_level = 'error' then 'error' else d.log_level end $$;

--
-- Name: new_span_id(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.new_span_id() RETURNS text
    LANGUAGE sql
    AS $$ select left(replace(gen_random_uuid()::text, '-', ''), 16) $$;

--
-- Name: new_trace_id(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.new_trace_id() RETURNS text
    LANGUAGE sql
    AS $$ select replace(gen_random_uuid()::text, '-', '') $$;

--
-- Name: record_failure(jsonb, jsonb, jsonb); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'ballast', 'pg_temp'
    AS $$
declare
  dl_id uuid;
begin
  if p_envelope is not null then
    insert into ballast.error_envelopes (error_id, "timestamp", layer, component, error_class, severity, message,
        correlation_id, decision_id, run_id, agent_id, tenant_id, trace_id, span_id, input_hash,
        exception_type, exception_chain, context)
    select e.error_id, coalesce(e."timestamp", now()), e.layer, e.component, e.error_class, e.severity, e.message,
        e.correlation_id, e.decision_id, e.run_id, e.agent_id, e.tenant_id, e.trace_id, e.span_id, e.input_hash,
        e.exception_type, coalesce(e.exception_chain, '[]'), coalesce(e.context, '{}')
      from jsonb_populate_record(null::ballast.error_envelopes, p_envelope) e
    on conflict (error_id) do nothing;
  end if;
  if p_diagnostic is not null then
    perform ballast.log_diagnostic(p_diagnostic->>'function_name', p_diagnostic->>'function_version',
      p_diagnostic->>'log_level', p_diagnostic->>'code', p_diagnostic->>'message', p_diagnostic->'metadata');
  end if;
  if p_dead_letter is not null then
    if p_dead_letter->>'replay_of' is not null then
      update ballast.pipeline_failures
         set error_code = p_dead_letter->>'error_code',
             error_message = p_dead_letter->>'error_message',
             http_status = (p_dead_letter->>'http_status')::int,
             failed_at = now(),
             context = coalesce(context, '{}') || jsonb_build_object('last_error_id', p_envelope->>'error_id',
                                                                     'last_replay_failed_at', now())
       where id = (p_dead_letter->>'replay_of')::uuid
      returning id into dl_id;
    end if;
    if dl_id is null and p_dead_letter->'context'->>'job_id' is not null then
      -- the sweeper and a slow runtime write must not both add one
      select f.id into dl_id from ballast.pipeline_failures f
       where f.context->>'job_id' = p_dead_letter->'context'->>'job_id' and f.resolved_at is null;
    end if;
    if dl_id is null then
      insert into ballast.pipeline_failures (interaction_id, failing_function, caller_function, http_status,
          error_code, error_message, attempt_count, payload_snapshot, context, next_retry_at)
      values (p_dead_letter->>'interaction_id', p_dead_letter->>'failing_function',
          coalesce(p_dead_letter->>'caller_function',
                   (select a.task from ballast.job_attempts a where a.span_id = p_dead_letter->>'parent_span_id')),
          (p_dead_letter->>'http_status')::int, p_dead_letter->>'error_code', p_dead_letter->>'error_message',
          coalesce((p_dead_letter->>'attempt_count')::int, 1), p_dead_letter->'payload_snapshot',
          p_dead_letter->'context',
          case when (p_dead_letter->>'retryable')::boolean then now() + ballast.replay_delay(1) end)
      returning id into dl_id;
    end if;
  end if;
  return dl_id;
end $$;

--
-- Name: replay_dead_letter(uuid, boolean); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.replay_dead_letter(p_id uuid, p_force boolean DEFAULT false) RETURNS text
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'ballast', 'pg_temp'
    AS $$
declare
  f ballast.pipeline_failures;
  s ballast.failure_settings;
  replays int;
  job_id bigint;
begin
  select * into f from ballast.pipeline_failures where id = p_id;
  if not found then raise exception 'no dead letter %', p_id; end if;
  if f.resolved_at is not null then return 'already_resolved'; end if;
  select * into s from ballast.failure_settings;
  replays := coalesce((f.context->>'replays')::int, 0);
  if not coalesce((f.context->>'replayable')::boolean, false) or f.context->>'task' is null then
    update ballast.pipeline_failures
       set next_retry_at = null,
           resolution_note = 'not replayable: the payload snapshot was redacted or the task is unknown; fix and enqueue by hand, then resolve'
     where id = p_id;
    return 'not_replayable';
  end if;
  if replays >= s.replay_max_attempts and not p_force then
    update ballast.pipeline_failures
       set next_retry_at = null,
           resolution_note = format('replay bound reached: %s replays failed (failure_settings.replay_max_attempts = %s); replay or resolve by hand',
                                    replays, s.replay_max_attempts)
     where id = p_id;
    return 'bound_reached';
  end if;
  select (graphile_worker.add_job(
      f.context->>'task',
      (f.payload_snapshot || jsonb_build_object(
         'trace_id', f.context->>'trace_id', 'correlation_id', f.context->>'correlation_id',
         'parent_span_id', f.context->>'span_id', 'replay_of', f.id))::json,
      max_attempts => 1,
      job_key => 'replay:' || f.id)).id into job_id;
  update ballast.pipeline_failures
     set attempt_count = attempt_count + 1,
         next_retry_at = now() + ballast.replay_delay(replays + 1),
         context = coalesce(context, '{}') || jsonb_build_object(
           'replays', replays + 1, 'last_replay_job_id', job_id, 'last_replay_at', now(), 'last_replay_forced', p_force)
   where id = p_id;
  perform ballast.log_diagnostic(f.failing_function, 'replay', 'warn', 'PIPELINE_RETRY',
    format('dead letter %s replayed (replay %s)', f.id, replays + 1),
    jsonb_build_object('dead_letter_id', f.id, 'job_id', job_id, 'forced', p_force));
  return 'enqueued';
end $$;

--
-- Name: replay_delay(integer); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.replay_delay(n integer) RETURNS interval
    LANGUAGE sql
    AS $$
  select least(s.replay_max_delay, s.replay_base_delay * power(2, greatest(n - 1, 0)))
         * (0.75 + random() * 0.5)
    from ballast.failure_settings s $$;

--
-- Name: rescue_workers(numeric, integer); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.rescue_workers(p_grace_seconds numeric, p_limit integer) RETURNS TABLE(worker_id text, pool_ids text[], last_beat_at timestamp with time zone, reason text)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_grace interval;
begin
  if p_grace_seconds is null or p_grace_seconds <= 0 then
    raise exception 'ballast.rescue_workers: the grace period must be positive, got %', p_grace_seconds using errcode = '22023';
  end if;
  v_grace := make_interval(secs => p_grace_seconds);
  if not ballast.fleet_heard_for(v_grace) then
    return;
  end if;
  return query
  with rescued as (
  update ballast.workers w
     set rescued_at = now(),
         rescue_reason = format('worker %s (pid %s on %s) stopped heartbeating at %s; rescued after %s s of silence',
                                w.worker_id, w.pid, w.host, w.last_beat_at,
                                round(extract(epoch from now() - w.last_beat_at)::numeric, 1))
    from (select d.worker_id from ballast.workers d
           where d.stopped_at is null and d.rescued_at is null
             and d.last_beat_at < now() - greatest(v_grace, make_interval(secs => 3 * d.beat_ms / 1000.0))
             and not exists (select 1 from ballast.job_attempts a
                              where a.status = 'running' and a.worker_id = d.worker_id and a.heartbeat_at >= now() - v_grace)
           order by d.last_beat_at
           limit p_limit) dead
   where w.worker_id = dead.worker_id and w.rescued_at is null and w.stopped_at is null
  returning w.worker_id, w.pool_ids, w.last_beat_at, w.rescue_reason)
  select * from rescued;
end $$;

--
-- Name: setting(text); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.setting(name text) RETURNS text
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
begin
  return nullif(current_setting('ballast.' || name, true), '');
end $$;

--
-- Name: stop_worker(text); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.stop_worker(p_worker_id text) RETURNS void
    LANGUAGE sql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  update ballast.workers set stopped_at = now()
   where worker_id = p_worker_id and stopped_at is null and rescued_at is null $$;

--
-- Name: touch_alert_rule(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.touch_alert_rule() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  new.updated_at := now();
  new.updated_by := coalesce(ballast.setting('actor'), current_user);
  return new;
end $$;

--
-- Name: touch_trace_policy(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.touch_trace_policy() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  new.updated_at := now();
  new.updated_by := coalesce(ballast.setting('actor'), current_user);
  return new;
end $$;

--
-- Name: _private_jobs; Type: TABLE; Schema: graphile_worker; Owner: -
--

CREATE TABLE graphile_worker._private_jobs (
    id bigint NOT NULL,
    job_queue_id integer,
    task_id integer NOT NULL,
    payload json DEFAULT '{}'::json NOT NULL,
    priority smallint DEFAULT 0 NOT NULL,
    run_at timestamp with time zone DEFAULT now() NOT NULL,
    attempts smallint DEFAULT 0 NOT NULL,
    max_attempts smallint DEFAULT 25 NOT NULL,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    key text,
    locked_at timestamp with time zone,
    locked_by text,
    revision integer DEFAULT 0 NOT NULL,
    flags jsonb,
    is_available boolean GENERATED ALWAYS AS (((locked_at IS NULL) AND (attempts < max_attempts))) STORED NOT NULL,
    CONSTRAINT jobs_key_check CHECK (((length(key) > 0) AND (length(key) <= 512))),
    CONSTRAINT jobs_max_attempts_check CHECK ((max_attempts >= 1))
);

--
-- Name: add_job(text, json, text, timestamp with time zone, integer, text, integer, text[], text); Type: FUNCTION; Schema: graphile_worker; Owner: -
--

CREATE FUNCTION graphile_worker.add_job(identifier text, payload json DEFAULT NULL::json, queue_name text DEFAULT NULL::text, run_at timestamp with time zone DEFAULT NULL::timestamp with time zone, max_attempts integer DEFAULT NULL::integer, job_key text DEFAULT NULL::text, priority integer DEFAULT NULL::integer, flags text[] DEFAULT NULL::text[], job_key_mode text DEFAULT 'replace'::text) RETURNS graphile_worker._private_jobs
    LANGUAGE plpgsql
    AS $$
declare
  v_job "graphile_worker"._private_jobs;
begin
  if (job_key is null or job_key_mode is null or job_key_mode in ('replace', 'preserve_run_at')) then
    select * into v_job
    from "graphile_worker".add_jobs(
      ARRAY[(
        identifier,
        payload,
        queue_name,
        run_at,
        max_attempts::smallint,
        job_key,
        priority::smallint,
        flags
      )::"graphile_worker".job_spec],
      (job_key_mode = 'preserve_run_at')
    )
    limit 1;
    return v_job;
  elsif job_key_mode = 'unsafe_dedupe' then
    -- Ensure all the tasks exist
    insert into "graphile_worker"._private_tasks as tasks (identifier)
    values (add_job.identifier)
    on conflict do nothing;
    -- Ensure all the queues exist
    if add_job.queue_name is not null then
      insert into "graphile_worker"._private_job_queues as job_queues (queue_name)
      values (add_job.queue_name)
      on conflict do nothing;
    end if;
    -- Insert job, but if one already exists then do nothing, even if the
    -- existing job has already started (and thus represents an out-of-date
    -- world state). This is dangerous because it means that whatever state
    -- change triggered this add_job may not be acted upon (since it happened
    -- after the existing job started executing, but no further job is being
    -- scheduled), but it is useful in very rare circumstances for
    -- de-duplication. If in doubt, DO NOT USE THIS.
    insert into "graphile_worker"._private_jobs as jobs (
      job_queue_id,
      task_id,
      payload,
      run_at,
      max_attempts,
      key,
      priority,
      flags
    )
      select
        job_queues.id,
        tasks.id,
        coalesce(add_job.payload, '{}'::json),
        coalesce(add_job.run_at, now()),
        coalesce(add_job.max_attempts::smallint, 25::smallint),
        add_job.job_key,
        coalesce(add_job.priority::smallint, 0::smallint),
        (
          select jsonb_object_agg(flag, true)
          from unnest(add_job.flags) as item(flag)
        )
      from "graphile_worker"._private_tasks as tasks
      left join "graphile_worker"._private_job_queues as job_queues
      on job_queues.queue_name = add_job.queue_name
      where tasks.identifier = add_job.identifier
    on conflict (key)
      -- Bump the updated_at so that there's something to return
      do update set
        revision = jobs.revision + 1,
        updated_at = now()
      returning *
      into v_job;
    if v_job.revision = 0 then
      perform pg_notify('jobs:insert', '{"r":' || random()::text || ',"count":1}');
    end if;
    return v_job;
  else
    raise exception 'Invalid job_key_mode value, expected ''replace'', ''preserve_run_at'' or ''unsafe_dedupe''.' using errcode = 'GWBKM';
  end if;
end;
$$;

--
-- Name: add_jobs(graphile_worker.job_spec[], boolean); Type: FUNCTION; Schema: graphile_worker; Owner: -
--

CREATE FUNCTION graphile_worker.add_jobs(specs graphile_worker.job_spec[], job_key_preserve_run_at boolean DEFAULT false) RETURNS SETOF graphile_worker._private_jobs
    LANGUAGE plpgsql
    AS $$
begin
  -- Ensure all the tasks exist
  insert into "graphile_worker"._private_tasks as tasks (identifier)
  select distinct spec.identifier
  from unnest(specs) spec
  on conflict do nothing;
  -- Ensure all the queues exist
  insert into "graphile_worker"._private_job_queues as job_queues (queue_name)
  select distinct spec.queue_name
  from unnest(specs) spec
  where spec.queue_name is not null
  on conflict do nothing;
  -- Ensure any locked jobs have their key cleared - in the case of locked
  -- existing job create a new job instead as it must have already started
  -- executing (i.e. it's world state is out of date, and the fact add_job
  -- has been called again implies there's new information that needs to be
  -- acted upon).
  update "graphile_worker"._private_jobs as jobs
  set
    key = null,
    attempts = jobs.max_attempts,
    updated_at = now()
  from unnest(specs) spec
  where spec.job_key is not null
  and jobs.key = spec.job_key
  and is_available is not true;

  -- WARNING: this count is not 100% accurate; 'on conflict' clause will cause it to be an overestimate
  perform pg_notify('jobs:insert', '{"r":' || random()::text || ',"count":' || array_length(specs, 1)::text || '}');

  -- TODO: is there a risk that a conflict could occur depending on the
  -- isolation level?
  return query insert into "graphile_worker"._private_jobs as jobs (
    job_queue_id,
    task_id,
    payload,
    run_at,
    max_attempts,
    key,
    priority,
    flags
  )
    select
      job_queues.id,
      tasks.id,
      coalesce(spec.payload, '{}'::json),
      coalesce(spec.run_at, now()),
      coalesce(spec.max_attempts, 25),
      spec.job_key,
      coalesce(spec.priority, 0),
      (
        select jsonb_object_agg(flag, true)
        from unnest(spec.flags) as item(flag)
      )
    from unnest(specs) spec
    inner join "graphile_worker"._private_tasks as tasks
    on tasks.identifier = spec.identifier
    left join "graphile_worker"._private_job_queues as job_queues
    on job_queues.queue_name = spec.queue_name
  on conflict (key) do update set
    job_queue_id = excluded.job_queue_id,
    task_id = excluded.task_id,
    payload =
      case
      when json_typeof(jobs.payload) = 'array' and json_typeof(excluded.payload) = 'array' then
        (jobs.payload::jsonb || excluded.payload::jsonb)::json
      else
        excluded.payload
      end,
    max_attempts = excluded.max_attempts,
    run_at = (case
      when job_key_preserve_run_at is true and jobs.attempts = 0 then jobs.run_at
      else excluded.run_at
    end),
    priority = excluded.priority,
    revision = jobs.revision + 1,
    flags = excluded.flags,
    -- always reset error/retry state
    attempts = 0,
    last_error = null,
    updated_at = now()
  where jobs.locked_at is null
  returning *;
end;
$$;

--
-- Name: complete_jobs(bigint[]); Type: FUNCTION; Schema: graphile_worker; Owner: -
--

CREATE FUNCTION graphile_worker.complete_jobs(job_ids bigint[]) RETURNS SETOF graphile_worker._private_jobs
    LANGUAGE sql
    AS $$
  delete from "graphile_worker"._private_jobs as jobs
    where id = any(job_ids)
    and (
      locked_at is null
    or
      locked_at < now() - interval '4 hours'
    )
    returning *;
$$;

--
-- Name: force_unlock_workers(text[]); Type: FUNCTION; Schema: graphile_worker; Owner: -
--

CREATE FUNCTION graphile_worker.force_unlock_workers(worker_ids text[]) RETURNS void
    LANGUAGE sql
    AS $$
update "graphile_worker"._private_jobs as jobs
set locked_at = null, locked_by = null
where locked_by = any(worker_ids);
update "graphile_worker"._private_job_queues as job_queues
set locked_at = null, locked_by = null
where locked_by = any(worker_ids);
$$;

--
-- Name: permanently_fail_jobs(bigint[], text); Type: FUNCTION; Schema: graphile_worker; Owner: -
--

CREATE FUNCTION graphile_worker.permanently_fail_jobs(job_ids bigint[], error_message text DEFAULT NULL::text) RETURNS SETOF graphile_worker._private_jobs
    LANGUAGE sql
    AS $$
  update "graphile_worker"._private_jobs as jobs
    set
      last_error = coalesce(error_message, 'Manually marked as failed'),
      attempts = max_attempts,
      updated_at = now()
    where id = any(job_ids)
    and (
      locked_at is null
    or
      locked_at < NOW() - interval '4 hours'
    )
    returning *;
$$;

--
-- Name: remove_job(text); Type: FUNCTION; Schema: graphile_worker; Owner: -
--

CREATE FUNCTION graphile_worker.remove_job(job_key text) RETURNS graphile_worker._private_jobs
    LANGUAGE plpgsql STRICT
    AS $$
declare
  v_job "graphile_worker"._private_jobs;
begin
  -- Delete job if not locked
  delete from "graphile_worker"._private_jobs as jobs
    where key = job_key
    and (
      locked_at is null
    or
      locked_at < NOW() - interval '4 hours'
    )
  returning * into v_job;
  if not (v_job is null) then
    perform pg_notify('jobs:insert', '{"r":' || random()::text || ',"count":-1}');
    return v_job;
  end if;
  -- Otherwise prevent job from retrying, and clear the key
  update "graphile_worker"._private_jobs as jobs
  set
    key = null,
    attempts = jobs.max_attempts,
    updated_at = now()
  where key = job_key
  returning * into v_job;
  return v_job;
end;
$$;

--
-- Name: reschedule_jobs(bigint[], timestamp with time zone, integer, integer, integer); Type: FUNCTION; Schema: graphile_worker; Owner: -
--

CREATE FUNCTION graphile_worker.reschedule_jobs(job_ids bigint[], run_at timestamp with time zone DEFAULT NULL::timestamp with time zone, priority integer DEFAULT NULL::integer, attempts integer DEFAULT NULL::integer, max_attempts integer DEFAULT NULL::integer) RETURNS SETOF graphile_worker._private_jobs
    LANGUAGE sql
    AS $$
  update "graphile_worker"._private_jobs as jobs
    set
      run_at = coalesce(reschedule_jobs.run_at, jobs.run_at),
      priority = coalesce(reschedule_jobs.priority::smallint, jobs.priority),
      attempts = coalesce(reschedule_jobs.attempts::smallint, jobs.attempts),
      max_attempts = coalesce(reschedule_jobs.max_attempts::smallint, jobs.max_attempts),
      updated_at = now()
    where id = any(job_ids)
    and (
      locked_at is null
    or
      locked_at < NOW() - interval '4 hours'
    )
    returning *;
$$;

--
-- Name: delivery_status(text, text); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.delivery_status(p_source text, p_webhook_id text) RETURNS TABLE(id bigint, status text, status_reason text, trace_id text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'ingest', 'pg_temp'
    AS $$
  select e.id, e.status, e.status_reason, e.trace_id from ingest.webhook_events e
   where e.source = p_source and e.webhook_id = p_webhook_id $$;

--
-- Name: enqueue_first_stage(); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.enqueue_first_stage() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform graphile_worker.add_job(
    'normalize_event',
    json_build_object('event_id', new.id, 'trace_id', new.trace_id,
                      'parent_span_id', new.span_id, 'correlation_id', new.correlation_id),
    job_key => 'normalize_event:' || new.id,
    max_attempts => 10);
  return null;
end $$;

--
-- Name: fill_event_defaults(); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.fill_event_defaults() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  new.webhook_id     := coalesce(new.webhook_id, 'sql_' || replace(gen_random_uuid()::text, '-', ''));
  new.raw_body       := coalesce(new.raw_body, new.payload::text);
  if new.payload is null and new.status = 'received' then
    begin
      new.payload := new.raw_body::jsonb;
    exception when others then
      new.status := 'rejected';
      new.status_reason := coalesce(new.status_reason, 'body is not valid JSON');
    end;
  end if;
  new.event_type     := coalesce(new.event_type, new.payload->>'type');
  new.trace_id       := coalesce(new.trace_id, ballast.setting('trace_id'), ballast.new_trace_id());
  new.span_id        := coalesce(new.span_id, ballast.new_span_id());
  new.correlation_id := coalesce(new.correlation_id, new.source || ':' || new.webhook_id);
  return new;
end $$;

--
-- Name: record_failure(jsonb, jsonb, jsonb); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) RETURNS uuid
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
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
end $_$;

--
-- Name: FUNCTION record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) IS 'the receiver''s door to the failure tables: its own envelopes and diagnostics, and non-replayable dead letters of rejected events';

--
-- Name: capture_changes(); Type: FUNCTION; Schema: search; Owner: -
--

CREATE FUNCTION search.capture_changes() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
declare
  entity constant text := tg_argv[0];
  key_col constant text := tg_argv[1];
  trace text;
  corr text;
begin
  if tg_op = 'DELETE' then
    execute format(
      'with gone as (delete from search.versions v using old_rows o where v.entity = $1 and v.entity_id = o.%I returning v.entity_id)
       insert into search.outbox (point_id, entity, entity_id, op, version, trace_id)
       select search.point_id($1, o.%I), $1, o.%I, ''delete'', nextval(''search.version_seq''), o.trace_id from old_rows o order by o.%I',
      key_col, key_col, key_col, key_col) using entity;
    execute 'select trace_id, correlation_id from old_rows limit 1' into trace, corr;
  else
    execute format(
      'with changed as (
         insert into search.versions as v (entity, entity_id, version)
         select $1, n.%I, nextval(''search.version_seq'') from new_rows n order by n.%I
         on conflict (entity, entity_id) do update set version = excluded.version, changed_at = now()
         returning v.entity_id, v.version)
       insert into search.outbox (point_id, entity, entity_id, op, version, trace_id)
       select search.point_id($1, c.entity_id), $1, c.entity_id, ''upsert'', c.version, n.trace_id
         from changed c join new_rows n on n.%I = c.entity_id',
      key_col, key_col, key_col) using entity;
    execute 'select trace_id, correlation_id from new_rows limit 1' into trace, corr;
  end if;
  if trace is not null then
    perform search.wake_sync(coalesce(ballast.setting('trace_id'), trace), coalesce(ballast.setting('correlation_id'), corr));
  end if;
  return null;
end $_$;

--
-- Name: point_id(text, bigint); Type: FUNCTION; Schema: search; Owner: -
--

CREATE FUNCTION search.point_id(entity text, entity_id bigint) RETURNS uuid
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ select md5('ballast:' || entity || ':' || entity_id)::uuid $$;

--
-- Name: FUNCTION point_id(entity text, entity_id bigint); Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON FUNCTION search.point_id(entity text, entity_id bigint) IS 'stable Qdrant point id of a decision (same formula in lib/search/points.ts)';

--
-- Name: schedule_sync(timestamp with time zone, text, text); Type: FUNCTION; Schema: search; Owner: -
--

CREATE FUNCTION search.schedule_sync(at timestamp with time zone, trace text, correlation text) RETURNS void
    LANGUAGE sql
    AS $$
  select graphile_worker.add_job(
    'search_sync',
    json_build_object('trace_id', trace, 'correlation_id', correlation),
    run_at => at, job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25);
$$;

--
-- Name: wake_sync(text, text); Type: FUNCTION; Schema: search; Owner: -
--

CREATE FUNCTION search.wake_sync(trace text, correlation text) RETURNS void
    LANGUAGE plpgsql
    AS $$
begin
  perform graphile_worker.add_job(
    'search_sync',
    json_build_object('trace_id', trace, 'correlation_id', correlation),
    job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25);
end $$;

--
-- Name: agents; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.agents (
    agent_id text NOT NULL,
    org_id text DEFAULT 'default'::text NOT NULL,
    user_id text NOT NULL,
    phone_number text NOT NULL,
    provider_number_id text,
    deploy_request_id text,
    nickname text,
    status text DEFAULT 'active'::text NOT NULL,
    is_active boolean DEFAULT true NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    provisioned_by text,
    provider text,
    CONSTRAINT agents_phone_number_check CHECK ((phone_number ~ '^\+[1-9][0-9]{6,14}$'::text)),
    CONSTRAINT agents_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'active'::text, 'suspended'::text, 'retired'::text])))
);

--
-- Name: COLUMN agents.phone_number; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.agents.phone_number IS 'E.164';

--
-- Name: claims; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.claims (
    id bigint NOT NULL,
    interaction_id bigint NOT NULL,
    seq integer NOT NULL,
    kind text NOT NULL,
    text text NOT NULL,
    span_seq integer NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text) NOT NULL,
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text) NOT NULL,
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text) NOT NULL,
    produced_by text DEFAULT NULLIF(current_setting('ballast.task'::text, true), ''::text) NOT NULL,
    producer_version text DEFAULT NULLIF(current_setting('ballast.task_version'::text, true), ''::text) NOT NULL,
    model_version text DEFAULT NULLIF(current_setting('ballast.model_version'::text, true), ''::text) NOT NULL,
    prompt_version text DEFAULT NULLIF(current_setting('ballast.prompt_version'::text, true), ''::text),
    produced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT claims_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: claims_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.claims ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.claims_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: conversation_spans; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.conversation_spans (
    id bigint NOT NULL,
    interaction_id bigint NOT NULL,
    seq integer NOT NULL,
    speaker text NOT NULL,
    start_ms integer,
    end_ms integer,
    turn_count integer NOT NULL,
    text text NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text) NOT NULL,
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text) NOT NULL,
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text) NOT NULL,
    produced_by text DEFAULT NULLIF(current_setting('ballast.task'::text, true), ''::text) NOT NULL,
    producer_version text DEFAULT NULLIF(current_setting('ballast.task_version'::text, true), ''::text) NOT NULL,
    model_version text DEFAULT NULLIF(current_setting('ballast.model_version'::text, true), ''::text) NOT NULL,
    produced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT conversation_spans_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: conversation_spans_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.conversation_spans ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.conversation_spans_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: interactions; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.interactions (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    org_id text NOT NULL,
    agent_id text NOT NULL,
    kind text NOT NULL,
    direction text NOT NULL,
    provider_ref text NOT NULL,
    from_number text NOT NULL,
    to_number text NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    duration_seconds integer,
    body text,
    transcript jsonb,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text) NOT NULL,
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text) NOT NULL,
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text) NOT NULL,
    produced_by text DEFAULT NULLIF(current_setting('ballast.task'::text, true), ''::text) NOT NULL,
    producer_version text DEFAULT NULLIF(current_setting('ballast.task_version'::text, true), ''::text) NOT NULL,
    produced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT interactions_direction_check CHECK ((direction = ANY (ARRAY['inbound'::text, 'outbound'::text]))),
    CONSTRAINT interactions_kind_check CHECK ((kind = ANY (ARRAY['call'::text, 'sms'::text]))),
    CONSTRAINT interactions_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: interactions_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.interactions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.interactions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: striking_flags; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.striking_flags (
    id bigint NOT NULL,
    interaction_id bigint NOT NULL,
    seq integer NOT NULL,
    flag text NOT NULL,
    severity text NOT NULL,
    evidence text NOT NULL,
    span_seq integer NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text) NOT NULL,
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text) NOT NULL,
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text) NOT NULL,
    produced_by text DEFAULT NULLIF(current_setting('ballast.task'::text, true), ''::text) NOT NULL,
    producer_version text DEFAULT NULLIF(current_setting('ballast.task_version'::text, true), ''::text) NOT NULL,
    model_version text DEFAULT NULLIF(current_setting('ballast.model_version'::text, true), ''::text) NOT NULL,
    prompt_version text DEFAULT NULLIF(current_setting('ballast.prompt_version'::text, true), ''::text),
    produced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT striking_flags_severity_check CHECK ((severity = ANY (ARRAY['low'::text, 'medium'::text, 'high'::text]))),
    CONSTRAINT striking_flags_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: striking_flags_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.striking_flags ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.striking_flags_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: summaries; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.summaries (
    interaction_id bigint NOT NULL,
    summary text NOT NULL,
    key_points jsonb DEFAULT '[]'::jsonb NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text) NOT NULL,
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text) NOT NULL,
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text) NOT NULL,
    produced_by text DEFAULT NULLIF(current_setting('ballast.task'::text, true), ''::text) NOT NULL,
    producer_version text DEFAULT NULLIF(current_setting('ballast.task_version'::text, true), ''::text) NOT NULL,
    model_version text DEFAULT NULLIF(current_setting('ballast.model_version'::text, true), ''::text) NOT NULL,
    prompt_version text DEFAULT NULLIF(current_setting('ballast.prompt_version'::text, true), ''::text),
    produced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT summaries_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: unknown_phone; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.unknown_phone (
    id bigint NOT NULL,
    event_id bigint NOT NULL,
    source text NOT NULL,
    phone_number text NOT NULL,
    event_type text,
    seen_at timestamp with time zone DEFAULT now() NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text) NOT NULL,
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text) NOT NULL,
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text) NOT NULL,
    produced_by text DEFAULT NULLIF(current_setting('ballast.task'::text, true), ''::text) NOT NULL,
    producer_version text DEFAULT NULLIF(current_setting('ballast.task_version'::text, true), ''::text) NOT NULL,
    produced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT unknown_phone_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: unknown_phone_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.unknown_phone ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.unknown_phone_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: chain; Type: TABLE; Schema: audit; Owner: -
--

CREATE TABLE audit.chain (
    seq bigint NOT NULL,
    ledger_id bigint NOT NULL,
    txid xid8 NOT NULL,
    row_hash bytea NOT NULL,
    chain_hash bytea NOT NULL,
    seal_id bigint NOT NULL
);

--
-- Name: TABLE chain; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON TABLE audit.chain IS 'position of each sealed ledger row in the hash chain (append-only)';

--
-- Name: ledger_id_seq; Type: SEQUENCE; Schema: audit; Owner: -
--

ALTER TABLE audit.ledger ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME audit.ledger_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: redaction_key; Type: TABLE; Schema: audit; Owner: -
--

CREATE TABLE audit.redaction_key (
    singleton boolean DEFAULT true NOT NULL,
    ipad bytea NOT NULL,
    opad bytea NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT redaction_key_ipad_check CHECK ((length(ipad) = 64)),
    CONSTRAINT redaction_key_opad_check CHECK ((length(opad) = 64)),
    CONSTRAINT redaction_key_singleton_check CHECK (singleton)
);

--
-- Name: TABLE redaction_key; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON TABLE audit.redaction_key IS 'the per-install HMAC key of audit.redact(), as its padded inner and outer keys; readable by ballast_audit_writer only';

--
-- Name: seals; Type: TABLE; Schema: audit; Owner: -
--

CREATE TABLE audit.seals (
    id bigint NOT NULL,
    sealed_at timestamp with time zone DEFAULT now() NOT NULL,
    sealed_by text NOT NULL,
    horizon xid8 NOT NULL,
    first_seq bigint,
    last_seq bigint,
    row_count integer NOT NULL,
    head_hash text NOT NULL
);

--
-- Name: TABLE seals; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON TABLE audit.seals IS 'one row per seal run; head_hash is the chain head after it (copy it somewhere else to anchor the chain)';

--
-- Name: seals_id_seq; Type: SEQUENCE; Schema: audit; Owner: -
--

ALTER TABLE audit.seals ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME audit.seals_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: tracked_tables; Type: TABLE; Schema: audit; Owner: -
--

CREATE TABLE audit.tracked_tables (
    relid regclass NOT NULL,
    gated boolean NOT NULL,
    key_columns text[] NOT NULL,
    redact_columns text[] DEFAULT '{}'::text[] NOT NULL,
    enabled_at timestamp with time zone DEFAULT now() NOT NULL,
    enabled_by text DEFAULT COALESCE(ballast.setting('actor'::text), (CURRENT_USER)::text) NOT NULL
);

--
-- Name: unsealed_window; Type: VIEW; Schema: audit; Owner: -
--

CREATE VIEW audit.unsealed_window AS
 SELECT count(*) AS unsealed,
    min(l.occurred_at) AS oldest_at
   FROM audit.ledger l
  WHERE ((l.txid, l.id) > ( SELECT COALESCE(max(c.txid), '0'::xid8) AS "coalesce",
            COALESCE(max(c.ledger_id), (0)::bigint) AS "coalesce"
           FROM ( SELECT chain.txid,
                    chain.ledger_id
                   FROM audit.chain
                  ORDER BY chain.seq DESC
                 LIMIT 1) c));

--
-- Name: VIEW unsealed_window; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON VIEW audit.unsealed_window IS 'ledger rows not yet in the hash chain: how many, and when the oldest was written (audit verify covers only sealed rows)';

--
-- Name: alert_conditions; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.alert_conditions (
    dedupe_key text NOT NULL,
    rule text NOT NULL,
    first_seen_at timestamp with time zone NOT NULL,
    last_seen_at timestamp with time zone NOT NULL
);

--
-- Name: TABLE alert_conditions; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.alert_conditions IS 'evaluate_alerts'' memory: since when each condition has held; a row is deleted when its condition clears';

--
-- Name: alert_deliveries; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.alert_deliveries (
    id bigint NOT NULL,
    alert_id bigint NOT NULL,
    event text NOT NULL,
    sink text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    attempts_left integer,
    next_attempt_at timestamp with time zone DEFAULT now() NOT NULL,
    last_http_status integer,
    last_error text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    CONSTRAINT alert_deliveries_event_check CHECK ((event = ANY (ARRAY['opened'::text, 'resolved'::text]))),
    CONSTRAINT alert_deliveries_sink_check CHECK ((sink = ANY (ARRAY['log'::text, 'webhook'::text, 'email'::text]))),
    CONSTRAINT alert_deliveries_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'delivered'::text, 'dead'::text, 'skipped'::text])))
);

--
-- Name: TABLE alert_deliveries; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.alert_deliveries IS 'what each alert sink still owes: one row per alert, event (opened, resolved) and sink, written by the trigger on ballast.alerts and worked off by deliver_alerts';

--
-- Name: COLUMN alert_deliveries.next_attempt_at; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.alert_deliveries.next_attempt_at IS 'due time of the next attempt; claiming a row moves it one lease ahead, so a crashed worker''s claim comes due again';

--
-- Name: alert_deliveries_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.alert_deliveries ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.alert_deliveries_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: alert_delivery_attempts; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.alert_delivery_attempts (
    id bigint NOT NULL,
    delivery_id bigint,
    alert_id bigint,
    sink text NOT NULL,
    attempt integer NOT NULL,
    outcome text NOT NULL,
    http_status integer,
    error text,
    next_attempt_at timestamp with time zone,
    duration_ms integer NOT NULL,
    attempted_at timestamp with time zone DEFAULT now() NOT NULL,
    trace_id text,
    CONSTRAINT alert_delivery_attempts_outcome_check CHECK ((outcome = ANY (ARRAY['delivered'::text, 'failed'::text, 'dead'::text])))
);

--
-- Name: TABLE alert_delivery_attempts; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.alert_delivery_attempts IS 'one row per attempt to deliver an alert to a sink (deliver_alerts, `ballast alerts test`)';

--
-- Name: alert_delivery_attempts_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.alert_delivery_attempts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.alert_delivery_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: alert_rules; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.alert_rules (
    name text NOT NULL,
    severity text NOT NULL,
    threshold numeric NOT NULL,
    window_seconds integer DEFAULT 3600 NOT NULL,
    for_seconds integer DEFAULT 0 NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    auto_resolve boolean DEFAULT true NOT NULL,
    description text NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT COALESCE(ballast.setting('actor'::text), (CURRENT_USER)::text) NOT NULL,
    CONSTRAINT alert_rules_for_seconds_check CHECK ((for_seconds >= 0)),
    CONSTRAINT alert_rules_name_check CHECK ((name ~ '^[a-z][a-z0-9_]*$'::text)),
    CONSTRAINT alert_rules_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'warning'::text, 'critical'::text]))),
    CONSTRAINT alert_rules_window_seconds_check CHECK ((window_seconds > 0))
);

--
-- Name: TABLE alert_rules; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.alert_rules IS 'alert rules; each rule''s condition is the named query sql/alerts/<name>.sql ($1 threshold, $2 now, $3 window_seconds); a rule whose condition has not shipped yet is disabled';

--
-- Name: alerts; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.alerts (
    id bigint NOT NULL,
    rule text NOT NULL,
    severity text NOT NULL,
    subject jsonb DEFAULT '{}'::jsonb NOT NULL,
    message text NOT NULL,
    dedupe_key text NOT NULL,
    status text DEFAULT 'open'::text NOT NULL,
    first_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    occurrences integer DEFAULT 1 NOT NULL,
    acknowledged_at timestamp with time zone,
    resolved_at timestamp with time zone,
    note text,
    trace_id text,
    correlation_id text,
    evidence jsonb DEFAULT '{}'::jsonb NOT NULL,
    resolved_by text,
    acknowledged_by text,
    CONSTRAINT alerts_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'warning'::text, 'critical'::text]))),
    CONSTRAINT alerts_status_check CHECK ((status = ANY (ARRAY['open'::text, 'acknowledged'::text, 'resolved'::text])))
);

--
-- Name: TABLE alerts; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.alerts IS 'one row per alert; at most one not resolved per dedupe_key; a recurrence bumps last_seen_at and occurrences (evaluate_alerts)';

--
-- Name: COLUMN alerts.occurrences; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.alerts.occurrences IS 'evaluations that found its condition holding since it opened';

--
-- Name: COLUMN alerts.evidence; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.alerts.evidence IS '{"table": ..., "ids": [...], "query": ...}: the rows that raised it, and the forensic query that shows them';

--
-- Name: alerts_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.alerts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.alerts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: diagnostic_logs; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.diagnostic_logs (
    id bigint NOT NULL,
    function_name text NOT NULL,
    function_version text NOT NULL,
    log_level text NOT NULL,
    code text NOT NULL,
    message text NOT NULL,
    metadata jsonb DEFAULT '{}'::jsonb NOT NULL,
    window_start timestamp with time zone NOT NULL,
    occurrences integer DEFAULT 1 NOT NULL,
    first_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT diagnostic_logs_code_check CHECK ((code = ANY (ARRAY['AUTH_FAILED'::text, 'INPUT_INVALID'::text, 'DOWNSTREAM_CALL_FAILED'::text, 'MODEL_PARSE_ERROR'::text, 'DB_WRITE_FAILED'::text, 'PIPELINE_RETRY'::text, 'POLICY_VIOLATION'::text, 'UNEXPECTED'::text]))),
    CONSTRAINT diagnostic_logs_log_level_check CHECK ((log_level = ANY (ARRAY['debug'::text, 'info'::text, 'warn'::text, 'error'::text, 'fatal'::text])))
);

--
-- Name: TABLE diagnostic_logs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.diagnostic_logs IS 'failure/retry diagnostics; one row per function, code and window, with a count';

--
-- Name: diagnostic_logs_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.diagnostic_logs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.diagnostic_logs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: failure_settings; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.failure_settings (
    singleton boolean DEFAULT true NOT NULL,
    diagnostic_window interval DEFAULT '00:01:00'::interval NOT NULL,
    replay_max_attempts integer DEFAULT 5 NOT NULL,
    replay_base_delay interval DEFAULT '00:00:30'::interval NOT NULL,
    replay_max_delay interval DEFAULT '06:00:00'::interval NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT failure_settings_replay_max_attempts_check CHECK ((replay_max_attempts >= 0)),
    CONSTRAINT failure_settings_singleton_check CHECK (singleton)
);

--
-- Name: job_attempts; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.job_attempts (
    id bigint NOT NULL,
    job_id bigint NOT NULL,
    task text NOT NULL,
    task_version text,
    queue text,
    attempt integer NOT NULL,
    max_attempts integer NOT NULL,
    trace_id ballast.trace_id,
    span_id ballast.span_id NOT NULL,
    parent_span_id text,
    correlation_id text,
    worker_id text NOT NULL,
    status ballast.attempt_status NOT NULL,
    job_created_at timestamp with time zone NOT NULL,
    started_at timestamp with time zone NOT NULL,
    heartbeat_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    error text,
    will_retry boolean,
    replay_of uuid
);

--
-- Name: TABLE job_attempts; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.job_attempts IS 'job ledger: one row per attempt (written at the end, or at the first heartbeat for long attempts)';

--
-- Name: COLUMN job_attempts.id; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.job_attempts.id IS 'insertion order; the key is span_id (one span per attempt)';

--
-- Name: job_attempts_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.job_attempts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.job_attempts_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: maintenance_runs; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.maintenance_runs (
    id bigint NOT NULL,
    task text NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone NOT NULL,
    counts jsonb NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text),
    outcome text NOT NULL,
    error text,
    CONSTRAINT maintenance_runs_error_check CHECK (((outcome = 'failed'::text) = (error IS NOT NULL))),
    CONSTRAINT maintenance_runs_outcome_check CHECK ((outcome = ANY (ARRAY['succeeded'::text, 'failed'::text])))
);

--
-- Name: TABLE maintenance_runs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.maintenance_runs IS 'one row per run of a maintenance task (lib/maintenance), written also when the run fails';

--
-- Name: COLUMN maintenance_runs.counts; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.maintenance_runs.counts IS 'the counts of the run''s batches, summed, and the number of batches';

--
-- Name: maintenance_runs_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.maintenance_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.maintenance_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: pipeline_failures; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.pipeline_failures (
    id uuid DEFAULT gen_random_uuid() NOT NULL,
    interaction_id text NOT NULL,
    span_id uuid,
    failing_function text NOT NULL,
    caller_function text,
    http_status integer,
    error_code text,
    error_message text,
    attempt_count integer DEFAULT 1 NOT NULL,
    payload_snapshot jsonb,
    context jsonb,
    failed_at timestamp with time zone DEFAULT now() NOT NULL,
    next_retry_at timestamp with time zone,
    resolved_at timestamp with time zone,
    resolution_note text
);

--
-- Name: TABLE pipeline_failures; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.pipeline_failures IS 'dead letters: permanent failures and exhausted retries; payload_snapshot is redacted';

--
-- Name: COLUMN pipeline_failures.context; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.pipeline_failures.context IS 'job_id, task, trace_id, correlation_id, error_id, replayable, replay history';

--
-- Name: policy_violations; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.policy_violations (
    id bigint NOT NULL,
    policy text NOT NULL,
    severity text NOT NULL,
    job_id bigint,
    task text,
    attempt_span_id text,
    correlation_id text,
    job_created_at timestamp with time zone,
    message text NOT NULL,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    detected_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT policy_violations_severity_check CHECK ((severity = ANY (ARRAY['info'::text, 'warning'::text, 'error'::text, 'critical'::text])))
);

--
-- Name: policy_violations_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.policy_violations ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.policy_violations_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: _private_tasks; Type: TABLE; Schema: graphile_worker; Owner: -
--

CREATE TABLE graphile_worker._private_tasks (
    id integer NOT NULL,
    identifier text NOT NULL,
    CONSTRAINT tasks_identifier_check CHECK ((length(identifier) <= 128))
);

--
-- Name: queued_jobs; Type: VIEW; Schema: ballast; Owner: -
--

CREATE VIEW ballast.queued_jobs AS
 SELECT j.id,
    t.identifier AS task_identifier,
    j.payload,
    j.run_at,
    j.attempts,
    j.max_attempts,
    j.last_error,
    j.created_at,
    j.key,
    j.locked_at,
    j.locked_by,
    (j.payload ->> 'trace_id'::text) AS trace_id,
    (j.payload ->> 'correlation_id'::text) AS correlation_id
   FROM (graphile_worker._private_jobs j
     JOIN graphile_worker._private_tasks t ON ((t.id = j.task_id)));

--
-- Name: VIEW queued_jobs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON VIEW ballast.queued_jobs IS 'jobs still in the queue (waiting, locked, retrying or failed for good), with their trace';

--
-- Name: rescued_jobs; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.rescued_jobs (
    id bigint NOT NULL,
    job_id bigint NOT NULL,
    task text NOT NULL,
    attempt integer NOT NULL,
    max_attempts integer NOT NULL,
    worker_id text NOT NULL,
    pool_id text NOT NULL,
    outcome text NOT NULL,
    reason text NOT NULL,
    trace_id text,
    rescued_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT rescued_jobs_outcome_check CHECK ((outcome = ANY (ARRAY['retry'::text, 'last_attempt'::text, 'superseded'::text, 'completed'::text])))
);

--
-- Name: TABLE rescued_jobs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.rescued_jobs IS 'what the rescue of a dead worker did with each job it held (lib/fleet/rescue.ts)';

--
-- Name: rescued_jobs_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.rescued_jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.rescued_jobs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: stages; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.stages (
    task text NOT NULL,
    version text NOT NULL,
    queue text NOT NULL,
    decision boolean DEFAULT false NOT NULL,
    engine text,
    engine_version text,
    outputs text[] DEFAULT '{}'::text[] NOT NULL,
    registered_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT stages_check CHECK (((engine IS NULL) OR (engine_version IS NOT NULL)))
);

--
-- Name: TABLE stages; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.stages IS 'what the stages in tasks/ declare; written by `ballast migrate` (lib/stage/registry.ts)';

--
-- Name: COLUMN stages.outputs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.stages.outputs IS 'tables the stage writes stamped rows to (schema.table)';

--
-- Name: trace_policy; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.trace_policy (
    singleton boolean DEFAULT true NOT NULL,
    mode text DEFAULT 'log_only'::text NOT NULL,
    cutoff timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT COALESCE(ballast.setting('actor'::text), (CURRENT_USER)::text) NOT NULL,
    CONSTRAINT trace_policy_mode_check CHECK ((mode = ANY (ARRAY['log_only'::text, 'strict'::text]))),
    CONSTRAINT trace_policy_singleton_check CHECK (singleton)
);

--
-- Name: COLUMN trace_policy.cutoff; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.trace_policy.cutoff IS 'jobs created before this are legacy: trace_id optional';

--
-- Name: unrecorded_failed_jobs; Type: VIEW; Schema: ballast; Owner: -
--

CREATE VIEW ballast.unrecorded_failed_jobs AS
 SELECT j.id,
    j.task_identifier,
    j.payload,
    j.run_at,
    j.attempts,
    j.max_attempts,
    j.last_error,
    j.created_at,
    j.key,
    j.locked_at,
    j.locked_by,
    j.trace_id,
    j.correlation_id
   FROM ballast.queued_jobs j
  WHERE ((j.attempts >= j.max_attempts) AND (j.locked_at IS NULL) AND (NOT (EXISTS ( SELECT 1
           FROM ballast.pipeline_failures f
          WHERE (((f.context ->> 'job_id'::text) = (j.id)::text) OR ((f.id)::text = (j.payload ->> 'replay_of'::text)))))) AND (NOT (EXISTS ( SELECT 1
           FROM ( SELECT a.attempt,
                    a.will_retry
                   FROM ballast.job_attempts a
                  WHERE (a.job_id = j.id)
                  ORDER BY a.attempt DESC
                 LIMIT 1) last
          WHERE (last.will_retry AND (last.attempt < (j.attempts - 1)))))) AND (NOT (EXISTS ( SELECT 1
           FROM ballast.job_attempts a
          WHERE ((a.job_id = j.id) AND ((a.status)::text = 'succeeded'::text))))) AND (NOT (EXISTS ( SELECT 1
           FROM ballast.rescued_jobs r
          WHERE ((r.job_id = j.id) AND (r.outcome = ANY (ARRAY['superseded'::text, 'completed'::text])))))));

--
-- Name: workers; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.workers (
    worker_id text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    pool_ids text[] DEFAULT '{}'::text[] NOT NULL,
    tasks text[] NOT NULL,
    concurrency integer NOT NULL,
    beat_ms integer NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    last_beat_at timestamp with time zone DEFAULT now() NOT NULL,
    beating_since timestamp with time zone DEFAULT now() NOT NULL,
    stopped_at timestamp with time zone,
    rescued_at timestamp with time zone,
    rescue_reason text,
    CONSTRAINT workers_beat_ms_check CHECK ((beat_ms > 0)),
    CONSTRAINT workers_check CHECK (((rescued_at IS NULL) = (rescue_reason IS NULL)))
);

--
-- Name: TABLE workers; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.workers IS 'one row per worker process, heartbeated while it runs (lib/fleet/heartbeat.ts); written only through ballast.beat_worker, ballast.stop_worker and ballast.rescue_workers';

--
-- Name: COLUMN workers.worker_id; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.workers.worker_id IS 'host:pid:random, the worker_id of its rows in ballast.job_attempts';

--
-- Name: COLUMN workers.stopped_at; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.workers.stopped_at IS 'a graceful stop: its jobs were finished or returned';

--
-- Name: COLUMN workers.rescued_at; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.workers.rescued_at IS 'declared dead by the rescue: its jobs were freed and its running attempts abandoned';

--
-- Name: _private_job_queues; Type: TABLE; Schema: graphile_worker; Owner: -
--

CREATE TABLE graphile_worker._private_job_queues (
    id integer NOT NULL,
    queue_name text NOT NULL,
    locked_at timestamp with time zone,
    locked_by text,
    is_available boolean GENERATED ALWAYS AS ((locked_at IS NULL)) STORED NOT NULL,
    CONSTRAINT job_queues_queue_name_check CHECK ((length(queue_name) <= 128))
);

--
-- Name: _private_known_crontabs; Type: TABLE; Schema: graphile_worker; Owner: -
--

CREATE TABLE graphile_worker._private_known_crontabs (
    identifier text NOT NULL,
    known_since timestamp with time zone NOT NULL,
    last_execution timestamp with time zone
);

--
-- Name: job_queues_id_seq; Type: SEQUENCE; Schema: graphile_worker; Owner: -
--

ALTER TABLE graphile_worker._private_job_queues ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME graphile_worker.job_queues_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: jobs; Type: VIEW; Schema: graphile_worker; Owner: -
--

CREATE VIEW graphile_worker.jobs AS
 SELECT jobs.id,
    job_queues.queue_name,
    tasks.identifier AS task_identifier,
    jobs.priority,
    jobs.run_at,
    jobs.attempts,
    jobs.max_attempts,
    jobs.last_error,
    jobs.created_at,
    jobs.updated_at,
    jobs.key,
    jobs.locked_at,
    jobs.locked_by,
    jobs.revision,
    jobs.flags
   FROM ((graphile_worker._private_jobs jobs
     JOIN graphile_worker._private_tasks tasks ON ((tasks.id = jobs.task_id)))
     LEFT JOIN graphile_worker._private_job_queues job_queues ON ((job_queues.id = jobs.job_queue_id)));

--
-- Name: jobs_id_seq1; Type: SEQUENCE; Schema: graphile_worker; Owner: -
--

ALTER TABLE graphile_worker._private_jobs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME graphile_worker.jobs_id_seq1
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: migrations; Type: TABLE; Schema: graphile_worker; Owner: -
--

CREATE TABLE graphile_worker.migrations (
    id integer NOT NULL,
    ts timestamp with time zone DEFAULT now() NOT NULL,
    breaking boolean DEFAULT false NOT NULL
);

--
-- Name: tasks_id_seq; Type: SEQUENCE; Schema: graphile_worker; Owner: -
--

ALTER TABLE graphile_worker._private_tasks ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME graphile_worker.tasks_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: webhook_events; Type: TABLE; Schema: ingest; Owner: -
--

CREATE TABLE ingest.webhook_events (
    id bigint NOT NULL,
    source text NOT NULL,
    webhook_id text NOT NULL,
    event_type text,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    raw_body text,
    payload jsonb,
    headers jsonb DEFAULT '{}'::jsonb NOT NULL,
    trace_id text NOT NULL,
    span_id text NOT NULL,
    correlation_id text NOT NULL,
    status text DEFAULT 'received'::text NOT NULL,
    status_reason text,
    stages_done text[] DEFAULT '{}'::text[] NOT NULL,
    processed_at timestamp with time zone,
    raw_bytes bytea,
    CONSTRAINT webhook_events_bytes_rejected CHECK (((raw_bytes IS NULL) OR (status = 'rejected'::text))),
    CONSTRAINT webhook_events_one_raw_body CHECK ((num_nonnulls(raw_body, raw_bytes) = 1)),
    CONSTRAINT webhook_events_source_check CHECK ((source ~ '^[a-z0-9][a-z0-9_-]*$'::text)),
    CONSTRAINT webhook_events_span_id_check CHECK ((span_id ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT webhook_events_status_check CHECK ((status = ANY (ARRAY['received'::text, 'rejected'::text, 'processing'::text, 'completed'::text, 'quarantined'::text]))),
    CONSTRAINT webhook_events_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text)),
    CONSTRAINT webhook_events_webhook_id_check CHECK (((length(webhook_id) >= 1) AND (length(webhook_id) <= 200)))
);

--
-- Name: TABLE webhook_events; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON TABLE ingest.webhook_events IS 'inbox: one row per delivered webhook; unique (source, webhook_id)';

--
-- Name: COLUMN webhook_events.raw_body; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.webhook_events.raw_body IS 'the body as received, when it is valid UTF-8 without NUL; else null and the bytes are in raw_bytes';

--
-- Name: COLUMN webhook_events.status; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.webhook_events.status IS 'received -> processing -> completed | quarantined; rejected = kept but never started (e.g. malformed JSON)';

--
-- Name: COLUMN webhook_events.raw_bytes; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.webhook_events.raw_bytes IS 'the body as received, for bodies that are not storable as text (invalid UTF-8, a NUL byte); such rows are rejected';

--
-- Name: webhook_events_id_seq; Type: SEQUENCE; Schema: ingest; Owner: -
--

ALTER TABLE ingest.webhook_events ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ingest.webhook_events_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: migrations; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.migrations (
    id integer NOT NULL,
    name character varying(100) NOT NULL,
    hash character varying(40) NOT NULL,
    executed_at timestamp without time zone DEFAULT CURRENT_TIMESTAMP
);

--
-- Name: decisions; Type: TABLE; Schema: replay; Owner: -
--

CREATE TABLE replay.decisions (
    id bigint NOT NULL,
    task text NOT NULL,
    task_version text NOT NULL,
    engine text NOT NULL,
    engine_version text NOT NULL,
    engine_code_hash text NOT NULL,
    ruleset text,
    interaction_id bigint NOT NULL,
    input jsonb NOT NULL,
    input_hash text NOT NULL,
    input_redacted boolean NOT NULL,
    output jsonb NOT NULL,
    output_hash text NOT NULL,
    live_output_hash text NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text),
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text),
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text),
    decided_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT decisions_engine_code_hash_check CHECK ((engine_code_hash ~ '^[0-9a-f]{64}$'::text))
);

--
-- Name: COLUMN decisions.input; Type: COMMENT; Schema: replay; Owner: -
--

COMMENT ON COLUMN replay.decisions.input IS 'engine input with personal data and secrets replaced by placeholders';

--
-- Name: COLUMN decisions.input_hash; Type: COMMENT; Schema: replay; Owner: -
--

COMMENT ON COLUMN replay.decisions.input_hash IS 'sha256 of the original, unredacted input';

--
-- Name: COLUMN decisions.output; Type: COMMENT; Schema: replay; Owner: -
--

COMMENT ON COLUMN replay.decisions.output IS 'what the engine decided on the stored input (the replay baseline)';

--
-- Name: COLUMN decisions.live_output_hash; Type: COMMENT; Schema: replay; Owner: -
--

COMMENT ON COLUMN replay.decisions.live_output_hash IS 'sha256 of what the stage wrote; equals output_hash unless the input was redacted';

--
-- Name: decisions_id_seq; Type: SEQUENCE; Schema: replay; Owner: -
--

ALTER TABLE replay.decisions ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME replay.decisions_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: versions; Type: TABLE; Schema: search; Owner: -
--

CREATE TABLE search.versions (
    entity text NOT NULL,
    entity_id bigint NOT NULL,
    version bigint NOT NULL,
    changed_at timestamp with time zone DEFAULT now() NOT NULL
);

--
-- Name: TABLE versions; Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON TABLE search.versions IS 'current index version of each live decision (deleted decisions have no row)';

--
-- Name: expected_documents; Type: VIEW; Schema: search; Owner: -
--

CREATE VIEW search.expected_documents AS
 SELECT 'summary'::text AS entity,
    s.interaction_id AS entity_id,
    search.point_id('summary'::text, s.interaction_id) AS point_id,
    i.org_id,
    s.interaction_id,
    COALESCE(v.version, (0)::bigint) AS version,
    NULL::text AS kind,
    s.summary AS content,
    md5(s.summary) AS content_hash,
    s.trace_id,
    s.correlation_id,
    s.produced_by,
    s.producer_version,
    s.model_version,
    s.prompt_version,
    s.produced_at
   FROM ((app.summaries s
     JOIN app.interactions i ON ((i.id = s.interaction_id)))
     LEFT JOIN search.versions v ON (((v.entity = 'summary'::text) AND (v.entity_id = s.interaction_id))))
UNION ALL
 SELECT 'claim'::text AS entity,
    c.id AS entity_id,
    search.point_id('claim'::text, c.id) AS point_id,
    i.org_id,
    c.interaction_id,
    COALESCE(v.version, (0)::bigint) AS version,
    c.kind,
    ((c.kind || ': '::text) || c.text) AS content,
    md5(((c.kind || ': '::text) || c.text)) AS content_hash,
    c.trace_id,
    c.correlation_id,
    c.produced_by,
    c.producer_version,
    c.model_version,
    c.prompt_version,
    c.produced_at
   FROM ((app.claims c
     JOIN app.interactions i ON ((i.id = c.interaction_id)))
     LEFT JOIN search.versions v ON (((v.entity = 'claim'::text) AND (v.entity_id = c.id))));

--
-- Name: VIEW expected_documents; Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON VIEW search.expected_documents IS 'the index set Postgres expects (reconciler) and the documents the sync task writes';

--
-- Name: outbox; Type: TABLE; Schema: search; Owner: -
--

CREATE TABLE search.outbox (
    id bigint NOT NULL,
    point_id uuid NOT NULL,
    entity text NOT NULL,
    entity_id bigint,
    op text NOT NULL,
    version bigint NOT NULL,
    reason text DEFAULT 'change'::text NOT NULL,
    status text DEFAULT 'pending'::text NOT NULL,
    attempts integer DEFAULT 0 NOT NULL,
    last_error text,
    available_at timestamp with time zone DEFAULT now() NOT NULL,
    enqueued_at timestamp with time zone DEFAULT clock_timestamp() NOT NULL,
    processed_at timestamp with time zone,
    trace_id text,
    reconcile_run bigint,
    CONSTRAINT outbox_op_check CHECK ((op = ANY (ARRAY['upsert'::text, 'delete'::text]))),
    CONSTRAINT outbox_reason_check CHECK ((reason = ANY (ARRAY['change'::text, 'repair'::text, 'backfill'::text]))),
    CONSTRAINT outbox_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'done'::text, 'superseded'::text, 'dead'::text])))
);

--
-- Name: TABLE outbox; Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON TABLE search.outbox IS 'seed 003 "search_outbox": one row per change to an indexed decision; drained by search_sync';

--
-- Name: COLUMN outbox.op; Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON COLUMN search.outbox.op IS 'what the trigger saw; the sync task writes whatever Postgres holds when it runs';

--
-- Name: COLUMN outbox.status; Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON COLUMN search.outbox.status IS 'pending -> done | superseded (a newer row for the same point) | dead (out of attempts; see ops/runbooks/search.md)';

--
-- Name: outbox_id_seq; Type: SEQUENCE; Schema: search; Owner: -
--

ALTER TABLE search.outbox ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME search.outbox_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: reconcile_runs; Type: TABLE; Schema: search; Owner: -
--

CREATE TABLE search.reconcile_runs (
    id bigint NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    duration_ms integer,
    collection text NOT NULL,
    status text DEFAULT 'running'::text NOT NULL,
    expected bigint DEFAULT 0 NOT NULL,
    actual bigint DEFAULT 0 NOT NULL,
    missing bigint DEFAULT 0 NOT NULL,
    stale bigint DEFAULT 0 NOT NULL,
    orphaned bigint DEFAULT 0 NOT NULL,
    repaired bigint DEFAULT 0 NOT NULL,
    unrepaired bigint DEFAULT 0 NOT NULL,
    error text,
    trace_id text,
    triggered_by text NOT NULL,
    CONSTRAINT reconcile_runs_status_check CHECK ((status = ANY (ARRAY['running'::text, 'clean'::text, 'repaired'::text, 'partial'::text, 'failed'::text])))
);

--
-- Name: TABLE reconcile_runs; Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON TABLE search.reconcile_runs IS 'reconciliation runs: drift found and repairs enqueued; unrepaired > 0 means the repair bound was hit';

--
-- Name: reconcile_runs_id_seq; Type: SEQUENCE; Schema: search; Owner: -
--

ALTER TABLE search.reconcile_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME search.reconcile_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: sync_runs; Type: TABLE; Schema: search; Owner: -
--

CREATE TABLE search.sync_runs (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    claimed integer NOT NULL,
    upserted integer NOT NULL,
    deleted integer NOT NULL,
    superseded integer NOT NULL,
    failed integer NOT NULL,
    dead integer NOT NULL,
    duration_ms integer NOT NULL,
    error text,
    trace_id text
);

--
-- Name: sync_runs_id_seq; Type: SEQUENCE; Schema: search; Owner: -
--

ALTER TABLE search.sync_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME search.sync_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: version_seq; Type: SEQUENCE; Schema: search; Owner: -
--

CREATE SEQUENCE search.version_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

--
-- Name: agents agents_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (agent_id);

--
-- Name: claims claims_interaction_id_seq_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.claims
    ADD CONSTRAINT claims_interaction_id_seq_key UNIQUE (interaction_id, seq);

--
-- Name: claims claims_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.claims
    ADD CONSTRAINT claims_pkey PRIMARY KEY (id);

--
-- Name: conversation_spans conversation_spans_interaction_id_seq_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.conversation_spans
    ADD CONSTRAINT conversation_spans_interaction_id_seq_key UNIQUE (interaction_id, seq);

--
-- Name: conversation_spans conversation_spans_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.conversation_spans
    ADD CONSTRAINT conversation_spans_pkey PRIMARY KEY (id);

--
-- Name: interactions interactions_event_id_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.interactions
    ADD CONSTRAINT interactions_event_id_key UNIQUE (event_id);

--
-- Name: interactions interactions_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.interactions
    ADD CONSTRAINT interactions_pkey PRIMARY KEY (id);

--
-- Name: striking_flags striking_flags_interaction_id_seq_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.striking_flags
    ADD CONSTRAINT striking_flags_interaction_id_seq_key UNIQUE (interaction_id, seq);

--
-- Name: striking_flags striking_flags_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.striking_flags
    ADD CONSTRAINT striking_flags_pkey PRIMARY KEY (id);

--
-- Name: summaries summaries_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.summaries
    ADD CONSTRAINT summaries_pkey PRIMARY KEY (interaction_id);

--
-- Name: unknown_phone unknown_phone_event_id_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.unknown_phone
    ADD CONSTRAINT unknown_phone_event_id_key UNIQUE (event_id);

--
-- Name: unknown_phone unknown_phone_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.unknown_phone
    ADD CONSTRAINT unknown_phone_pkey PRIMARY KEY (id);

--
-- Name: chain chain_ledger_id_key; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.chain
    ADD CONSTRAINT chain_ledger_id_key UNIQUE (ledger_id);

--
-- Name: chain chain_pkey; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.chain
    ADD CONSTRAINT chain_pkey PRIMARY KEY (seq);

--
-- Name: ledger ledger_pkey; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.ledger
    ADD CONSTRAINT ledger_pkey PRIMARY KEY (id);

--
-- Name: redaction_key redaction_key_pkey; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.redaction_key
    ADD CONSTRAINT redaction_key_pkey PRIMARY KEY (singleton);

--
-- Name: seals seals_pkey; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.seals
    ADD CONSTRAINT seals_pkey PRIMARY KEY (id);

--
-- Name: tracked_tables tracked_tables_pkey; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.tracked_tables
    ADD CONSTRAINT tracked_tables_pkey PRIMARY KEY (relid);

--
-- Name: alert_conditions alert_conditions_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alert_conditions
    ADD CONSTRAINT alert_conditions_pkey PRIMARY KEY (dedupe_key);

--
-- Name: alert_deliveries alert_deliveries_alert_id_event_sink_key; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alert_deliveries
    ADD CONSTRAINT alert_deliveries_alert_id_event_sink_key UNIQUE (alert_id, event, sink);

--
-- Name: alert_deliveries alert_deliveries_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alert_deliveries
    ADD CONSTRAINT alert_deliveries_pkey PRIMARY KEY (id);

--
-- Name: alert_delivery_attempts alert_delivery_attempts_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alert_delivery_attempts
    ADD CONSTRAINT alert_delivery_attempts_pkey PRIMARY KEY (id);

--
-- Name: alert_rules alert_rules_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alert_rules
    ADD CONSTRAINT alert_rules_pkey PRIMARY KEY (name);

--
-- Name: alerts alerts_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alerts
    ADD CONSTRAINT alerts_pkey PRIMARY KEY (id);

--
-- Name: diagnostic_logs diagnostic_logs_function_name_code_window_start_key; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.diagnostic_logs
    ADD CONSTRAINT diagnostic_logs_function_name_code_window_start_key UNIQUE (function_name, code, window_start);

--
-- Name: diagnostic_logs diagnostic_logs_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.diagnostic_logs
    ADD CONSTRAINT diagnostic_logs_pkey PRIMARY KEY (id);

--
-- Name: error_envelopes error_envelopes_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.error_envelopes
    ADD CONSTRAINT error_envelopes_pkey PRIMARY KEY (error_id);

--
-- Name: failure_settings failure_settings_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.failure_settings
    ADD CONSTRAINT failure_settings_pkey PRIMARY KEY (singleton);

--
-- Name: job_attempts job_attempts_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.job_attempts
    ADD CONSTRAINT job_attempts_pkey PRIMARY KEY (span_id);

--
-- Name: maintenance_runs maintenance_runs_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.maintenance_runs
    ADD CONSTRAINT maintenance_runs_pkey PRIMARY KEY (id);

--
-- Name: pipeline_failures pipeline_failures_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.pipeline_failures
    ADD CONSTRAINT pipeline_failures_pkey PRIMARY KEY (id);

--
-- Name: policy_violations policy_violations_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.policy_violations
    ADD CONSTRAINT policy_violations_pkey PRIMARY KEY (id);

--
-- Name: rescued_jobs rescued_jobs_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.rescued_jobs
    ADD CONSTRAINT rescued_jobs_pkey PRIMARY KEY (id);

--
-- Name: stages stages_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.stages
    ADD CONSTRAINT stages_pkey PRIMARY KEY (task);

--
-- Name: trace_policy trace_policy_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.trace_policy
    ADD CONSTRAINT trace_policy_pkey PRIMARY KEY (singleton);

--
-- Name: workers workers_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.workers
    ADD CONSTRAINT workers_pkey PRIMARY KEY (worker_id);

--
-- Name: _private_job_queues job_queues_pkey1; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker._private_job_queues
    ADD CONSTRAINT job_queues_pkey1 PRIMARY KEY (id);

--
-- Name: _private_job_queues job_queues_queue_name_key; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker._private_job_queues
    ADD CONSTRAINT job_queues_queue_name_key UNIQUE (queue_name);

--
-- Name: _private_jobs jobs_key_key1; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker._private_jobs
    ADD CONSTRAINT jobs_key_key1 UNIQUE (key);

--
-- Name: _private_jobs jobs_pkey1; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker._private_jobs
    ADD CONSTRAINT jobs_pkey1 PRIMARY KEY (id);

--
-- Name: _private_known_crontabs known_crontabs_pkey; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker._private_known_crontabs
    ADD CONSTRAINT known_crontabs_pkey PRIMARY KEY (identifier);

--
-- Name: migrations migrations_pkey; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker.migrations
    ADD CONSTRAINT migrations_pkey PRIMARY KEY (id);

--
-- Name: _private_tasks tasks_identifier_key; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker._private_tasks
    ADD CONSTRAINT tasks_identifier_key UNIQUE (identifier);

--
-- Name: _private_tasks tasks_pkey; Type: CONSTRAINT; Schema: graphile_worker; Owner: -
--

ALTER TABLE ONLY graphile_worker._private_tasks
    ADD CONSTRAINT tasks_pkey PRIMARY KEY (id);

--
-- Name: webhook_events webhook_events_pkey; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_events
    ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id);

--
-- Name: webhook_events webhook_events_source_webhook_id_key; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_events
    ADD CONSTRAINT webhook_events_source_webhook_id_key UNIQUE (source, webhook_id);

--
-- Name: migrations migrations_name_key; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.migrations
    ADD CONSTRAINT migrations_name_key UNIQUE (name);

--
-- Name: migrations migrations_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.migrations
    ADD CONSTRAINT migrations_pkey PRIMARY KEY (id);

--
-- Name: decisions decisions_pkey; Type: CONSTRAINT; Schema: replay; Owner: -
--

ALTER TABLE ONLY replay.decisions
    ADD CONSTRAINT decisions_pkey PRIMARY KEY (id);

--
-- Name: outbox outbox_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.outbox
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id);

--
-- Name: reconcile_runs reconcile_runs_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.reconcile_runs
    ADD CONSTRAINT reconcile_runs_pkey PRIMARY KEY (id);

--
-- Name: sync_runs sync_runs_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.sync_runs
    ADD CONSTRAINT sync_runs_pkey PRIMARY KEY (id);

--
-- Name: versions versions_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.versions
    ADD CONSTRAINT versions_pkey PRIMARY KEY (entity, entity_id);

--
-- Name: agents_active_number_key; Type: INDEX; Schema: app; Owner: -
--

CREATE UNIQUE INDEX agents_active_number_key ON app.agents USING btree (phone_number) WHERE is_active;

--
-- Name: claims_trace_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX claims_trace_idx ON app.claims USING btree (trace_id);

--
-- Name: conversation_spans_trace_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX conversation_spans_trace_idx ON app.conversation_spans USING btree (trace_id);

--
-- Name: interactions_agent_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX interactions_agent_idx ON app.interactions USING btree (agent_id, occurred_at DESC);

--
-- Name: interactions_trace_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX interactions_trace_idx ON app.interactions USING btree (trace_id);

--
-- Name: striking_flags_trace_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX striking_flags_trace_idx ON app.striking_flags USING btree (trace_id);

--
-- Name: summaries_trace_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX summaries_trace_idx ON app.summaries USING btree (trace_id);

--
-- Name: unknown_phone_number_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX unknown_phone_number_idx ON app.unknown_phone USING btree (phone_number, seen_at DESC);

--
-- Name: ledger_chain_order_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_chain_order_idx ON audit.ledger USING btree (txid, id);

--
-- Name: ledger_deletes_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_deletes_idx ON audit.ledger USING btree (occurred_at DESC) WHERE (after_data IS NULL);

--
-- Name: INDEX ledger_deletes_idx; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON INDEX audit.ledger_deletes_idx IS 'deletes and truncates (the only rows with no after image), newest first';

--
-- Name: ledger_entity_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_entity_idx ON audit.ledger USING btree (entity_id);

--
-- Name: INDEX ledger_entity_idx; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON INDEX audit.ledger_entity_idx IS 'row history: the entries of one entity id (the recipe filters on entity_type)';

--
-- Name: ledger_trace_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_trace_idx ON audit.ledger USING btree (trace_id) WHERE (trace_id IS NOT NULL);

--
-- Name: alert_conditions_rule_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX alert_conditions_rule_idx ON ballast.alert_conditions USING btree (rule);

--
-- Name: alert_deliveries_dead_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX alert_deliveries_dead_idx ON ballast.alert_deliveries USING btree (sink) WHERE (status = 'dead'::text);

--
-- Name: alert_deliveries_due_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX alert_deliveries_due_idx ON ballast.alert_deliveries USING btree (next_attempt_at) WHERE (status = 'pending'::text);

--
-- Name: alert_delivery_attempts_delivery_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX alert_delivery_attempts_delivery_idx ON ballast.alert_delivery_attempts USING btree (delivery_id);

--
-- Name: alerts_open_dedupe_key; Type: INDEX; Schema: ballast; Owner: -
--

CREATE UNIQUE INDEX alerts_open_dedupe_key ON ballast.alerts USING btree (dedupe_key) WHERE (status <> 'resolved'::text);

--
-- Name: alerts_rule_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX alerts_rule_idx ON ballast.alerts USING btree (rule) WHERE (status <> 'resolved'::text);

--
-- Name: alerts_status_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX alerts_status_idx ON ballast.alerts USING btree (status, last_seen_at DESC);

--
-- Name: diagnostic_logs_recent_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX diagnostic_logs_recent_idx ON ballast.diagnostic_logs USING btree (last_seen_at DESC);

--
-- Name: error_envelopes_class_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_class_idx ON ballast.error_envelopes USING btree (error_class, "timestamp");

--
-- Name: error_envelopes_component_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_component_idx ON ballast.error_envelopes USING btree (component, "timestamp");

--
-- Name: error_envelopes_correlation_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_correlation_idx ON ballast.error_envelopes USING btree (correlation_id);

--
-- Name: error_envelopes_created_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_created_idx ON ballast.error_envelopes USING btree (created_at);

--
-- Name: error_envelopes_run_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_run_idx ON ballast.error_envelopes USING btree (run_id);

--
-- Name: error_envelopes_trace_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_trace_idx ON ballast.error_envelopes USING btree (trace_id);

--
-- Name: job_attempts_correlation_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_correlation_idx ON ballast.job_attempts USING btree (correlation_id);

--
-- Name: job_attempts_job_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_job_idx ON ballast.job_attempts USING btree (job_id, attempt);

--
-- Name: job_attempts_running_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_running_idx ON ballast.job_attempts USING btree (heartbeat_at) WHERE ((status)::text = 'running'::text);

--
-- Name: job_attempts_trace_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_trace_idx ON ballast.job_attempts USING btree (trace_id);

--
-- Name: maintenance_runs_task_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX maintenance_runs_task_idx ON ballast.maintenance_runs USING btree (task, started_at DESC);

--
-- Name: pipeline_failures_function_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_function_idx ON ballast.pipeline_failures USING btree (failing_function, failed_at DESC);

--
-- Name: pipeline_failures_interaction_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_interaction_idx ON ballast.pipeline_failures USING btree (interaction_id, failed_at DESC);

--
-- Name: pipeline_failures_unresolved_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_unresolved_idx ON ballast.pipeline_failures USING btree (resolved_at) WHERE (resolved_at IS NULL);

--
-- Name: policy_violations_correlation_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX policy_violations_correlation_idx ON ballast.policy_violations USING btree (correlation_id);

--
-- Name: policy_violations_detected_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX policy_violations_detected_idx ON ballast.policy_violations USING btree (detected_at DESC);

--
-- Name: rescued_jobs_job_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX rescued_jobs_job_idx ON ballast.rescued_jobs USING btree (job_id);

--
-- Name: rescued_jobs_time_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX rescued_jobs_time_idx ON ballast.rescued_jobs USING btree (rescued_at DESC);

--
-- Name: workers_alive_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX workers_alive_idx ON ballast.workers USING btree (last_beat_at) WHERE ((stopped_at IS NULL) AND (rescued_at IS NULL));

--
-- Name: workers_pool_ids_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX workers_pool_ids_idx ON ballast.workers USING gin (pool_ids);

--
-- Name: jobs_main_index; Type: INDEX; Schema: graphile_worker; Owner: -
--

CREATE INDEX jobs_main_index ON graphile_worker._private_jobs USING btree (priority, run_at) INCLUDE (id, task_id, job_queue_id) WHERE (is_available = true);

--
-- Name: jobs_no_queue_index; Type: INDEX; Schema: graphile_worker; Owner: -
--

CREATE INDEX jobs_no_queue_index ON graphile_worker._private_jobs USING btree (priority, run_at) INCLUDE (id, task_id) WHERE ((is_available = true) AND (job_queue_id IS NULL));

--
-- Name: webhook_events_correlation_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_correlation_idx ON ingest.webhook_events USING btree (correlation_id);

--
-- Name: webhook_events_correlation_key; Type: INDEX; Schema: ingest; Owner: -
--

CREATE UNIQUE INDEX webhook_events_correlation_key ON ingest.webhook_events USING btree (correlation_id);

--
-- Name: webhook_events_open_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_open_idx ON ingest.webhook_events USING btree (received_at) WHERE (status = ANY (ARRAY['received'::text, 'processing'::text]));

--
-- Name: webhook_events_trace_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_trace_idx ON ingest.webhook_events USING btree (trace_id);

--
-- Name: decisions_interaction_idx; Type: INDEX; Schema: replay; Owner: -
--

CREATE INDEX decisions_interaction_idx ON replay.decisions USING btree (interaction_id, id);

--
-- Name: decisions_span_idx; Type: INDEX; Schema: replay; Owner: -
--

CREATE INDEX decisions_span_idx ON replay.decisions USING btree (span_id);

--
-- Name: decisions_task_idx; Type: INDEX; Schema: replay; Owner: -
--

CREATE INDEX decisions_task_idx ON replay.decisions USING btree (task, decided_at);

--
-- Name: decisions_trace_idx; Type: INDEX; Schema: replay; Owner: -
--

CREATE INDEX decisions_trace_idx ON replay.decisions USING btree (trace_id);

--
-- Name: outbox_dead_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_dead_idx ON search.outbox USING btree (id) WHERE (status = 'dead'::text);

--
-- Name: outbox_pending_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_pending_idx ON search.outbox USING btree (id) WHERE (status = 'pending'::text);

--
-- Name: outbox_processed_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_processed_idx ON search.outbox USING btree (processed_at);

--
-- Name: sync_runs_at_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX sync_runs_at_idx ON search.sync_runs USING btree (at);

--
-- Name: agents audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.agents REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{agent_id}', '{}', 'agent_id');

--
-- Name: claims audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.claims REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{text}', 'id');

--
-- Name: interactions audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.interactions REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{transcript,body,from_number,to_number}', 'id');

--
-- Name: striking_flags audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.striking_flags REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{evidence}', 'id');

--
-- Name: summaries audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.summaries REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{interaction_id}', '{summary,key_points}', 'interaction_id');

--
-- Name: unknown_phone audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.unknown_phone REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{phone_number}', 'id');

--
-- Name: agents audit_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON app.agents FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: claims audit_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON app.claims FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: interactions audit_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON app.interactions FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: striking_flags audit_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON app.striking_flags FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: summaries audit_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON app.summaries FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: agents audit_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON app.agents FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: claims audit_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON app.claims FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: interactions audit_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON app.interactions FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: striking_flags audit_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON app.striking_flags FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: summaries audit_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON app.summaries FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: agents audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.agents REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{agent_id}', '{}', 'agent_id');

--
-- Name: claims audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.claims REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{text}', 'id');

--
-- Name: interactions audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.interactions REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{transcript,body,from_number,to_number}', 'id');

--
-- Name: striking_flags audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.striking_flags REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{evidence}', 'id');

--
-- Name: summaries audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.summaries REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{interaction_id}', '{summary,key_points}', 'interaction_id');

--
-- Name: unknown_phone audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.unknown_phone REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{phone_number}', 'id');

--
-- Name: agents audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.agents FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: claims audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.claims FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: interactions audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.interactions FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: striking_flags audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.striking_flags FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: summaries audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.summaries FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: unknown_phone audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.unknown_phone FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: agents audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.agents FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{agent_id}', '{}', 'agent_id', 'completes');

--
-- Name: claims audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.claims FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{text}', 'id');

--
-- Name: interactions audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.interactions FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{transcript,body,from_number,to_number}', 'id');

--
-- Name: striking_flags audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.striking_flags FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{evidence}', 'id');

--
-- Name: summaries audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.summaries FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{interaction_id}', '{summary,key_points}', 'interaction_id');

--
-- Name: unknown_phone audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.unknown_phone FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{phone_number}', 'id');

--
-- Name: claims claims_search_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER claims_search_delete AFTER DELETE ON app.claims REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search.capture_changes('claim', 'id');

--
-- Name: claims claims_search_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER claims_search_insert AFTER INSERT ON app.claims REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search.capture_changes('claim', 'id');

--
-- Name: claims claims_search_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER claims_search_update AFTER UPDATE ON app.claims REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search.capture_changes('claim', 'id');

--
-- Name: conversation_spans conversation_spans_fan_out; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER conversation_spans_fan_out AFTER INSERT ON app.conversation_spans REFERENCING NEW TABLE AS new_spans FOR EACH STATEMENT EXECUTE FUNCTION app.enqueue_decisions();

--
-- Name: interactions interactions_segment; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER interactions_segment AFTER INSERT OR UPDATE OF transcript, body ON app.interactions FOR EACH ROW EXECUTE FUNCTION app.enqueue_segmentation();

--
-- Name: summaries summaries_search_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER summaries_search_delete AFTER DELETE ON app.summaries REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION search.capture_changes('summary', 'interaction_id');

--
-- Name: summaries summaries_search_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER summaries_search_insert AFTER INSERT ON app.summaries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search.capture_changes('summary', 'interaction_id');

--
-- Name: summaries summaries_search_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER summaries_search_update AFTER UPDATE ON app.summaries REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION search.capture_changes('summary', 'interaction_id');

--
-- Name: chain chain_append_only; Type: TRIGGER; Schema: audit; Owner: -
--

CREATE TRIGGER chain_append_only BEFORE DELETE OR UPDATE ON audit.chain FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

--
-- Name: chain chain_no_truncate; Type: TRIGGER; Schema: audit; Owner: -
--

CREATE TRIGGER chain_no_truncate BEFORE TRUNCATE ON audit.chain FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

--
-- Name: ledger ledger_append_only; Type: TRIGGER; Schema: audit; Owner: -
--

CREATE TRIGGER ledger_append_only BEFORE DELETE OR UPDATE ON audit.ledger FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

--
-- Name: ledger ledger_no_truncate; Type: TRIGGER; Schema: audit; Owner: -
--

CREATE TRIGGER ledger_no_truncate BEFORE TRUNCATE ON audit.ledger FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

--
-- Name: seals seals_append_only; Type: TRIGGER; Schema: audit; Owner: -
--

CREATE TRIGGER seals_append_only BEFORE DELETE OR UPDATE ON audit.seals FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

--
-- Name: seals seals_no_truncate; Type: TRIGGER; Schema: audit; Owner: -
--

CREATE TRIGGER seals_no_truncate BEFORE TRUNCATE ON audit.seals FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();

--
-- Name: alerts alert_delivery_on_open; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER alert_delivery_on_open AFTER INSERT ON ballast.alerts FOR EACH ROW EXECUTE FUNCTION ballast.alert_owes_delivery();

--
-- Name: alerts alert_delivery_on_resolve; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER alert_delivery_on_resolve AFTER UPDATE OF status ON ballast.alerts FOR EACH ROW WHEN (((new.status = 'resolved'::text) AND (old.status IS DISTINCT FROM 'resolved'::text))) EXECUTE FUNCTION ballast.alert_owes_delivery();

--
-- Name: alert_rules alert_rules_touch; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER alert_rules_touch BEFORE UPDATE ON ballast.alert_rules FOR EACH ROW EXECUTE FUNCTION ballast.touch_alert_rule();

--
-- Name: alert_rules audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.alert_rules REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{name}', '{}', 'name');

--
-- Name: alerts audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.alerts REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{id}', '{}', 'id');

--
-- Name: error_envelopes audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.error_envelopes REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{error_id}', '{message,exception_chain,context}', 'error_id');

--
-- Name: failure_settings audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.failure_settings REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{singleton}', '{}', 'singleton');

--
-- Name: pipeline_failures audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.pipeline_failures REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{payload_snapshot,context}', 'id');

--
-- Name: policy_violations audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.policy_violations REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{id}', '{}', 'id');

--
-- Name: stages audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.stages REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{task}', '{}', 'task');

--
-- Name: trace_policy audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.trace_policy REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{singleton}', '{}', 'singleton');

--
-- Name: alert_rules audit_gate_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ballast.alert_rules FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: failure_settings audit_gate_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ballast.failure_settings FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: pipeline_failures audit_gate_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ballast.pipeline_failures FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: trace_policy audit_gate_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ballast.trace_policy FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: alert_rules audit_gate_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ballast.alert_rules FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: failure_settings audit_gate_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ballast.failure_settings FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: pipeline_failures audit_gate_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ballast.pipeline_failures FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: trace_policy audit_gate_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ballast.trace_policy FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: alert_rules audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.alert_rules REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{name}', '{}', 'name');

--
-- Name: alerts audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.alerts REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{id}', '{}', 'id');

--
-- Name: failure_settings audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.failure_settings REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{singleton}', '{}', 'singleton');

--
-- Name: pipeline_failures audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.pipeline_failures REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{payload_snapshot,context}', 'id');

--
-- Name: policy_violations audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.policy_violations REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{id}', '{}', 'id');

--
-- Name: stages audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.stages REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{task}', '{}', 'task');

--
-- Name: trace_policy audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.trace_policy REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{singleton}', '{}', 'singleton');

--
-- Name: alert_rules audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.alert_rules FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: alerts audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.alerts FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: failure_settings audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.failure_settings FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: pipeline_failures audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.pipeline_failures FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: policy_violations audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.policy_violations FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: stages audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.stages FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: trace_policy audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.trace_policy FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: alert_rules audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.alert_rules FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{name}', '{}', 'name');

--
-- Name: alerts audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.alerts FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{id}', '{}', 'id', 'completes');

--
-- Name: failure_settings audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.failure_settings FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{singleton}', '{}', 'singleton');

--
-- Name: pipeline_failures audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.pipeline_failures FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{payload_snapshot,context}', 'id', 'completes');

--
-- Name: policy_violations audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.policy_violations FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{id}', '{}', 'id');

--
-- Name: stages audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.stages FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{task}', '{}', 'task');

--
-- Name: trace_policy audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.trace_policy FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{singleton}', '{}', 'singleton');

--
-- Name: error_envelopes error_envelopes_guard; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER error_envelopes_guard BEFORE INSERT OR DELETE OR UPDATE ON ballast.error_envelopes FOR EACH ROW EXECUTE FUNCTION ballast.guard_error_envelope();

--
-- Name: error_envelopes error_envelopes_no_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER error_envelopes_no_truncate BEFORE TRUNCATE ON ballast.error_envelopes FOR EACH STATEMENT EXECUTE FUNCTION ballast.guard_error_envelope();

--
-- Name: error_envelopes error_envelopes_reason; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER error_envelopes_reason BEFORE DELETE ON ballast.error_envelopes FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: job_attempts job_attempts_succeeded; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER job_attempts_succeeded AFTER INSERT OR UPDATE OF status ON ballast.job_attempts FOR EACH ROW WHEN ((((new.status)::text = 'succeeded'::text) AND ((new.trace_id IS NULL) OR (new.replay_of IS NOT NULL)))) EXECUTE FUNCTION ballast.attempt_succeeded();

--
-- Name: trace_policy trace_policy_touch; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER trace_policy_touch BEFORE UPDATE ON ballast.trace_policy FOR EACH ROW EXECUTE FUNCTION ballast.touch_trace_policy();

--
-- Name: webhook_events audit_delete; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ingest.webhook_events REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{raw_body,raw_bytes,payload,headers,event_type}', 'id');

--
-- Name: webhook_events audit_gate_delete; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ingest.webhook_events FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: webhook_events audit_gate_truncate; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ingest.webhook_events FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: webhook_events audit_insert; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ingest.webhook_events REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{raw_body,raw_bytes,payload,headers,event_type}', 'id');

--
-- Name: webhook_events audit_truncate; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ingest.webhook_events FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: webhook_events audit_update; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ingest.webhook_events FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{raw_body,raw_bytes,payload,headers,event_type}', 'id', 'completes');

--
-- Name: webhook_events webhook_events_defaults; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER webhook_events_defaults BEFORE INSERT ON ingest.webhook_events FOR EACH ROW EXECUTE FUNCTION ingest.fill_event_defaults();

--
-- Name: webhook_events webhook_events_start; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER webhook_events_start AFTER INSERT ON ingest.webhook_events FOR EACH ROW WHEN ((new.status = 'received'::text)) EXECUTE FUNCTION ingest.enqueue_first_stage();

--
-- Name: decisions decisions_gate_delete; Type: TRIGGER; Schema: replay; Owner: -
--

CREATE TRIGGER decisions_gate_delete BEFORE DELETE ON replay.decisions FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: decisions decisions_gate_truncate; Type: TRIGGER; Schema: replay; Owner: -
--

CREATE TRIGGER decisions_gate_truncate BEFORE TRUNCATE ON replay.decisions FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: claims claims_interaction_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.claims
    ADD CONSTRAINT claims_interaction_id_fkey FOREIGN KEY (interaction_id) REFERENCES app.interactions(id) ON DELETE CASCADE;

--
-- Name: conversation_spans conversation_spans_interaction_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.conversation_spans
    ADD CONSTRAINT conversation_spans_interaction_id_fkey FOREIGN KEY (interaction_id) REFERENCES app.interactions(id) ON DELETE CASCADE;

--
-- Name: interactions interactions_agent_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.interactions
    ADD CONSTRAINT interactions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES app.agents(agent_id);

--
-- Name: interactions interactions_event_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.interactions
    ADD CONSTRAINT interactions_event_id_fkey FOREIGN KEY (event_id) REFERENCES ingest.webhook_events(id);

--
-- Name: striking_flags striking_flags_interaction_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.striking_flags
    ADD CONSTRAINT striking_flags_interaction_id_fkey FOREIGN KEY (interaction_id) REFERENCES app.interactions(id) ON DELETE CASCADE;

--
-- Name: summaries summaries_interaction_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.summaries
    ADD CONSTRAINT summaries_interaction_id_fkey FOREIGN KEY (interaction_id) REFERENCES app.interactions(id) ON DELETE CASCADE;

--
-- Name: unknown_phone unknown_phone_event_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.unknown_phone
    ADD CONSTRAINT unknown_phone_event_id_fkey FOREIGN KEY (event_id) REFERENCES ingest.webhook_events(id);

--
-- Name: alert_deliveries alert_deliveries_alert_id_fkey; Type: FK CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alert_deliveries
    ADD CONSTRAINT alert_deliveries_alert_id_fkey FOREIGN KEY (alert_id) REFERENCES ballast.alerts(id) ON DELETE CASCADE;

--
-- Name: alert_delivery_attempts alert_delivery_attempts_delivery_id_fkey; Type: FK CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.alert_delivery_attempts
    ADD CONSTRAINT alert_delivery_attempts_delivery_id_fkey FOREIGN KEY (delivery_id) REFERENCES ballast.alert_deliveries(id) ON DELETE CASCADE;

--
-- Name: _private_job_queues; Type: ROW SECURITY; Schema: graphile_worker; Owner: -
--

ALTER TABLE graphile_worker._private_job_queues ENABLE ROW LEVEL SECURITY;

--
-- Name: _private_jobs; Type: ROW SECURITY; Schema: graphile_worker; Owner: -
--

ALTER TABLE graphile_worker._private_jobs ENABLE ROW LEVEL SECURITY;

--
-- Name: _private_known_crontabs; Type: ROW SECURITY; Schema: graphile_worker; Owner: -
--

ALTER TABLE graphile_worker._private_known_crontabs ENABLE ROW LEVEL SECURITY;

--
-- Name: _private_tasks; Type: ROW SECURITY; Schema: graphile_worker; Owner: -
--

ALTER TABLE graphile_worker._private_tasks ENABLE ROW LEVEL SECURITY;

--
-- Name: _private_job_queues ballast_queue; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue ON graphile_worker._private_job_queues TO ballast_owner, ballast_worker USING (true) WITH CHECK (true);

--
-- Name: _private_jobs ballast_queue; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue ON graphile_worker._private_jobs TO ballast_owner, ballast_worker USING (true) WITH CHECK (true);

--
-- Name: _private_known_crontabs ballast_queue; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue ON graphile_worker._private_known_crontabs TO ballast_owner, ballast_worker USING (true) WITH CHECK (true);

--
-- Name: _private_tasks ballast_queue; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue ON graphile_worker._private_tasks TO ballast_owner, ballast_worker USING (true) WITH CHECK (true);

--
-- Name: _private_job_queues ballast_queue_read; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue_read ON graphile_worker._private_job_queues FOR SELECT TO ballast_forensics USING (true);

--
-- Name: _private_jobs ballast_queue_read; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue_read ON graphile_worker._private_jobs FOR SELECT TO ballast_forensics USING (true);

--
-- Name: _private_known_crontabs ballast_queue_read; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue_read ON graphile_worker._private_known_crontabs FOR SELECT TO ballast_forensics USING (true);

--
-- Name: _private_tasks ballast_queue_read; Type: POLICY; Schema: graphile_worker; Owner: -
--

CREATE POLICY ballast_queue_read ON graphile_worker._private_tasks FOR SELECT TO ballast_forensics USING (true);

--
-- Name: SCHEMA app; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA app TO ballast_owner;
GRANT USAGE ON SCHEMA app TO ballast_worker;
GRANT USAGE ON SCHEMA app TO ballast_forensics;

--
-- Name: SCHEMA audit; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA audit TO ballast_owner;
GRANT USAGE ON SCHEMA audit TO ballast_worker;
GRANT USAGE ON SCHEMA audit TO ballast_forensics;
GRANT USAGE ON SCHEMA audit TO ballast_audit_writer;

--
-- Name: SCHEMA ballast; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA ballast TO ballast_owner;
GRANT USAGE ON SCHEMA ballast TO ballast_worker;
GRANT USAGE ON SCHEMA ballast TO ballast_forensics;
GRANT USAGE ON SCHEMA ballast TO ballast_ingest;
GRANT USAGE ON SCHEMA ballast TO ballast_audit_writer;

--
-- Name: SCHEMA graphile_worker; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA graphile_worker TO ballast_owner;
GRANT USAGE ON SCHEMA graphile_worker TO ballast_worker;
GRANT USAGE ON SCHEMA graphile_worker TO ballast_forensics;

--
-- Name: SCHEMA ingest; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA ingest TO ballast_owner;
GRANT USAGE ON SCHEMA ingest TO ballast_worker;
GRANT USAGE ON SCHEMA ingest TO ballast_forensics;
GRANT USAGE ON SCHEMA ingest TO ballast_ingest;

--
-- Name: SCHEMA replay; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA replay TO ballast_owner;
GRANT USAGE ON SCHEMA replay TO ballast_worker;
GRANT USAGE ON SCHEMA replay TO ballast_forensics;

--
-- Name: SCHEMA search; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA search TO ballast_owner;
GRANT USAGE ON SCHEMA search TO ballast_worker;
GRANT USAGE ON SCHEMA search TO ballast_forensics;

--
-- Name: FUNCTION decision_done(); Type: ACL; Schema: app; Owner: -
--

REVOKE ALL ON FUNCTION app.decision_done() FROM PUBLIC;
GRANT ALL ON FUNCTION app.decision_done() TO ballast_worker;

--
-- Name: FUNCTION enqueue_decisions(); Type: ACL; Schema: app; Owner: -
--

REVOKE ALL ON FUNCTION app.enqueue_decisions() FROM PUBLIC;

--
-- Name: FUNCTION enqueue_segmentation(); Type: ACL; Schema: app; Owner: -
--

REVOKE ALL ON FUNCTION app.enqueue_segmentation() FROM PUBLIC;

--
-- Name: FUNCTION capture_delete(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_delete() FROM PUBLIC;

--
-- Name: FUNCTION capture_delete_simple(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_delete_simple() FROM PUBLIC;

--
-- Name: FUNCTION capture_grant(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_grant() FROM PUBLIC;

--
-- Name: FUNCTION capture_insert(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_insert() FROM PUBLIC;

--
-- Name: FUNCTION capture_insert_simple(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_insert_simple() FROM PUBLIC;

--
-- Name: FUNCTION capture_truncate(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_truncate() FROM PUBLIC;

--
-- Name: FUNCTION capture_update(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_update() FROM PUBLIC;

--
-- Name: FUNCTION capture_update_simple(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_update_simple() FROM PUBLIC;

--
-- Name: FUNCTION enable(target regclass, gated boolean, redact text[]); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.enable(target regclass, gated boolean, redact text[]) FROM PUBLIC;

--
-- Name: FUNCTION redact(j jsonb, cols text[]); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.redact(j jsonb, cols text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION audit.redact(j jsonb, cols text[]) TO ballast_audit_writer;

--
-- Name: TABLE ledger; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.ledger TO ballast_owner;
GRANT SELECT ON TABLE audit.ledger TO ballast_forensics;
GRANT SELECT,INSERT ON TABLE audit.ledger TO ballast_audit_writer;

--
-- Name: FUNCTION seal(max_rows integer); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.seal(max_rows integer) FROM PUBLIC;
GRANT ALL ON FUNCTION audit.seal(max_rows integer) TO ballast_worker;
GRANT ALL ON FUNCTION audit.seal(max_rows integer) TO ballast_owner;

--
-- Name: FUNCTION abandon_attempts(p_grace_seconds numeric); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.abandon_attempts(p_grace_seconds numeric) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.abandon_attempts(p_grace_seconds numeric) TO ballast_worker;

--
-- Name: FUNCTION attempt_succeeded(); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.attempt_succeeded() FROM PUBLIC;

--
-- Name: FUNCTION beat_worker(p_worker_id text, p_host text, p_pid integer, p_pool_ids text[], p_tasks text[], p_concurrency integer, p_beat_ms integer); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.beat_worker(p_worker_id text, p_host text, p_pid integer, p_pool_ids text[], p_tasks text[], p_concurrency integer, p_beat_ms integer) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.beat_worker(p_worker_id text, p_host text, p_pid integer, p_pool_ids text[], p_tasks text[], p_concurrency integer, p_beat_ms integer) TO ballast_worker;

--
-- Name: FUNCTION cleanup_old_errors(retention_days integer); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.cleanup_old_errors(retention_days integer) FROM PUBLIC;

--
-- Name: TABLE error_envelopes; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.error_envelopes TO ballast_owner;
GRANT SELECT ON TABLE ballast.error_envelopes TO ballast_forensics;
GRANT SELECT,INSERT ON TABLE ballast.error_envelopes TO ballast_worker;

--
-- Name: FUNCTION finish_attempts(p_rows json); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.finish_attempts(p_rows json) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.finish_attempts(p_rows json) TO ballast_worker;

--
-- Name: FUNCTION heartbeat_attempts(p_rows json); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.heartbeat_attempts(p_rows json) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.heartbeat_attempts(p_rows json) TO ballast_worker;

--
-- Name: FUNCTION log_diagnostic(p_function text, p_version text, p_level text, p_code text, p_message text, p_metadata jsonb); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.log_diagnostic(p_function text, p_version text, p_level text, p_code text, p_message text, p_metadata jsonb) FROM PUBLIC;

--
-- Name: FUNCTION record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) TO ballast_worker;

--
-- Name: FUNCTION replay_dead_letter(p_id uuid, p_force boolean); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.replay_dead_letter(p_id uuid, p_force boolean) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.replay_dead_letter(p_id uuid, p_force boolean) TO ballast_worker;

--
-- Name: FUNCTION rescue_workers(p_grace_seconds numeric, p_limit integer); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.rescue_workers(p_grace_seconds numeric, p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.rescue_workers(p_grace_seconds numeric, p_limit integer) TO ballast_worker;

--
-- Name: FUNCTION stop_worker(p_worker_id text); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.stop_worker(p_worker_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.stop_worker(p_worker_id text) TO ballast_worker;

--
-- Name: TABLE _private_jobs; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_jobs TO ballast_owner;
GRANT SELECT ON TABLE graphile_worker._private_jobs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_jobs TO ballast_worker;

--
-- Name: FUNCTION add_job(identifier text, payload json, queue_name text, run_at timestamp with time zone, max_attempts integer, job_key text, priority integer, flags text[], job_key_mode text); Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT ALL ON FUNCTION graphile_worker.add_job(identifier text, payload json, queue_name text, run_at timestamp with time zone, max_attempts integer, job_key text, priority integer, flags text[], job_key_mode text) TO ballast_owner;
GRANT ALL ON FUNCTION graphile_worker.add_job(identifier text, payload json, queue_name text, run_at timestamp with time zone, max_attempts integer, job_key text, priority integer, flags text[], job_key_mode text) TO ballast_worker;

--
-- Name: FUNCTION add_jobs(specs graphile_worker.job_spec[], job_key_preserve_run_at boolean); Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT ALL ON FUNCTION graphile_worker.add_jobs(specs graphile_worker.job_spec[], job_key_preserve_run_at boolean) TO ballast_owner;
GRANT ALL ON FUNCTION graphile_worker.add_jobs(specs graphile_worker.job_spec[], job_key_preserve_run_at boolean) TO ballast_worker;

--
-- Name: FUNCTION complete_jobs(job_ids bigint[]); Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT ALL ON FUNCTION graphile_worker.complete_jobs(job_ids bigint[]) TO ballast_owner;
GRANT ALL ON FUNCTION graphile_worker.complete_jobs(job_ids bigint[]) TO ballast_worker;

--
-- Name: FUNCTION force_unlock_workers(worker_ids text[]); Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT ALL ON FUNCTION graphile_worker.force_unlock_workers(worker_ids text[]) TO ballast_owner;
GRANT ALL ON FUNCTION graphile_worker.force_unlock_workers(worker_ids text[]) TO ballast_worker;

--
-- Name: FUNCTION permanently_fail_jobs(job_ids bigint[], error_message text); Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT ALL ON FUNCTION graphile_worker.permanently_fail_jobs(job_ids bigint[], error_message text) TO ballast_owner;
GRANT ALL ON FUNCTION graphile_worker.permanently_fail_jobs(job_ids bigint[], error_message text) TO ballast_worker;

--
-- Name: FUNCTION remove_job(job_key text); Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT ALL ON FUNCTION graphile_worker.remove_job(job_key text) TO ballast_owner;
GRANT ALL ON FUNCTION graphile_worker.remove_job(job_key text) TO ballast_worker;

--
-- Name: FUNCTION reschedule_jobs(job_ids bigint[], run_at timestamp with time zone, priority integer, attempts integer, max_attempts integer); Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT ALL ON FUNCTION graphile_worker.reschedule_jobs(job_ids bigint[], run_at timestamp with time zone, priority integer, attempts integer, max_attempts integer) TO ballast_owner;
GRANT ALL ON FUNCTION graphile_worker.reschedule_jobs(job_ids bigint[], run_at timestamp with time zone, priority integer, attempts integer, max_attempts integer) TO ballast_worker;

--
-- Name: FUNCTION delivery_status(p_source text, p_webhook_id text); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.delivery_status(p_source text, p_webhook_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.delivery_status(p_source text, p_webhook_id text) TO ballast_ingest;

--
-- Name: FUNCTION enqueue_first_stage(); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.enqueue_first_stage() FROM PUBLIC;

--
-- Name: FUNCTION record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) TO ballast_ingest;

--
-- Name: TABLE agents; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.agents TO ballast_owner;
GRANT SELECT ON TABLE app.agents TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.agents TO ballast_worker;

--
-- Name: TABLE claims; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.claims TO ballast_owner;
GRANT SELECT ON TABLE app.claims TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.claims TO ballast_worker;

--
-- Name: SEQUENCE claims_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.claims_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.claims_id_seq TO ballast_worker;

--
-- Name: TABLE conversation_spans; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.conversation_spans TO ballast_owner;
GRANT SELECT ON TABLE app.conversation_spans TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.conversation_spans TO ballast_worker;

--
-- Name: SEQUENCE conversation_spans_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.conversation_spans_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.conversation_spans_id_seq TO ballast_worker;

--
-- Name: TABLE interactions; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.interactions TO ballast_owner;
GRANT SELECT ON TABLE app.interactions TO ballast_forensics;
GRANT SELECT,INSERT,UPDATE ON TABLE app.interactions TO ballast_worker;

--
-- Name: SEQUENCE interactions_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.interactions_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.interactions_id_seq TO ballast_worker;

--
-- Name: TABLE striking_flags; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.striking_flags TO ballast_owner;
GRANT SELECT ON TABLE app.striking_flags TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.striking_flags TO ballast_worker;

--
-- Name: SEQUENCE striking_flags_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.striking_flags_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.striking_flags_id_seq TO ballast_worker;

--
-- Name: TABLE summaries; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.summaries TO ballast_owner;
GRANT SELECT ON TABLE app.summaries TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.summaries TO ballast_worker;

--
-- Name: TABLE unknown_phone; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.unknown_phone TO ballast_owner;
GRANT SELECT ON TABLE app.unknown_phone TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.unknown_phone TO ballast_worker;

--
-- Name: SEQUENCE unknown_phone_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.unknown_phone_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.unknown_phone_id_seq TO ballast_worker;

--
-- Name: TABLE chain; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.chain TO ballast_owner;
GRANT SELECT ON TABLE audit.chain TO ballast_forensics;
GRANT SELECT,INSERT ON TABLE audit.chain TO ballast_audit_writer;

--
-- Name: SEQUENCE ledger_id_seq; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON SEQUENCE audit.ledger_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE audit.ledger_id_seq TO ballast_audit_writer;

--
-- Name: TABLE redaction_key; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.redaction_key TO ballast_audit_writer;

--
-- Name: TABLE seals; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.seals TO ballast_owner;
GRANT SELECT ON TABLE audit.seals TO ballast_forensics;
GRANT SELECT,INSERT ON TABLE audit.seals TO ballast_audit_writer;

--
-- Name: SEQUENCE seals_id_seq; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON SEQUENCE audit.seals_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE audit.seals_id_seq TO ballast_audit_writer;

--
-- Name: TABLE tracked_tables; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.tracked_tables TO ballast_owner;
GRANT SELECT ON TABLE audit.tracked_tables TO ballast_forensics;

--
-- Name: TABLE unsealed_window; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.unsealed_window TO ballast_owner;
GRANT SELECT ON TABLE audit.unsealed_window TO ballast_forensics;
GRANT SELECT ON TABLE audit.unsealed_window TO ballast_worker;

--
-- Name: TABLE alert_conditions; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.alert_conditions TO ballast_owner;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.alert_conditions TO ballast_worker;
GRANT SELECT ON TABLE ballast.alert_conditions TO ballast_forensics;

--
-- Name: TABLE alert_deliveries; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.alert_deliveries TO ballast_owner;
GRANT SELECT,INSERT,UPDATE ON TABLE ballast.alert_deliveries TO ballast_worker;
GRANT SELECT ON TABLE ballast.alert_deliveries TO ballast_forensics;

--
-- Name: SEQUENCE alert_deliveries_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.alert_deliveries_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.alert_deliveries_id_seq TO ballast_worker;

--
-- Name: TABLE alert_delivery_attempts; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.alert_delivery_attempts TO ballast_owner;
GRANT SELECT,INSERT ON TABLE ballast.alert_delivery_attempts TO ballast_worker;
GRANT SELECT ON TABLE ballast.alert_delivery_attempts TO ballast_forensics;

--
-- Name: SEQUENCE alert_delivery_attempts_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.alert_delivery_attempts_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.alert_delivery_attempts_id_seq TO ballast_worker;

--
-- Name: TABLE alert_rules; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.alert_rules TO ballast_owner;
GRANT SELECT ON TABLE ballast.alert_rules TO ballast_worker;
GRANT SELECT ON TABLE ballast.alert_rules TO ballast_forensics;

--
-- Name: TABLE alerts; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.alerts TO ballast_owner;
GRANT SELECT,INSERT,UPDATE ON TABLE ballast.alerts TO ballast_worker;
GRANT SELECT ON TABLE ballast.alerts TO ballast_forensics;

--
-- Name: SEQUENCE alerts_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.alerts_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.alerts_id_seq TO ballast_worker;

--
-- Name: TABLE diagnostic_logs; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.diagnostic_logs TO ballast_owner;
GRANT SELECT ON TABLE ballast.diagnostic_logs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.diagnostic_logs TO ballast_worker;

--
-- Name: SEQUENCE diagnostic_logs_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.diagnostic_logs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.diagnostic_logs_id_seq TO ballast_worker;

--
-- Name: TABLE failure_settings; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.failure_settings TO ballast_owner;
GRANT SELECT ON TABLE ballast.failure_settings TO ballast_forensics;
GRANT SELECT ON TABLE ballast.failure_settings TO ballast_worker;

--
-- Name: TABLE job_attempts; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.job_attempts TO ballast_owner;
GRANT SELECT ON TABLE ballast.job_attempts TO ballast_forensics;
GRANT SELECT,INSERT ON TABLE ballast.job_attempts TO ballast_worker;

--
-- Name: SEQUENCE job_attempts_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.job_attempts_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.job_attempts_id_seq TO ballast_worker;

--
-- Name: TABLE maintenance_runs; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.maintenance_runs TO ballast_owner;
GRANT SELECT ON TABLE ballast.maintenance_runs TO ballast_forensics;
GRANT SELECT,INSERT ON TABLE ballast.maintenance_runs TO ballast_worker;

--
-- Name: SEQUENCE maintenance_runs_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.maintenance_runs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.maintenance_runs_id_seq TO ballast_worker;

--
-- Name: TABLE pipeline_failures; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.pipeline_failures TO ballast_owner;
GRANT SELECT ON TABLE ballast.pipeline_failures TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.pipeline_failures TO ballast_worker;

--
-- Name: TABLE policy_violations; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.policy_violations TO ballast_owner;
GRANT SELECT ON TABLE ballast.policy_violations TO ballast_forensics;
GRANT SELECT ON TABLE ballast.policy_violations TO ballast_worker;

--
-- Name: SEQUENCE policy_violations_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.policy_violations_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.policy_violations_id_seq TO ballast_worker;

--
-- Name: TABLE _private_tasks; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_tasks TO ballast_owner;
GRANT SELECT ON TABLE graphile_worker._private_tasks TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_tasks TO ballast_worker;

--
-- Name: TABLE queued_jobs; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.queued_jobs TO ballast_owner;
GRANT SELECT ON TABLE ballast.queued_jobs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.queued_jobs TO ballast_worker;

--
-- Name: TABLE rescued_jobs; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.rescued_jobs TO ballast_owner;
GRANT SELECT,INSERT ON TABLE ballast.rescued_jobs TO ballast_worker;
GRANT SELECT ON TABLE ballast.rescued_jobs TO ballast_forensics;

--
-- Name: SEQUENCE rescued_jobs_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.rescued_jobs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.rescued_jobs_id_seq TO ballast_worker;

--
-- Name: TABLE stages; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.stages TO ballast_owner;
GRANT SELECT ON TABLE ballast.stages TO ballast_worker;
GRANT SELECT ON TABLE ballast.stages TO ballast_forensics;

--
-- Name: TABLE trace_policy; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.trace_policy TO ballast_owner;
GRANT SELECT ON TABLE ballast.trace_policy TO ballast_forensics;
GRANT SELECT ON TABLE ballast.trace_policy TO ballast_worker;

--
-- Name: TABLE unrecorded_failed_jobs; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.unrecorded_failed_jobs TO ballast_owner;
GRANT SELECT ON TABLE ballast.unrecorded_failed_jobs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.unrecorded_failed_jobs TO ballast_worker;

--
-- Name: TABLE workers; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.workers TO ballast_owner;
GRANT SELECT ON TABLE ballast.workers TO ballast_worker;
GRANT SELECT ON TABLE ballast.workers TO ballast_forensics;

--
-- Name: TABLE _private_job_queues; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_job_queues TO ballast_owner;
GRANT SELECT ON TABLE graphile_worker._private_job_queues TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_job_queues TO ballast_worker;

--
-- Name: TABLE _private_known_crontabs; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_known_crontabs TO ballast_owner;
GRANT SELECT ON TABLE graphile_worker._private_known_crontabs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker._private_known_crontabs TO ballast_worker;

--
-- Name: SEQUENCE job_queues_id_seq; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE graphile_worker.job_queues_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE graphile_worker.job_queues_id_seq TO ballast_worker;

--
-- Name: TABLE jobs; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker.jobs TO ballast_owner;
GRANT SELECT ON TABLE graphile_worker.jobs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker.jobs TO ballast_worker;

--
-- Name: SEQUENCE jobs_id_seq1; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE graphile_worker.jobs_id_seq1 TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE graphile_worker.jobs_id_seq1 TO ballast_worker;

--
-- Name: TABLE migrations; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE graphile_worker.migrations TO ballast_owner;
GRANT SELECT ON TABLE graphile_worker.migrations TO ballast_forensics;
GRANT SELECT ON TABLE graphile_worker.migrations TO ballast_worker;

--
-- Name: SEQUENCE tasks_id_seq; Type: ACL; Schema: graphile_worker; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE graphile_worker.tasks_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE graphile_worker.tasks_id_seq TO ballast_worker;

--
-- Name: TABLE webhook_events; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ingest.webhook_events TO ballast_owner;
GRANT SELECT ON TABLE ingest.webhook_events TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ingest.webhook_events TO ballast_worker;
GRANT INSERT ON TABLE ingest.webhook_events TO ballast_ingest;

--
-- Name: COLUMN webhook_events.id; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(id) ON TABLE ingest.webhook_events TO ballast_ingest;

--
-- Name: COLUMN webhook_events.source; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(source) ON TABLE ingest.webhook_events TO ballast_ingest;

--
-- Name: COLUMN webhook_events.webhook_id; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(webhook_id) ON TABLE ingest.webhook_events TO ballast_ingest;

--
-- Name: COLUMN webhook_events.trace_id; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(trace_id) ON TABLE ingest.webhook_events TO ballast_ingest;

--
-- Name: COLUMN webhook_events.status; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(status) ON TABLE ingest.webhook_events TO ballast_ingest;

--
-- Name: COLUMN webhook_events.status_reason; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(status_reason) ON TABLE ingest.webhook_events TO ballast_ingest;

--
-- Name: SEQUENCE webhook_events_id_seq; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ingest.webhook_events_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ingest.webhook_events_id_seq TO ballast_worker;
GRANT USAGE ON SEQUENCE ingest.webhook_events_id_seq TO ballast_ingest;

--
-- Name: TABLE migrations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.migrations TO ballast_owner;
GRANT SELECT ON TABLE public.migrations TO ballast_forensics;

--
-- Name: TABLE decisions; Type: ACL; Schema: replay; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE replay.decisions TO ballast_owner;
GRANT SELECT ON TABLE replay.decisions TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE replay.decisions TO ballast_worker;

--
-- Name: SEQUENCE decisions_id_seq; Type: ACL; Schema: replay; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE replay.decisions_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE replay.decisions_id_seq TO ballast_worker;

--
-- Name: TABLE versions; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.versions TO ballast_owner;
GRANT SELECT ON TABLE search.versions TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.versions TO ballast_worker;

--
-- Name: TABLE expected_documents; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.expected_documents TO ballast_owner;
GRANT SELECT ON TABLE search.expected_documents TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.expected_documents TO ballast_worker;

--
-- Name: TABLE outbox; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.outbox TO ballast_owner;
GRANT SELECT ON TABLE search.outbox TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.outbox TO ballast_worker;

--
-- Name: SEQUENCE outbox_id_seq; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE search.outbox_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE search.outbox_id_seq TO ballast_worker;

--
-- Name: TABLE reconcile_runs; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.reconcile_runs TO ballast_owner;
GRANT SELECT ON TABLE search.reconcile_runs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.reconcile_runs TO ballast_worker;

--
-- Name: SEQUENCE reconcile_runs_id_seq; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE search.reconcile_runs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE search.reconcile_runs_id_seq TO ballast_worker;

--
-- Name: TABLE sync_runs; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.sync_runs TO ballast_owner;
GRANT SELECT ON TABLE search.sync_runs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE search.sync_runs TO ballast_worker;

--
-- Name: SEQUENCE sync_runs_id_seq; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE search.sync_runs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE search.sync_runs_id_seq TO ballast_worker;

--
-- Name: SEQUENCE version_seq; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE search.version_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE search.version_seq TO ballast_worker;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: app; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA app GRANT SELECT,USAGE ON SEQUENCES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA app GRANT SELECT,USAGE ON SEQUENCES  TO ballast_worker;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: app; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA app GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA app GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA app GRANT SELECT ON TABLES  TO ballast_forensics;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: audit; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA audit GRANT SELECT ON TABLES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA audit GRANT SELECT ON TABLES  TO ballast_forensics;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: ballast; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ballast GRANT SELECT,USAGE ON SEQUENCES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ballast GRANT SELECT,USAGE ON SEQUENCES  TO ballast_worker;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: ballast; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ballast GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ballast GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ballast GRANT SELECT ON TABLES  TO ballast_forensics;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: graphile_worker; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA graphile_worker GRANT SELECT,USAGE ON SEQUENCES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA graphile_worker GRANT SELECT,USAGE ON SEQUENCES  TO ballast_worker;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: graphile_worker; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA graphile_worker GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA graphile_worker GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA graphile_worker GRANT SELECT ON TABLES  TO ballast_forensics;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: ingest; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ingest GRANT SELECT,USAGE ON SEQUENCES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ingest GRANT SELECT,USAGE ON SEQUENCES  TO ballast_worker;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: ingest; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ingest GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ingest GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA ingest GRANT SELECT ON TABLES  TO ballast_forensics;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: replay; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA replay GRANT SELECT,USAGE ON SEQUENCES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA replay GRANT SELECT,USAGE ON SEQUENCES  TO ballast_worker;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: replay; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA replay GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA replay GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA replay GRANT SELECT ON TABLES  TO ballast_forensics;

--
-- Name: DEFAULT PRIVILEGES FOR SEQUENCES; Type: DEFAULT ACL; Schema: search; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA search GRANT SELECT,USAGE ON SEQUENCES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA search GRANT SELECT,USAGE ON SEQUENCES  TO ballast_worker;

--
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: search; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA search GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_owner;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA search GRANT SELECT,INSERT,DELETE,UPDATE ON TABLES  TO ballast_worker;
ALTER DEFAULT PRIVILEGES FOR ROLE postgres IN SCHEMA search GRANT SELECT ON TABLES  TO ballast_forensics;

--
-- Name: audit_grants; Type: EVENT TRIGGER; Schema: -; Owner: -
--

CREATE EVENT TRIGGER audit_grants ON ddl_command_end
         WHEN TAG IN ('GRANT', 'REVOKE')
   EXECUTE FUNCTION audit.capture_grant();

--
-- PostgreSQL database dump complete
--
