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
-- Name: archive_restore; Type: SCHEMA; Schema: -; Owner: -
--

CREATE SCHEMA archive_restore;

--
-- Name: SCHEMA archive_restore; Type: COMMENT; Schema: -; Owner: -
--

COMMENT ON SCHEMA archive_restore IS 'archived partitions restored for forensics (`ballast archive restore`); never read by the pipeline';

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
-- Name: agents_guard(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.agents_guard() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  if new.agent_id <> old.agent_id and old.status <> 'pending' then
    raise exception 'agent %: the id of a % agent is fixed (only a pending agent gets its real id, on activation)', old.agent_id, old.status
      using errcode = '23514';
  end if;
  if new.status <> old.status and (old.status, new.status) not in
     (('pending', 'active'), ('active', 'suspended'), ('suspended', 'active'), ('active', 'retired'), ('suspended', 'retired')) then
    raise exception 'agent %: % -> % is not a transition an agent makes', old.agent_id, old.status, new.status
      using errcode = '23514',
            hint = case when old.status = 'pending' then 'a pending agent is activated, or deleted with a reason'
                        when old.status = 'retired' then 'a retired agent stays retired; add a new agent for its number'
                        else 'pending -> active <-> suspended -> retired' end;
  end if;
  new.updated_at := now();
  return new;
end $$;

--
-- Name: bill_interaction(bigint); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.bill_interaction(p_event_id bigint) RETURNS void
    LANGUAGE plpgsql
    AS $$
declare
  i app.interactions;
  u app.usage_limits;
  s app.tier_snapshots;
  period date;
  n_calls bigint;
  n_minutes bigint;
  n_sms bigint;
begin
  select * into i from app.interactions where event_id = p_event_id;
  if not found then return; end if;
  period := app.usage_period(i.occurred_at);
  u := app.usage_row(i.agent_id, period);
  s := app.tier_snapshot_at(u.tier, i.occurred_at);
  if s.id is null then
    raise exception 'tier % has no prices in force at % (app.tier_snapshots)', u.tier, i.occurred_at
      using errcode = '22023', hint = 'ballast usage set-prices ' || u.tier || ' ...';
  end if;
  with units (unit, quantity, unit_price) as (
    select 'calls', 1::numeric, s.price_calls where i.kind = 'call'
    union all select 'call_minutes', ceil(coalesce(i.duration_seconds, 0) / 60.0), s.price_call_minutes where i.kind = 'call'
    union all select 'sms', 1::numeric, s.price_sms where i.kind = 'sms'
  ), added as (
    insert into app.billing_line_items (interaction_id, agent_id, org_id, unit, quantity, unit_price, tier_snapshot_id,
                                        period_start, usage_day, occurred_at)
    select i.id, i.agent_id, i.org_id, unit, quantity, unit_price, s.id, period, (i.occurred_at at time zone 'UTC')::date, i.occurred_at
      from units
    on conflict (interaction_id, unit) do nothing
    returning unit, quantity
  )
  select coalesce(sum(quantity) filter (where unit = 'calls'), 0), coalesce(sum(quantity) filter (where unit = 'call_minutes'), 0),
         coalesce(sum(quantity) filter (where unit = 'sms'), 0)
    into n_calls, n_minutes, n_sms
    from added;
  if n_calls + n_minutes + n_sms > 0 then
    update app.usage_limits
       set calls = calls + n_calls, call_minutes = call_minutes + n_minutes, sms = sms + n_sms
     where agent_id = i.agent_id and period_start = period;
  end if;
end $$;

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
  k record;
begin
  if v_task is null or not (v_task = any (finals)) then
    raise exception 'app.decision_done() is for the decision stages (%), not %', array_to_string(finals, ', '), coalesce(v_task, 'no task')
      using errcode = '42501';
  end if;
  select w.event_id, w.received_at into k from ingest.webhook_keys w where w.correlation_id = ballast.setting('correlation_id');
  if not found then
    return;
  end if;
  update ingest.webhook_events e
     set stages_done  = array(select distinct s from unnest(e.stages_done || v_task) s order by s),
         status       = case when (e.stages_done || v_task) @> finals then 'completed' else e.status end,
         processed_at = case when (e.stages_done || v_task) @> finals then now() else e.processed_at end
   where e.id = k.event_id and e.received_at = k.received_at
     and e.status in ('processing', 'completed', 'failed');
end $$;

--
-- Name: enqueue_decisions(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.enqueue_decisions() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
begin
  if cardinality(finals) = 0 then
    raise exception 'no decision stage is registered in ballast.stages'
      using errcode = '55000', hint = 'run `ballast migrate`: it registers the stages declared in tasks/';
  end if;
  perform graphile_worker.add_jobs(array(
    select (t, json_build_object('interaction_id', r.interaction_id, 'trace_id', r.trace_id,
                                 'parent_span_id', r.span_id, 'correlation_id', r.correlation_id),
            null, null, null, t || ':' || r.interaction_id, null, null)::graphile_worker.job_spec
      from (select distinct on (interaction_id) interaction_id, trace_id, span_id, correlation_id
              from new_spans order by interaction_id) r
      cross join unnest(finals) with ordinality as f(t, n)
     order by r.interaction_id, f.n), false);
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

SET default_table_access_method = heap;

--
-- Name: usage_limits; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.usage_limits (
    agent_id text NOT NULL,
    period_start date NOT NULL,
    period_end date NOT NULL,
    tier text NOT NULL,
    soft_calls bigint,
    hard_calls bigint,
    soft_call_minutes bigint,
    hard_call_minutes bigint,
    soft_sms bigint,
    hard_sms bigint,
    calls bigint DEFAULT 0 NOT NULL,
    call_minutes bigint DEFAULT 0 NOT NULL,
    sms bigint DEFAULT 0 NOT NULL,
    limit_state text DEFAULT 'ok'::text NOT NULL,
    warned_at timestamp with time zone,
    blocked_at timestamp with time zone,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT usage_limits_check CHECK ((period_end = ((period_start + '1 mon'::interval))::date)),
    CONSTRAINT usage_limits_limit_state_check CHECK ((limit_state = ANY (ARRAY['ok'::text, 'warning'::text, 'blocked'::text]))),
    CONSTRAINT usage_limits_period_start_check CHECK ((period_start = (date_trunc('month'::text, (period_start)::timestamp without time zone))::date))
);

--
-- Name: TABLE usage_limits; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.usage_limits IS 'one row per agent and period (UTC month): tier and limits in force, counters moved only by newly inserted billing lines (exact), and limit_state';

--
-- Name: limit_state(app.usage_limits); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.limit_state(u app.usage_limits) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN CASE WHEN (((u).calls >= (u).hard_calls) OR ((u).call_minutes >= (u).hard_call_minutes) OR ((u).sms >= (u).hard_sms)) THEN 'blocked'::text WHEN (((u).calls >= (u).soft_calls) OR ((u).call_minutes >= (u).soft_call_minutes) OR ((u).sms >= (u).soft_sms)) THEN 'warning'::text ELSE 'ok'::text END;

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
-- Name: tier_snapshots; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.tier_snapshots (
    id bigint NOT NULL,
    tier text NOT NULL,
    effective_at timestamp with time zone NOT NULL,
    price_calls numeric NOT NULL,
    price_call_minutes numeric NOT NULL,
    price_sms numeric NOT NULL,
    currency text DEFAULT 'USD'::text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    created_by text DEFAULT COALESCE(ballast.setting('actor'::text), (CURRENT_USER)::text) NOT NULL,
    CONSTRAINT tier_snapshots_currency_check CHECK ((currency ~ '^[A-Z]{3}$'::text)),
    CONSTRAINT tier_snapshots_price_call_minutes_check CHECK ((price_call_minutes >= (0)::numeric)),
    CONSTRAINT tier_snapshots_price_calls_check CHECK ((price_calls >= (0)::numeric)),
    CONSTRAINT tier_snapshots_price_sms_check CHECK ((price_sms >= (0)::numeric)),
    CONSTRAINT tier_snapshots_tier_check CHECK ((tier ~ '^[a-z][a-z0-9_]*$'::text))
);

--
-- Name: TABLE tier_snapshots; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.tier_snapshots IS 'append-only price list: a tier''s unit prices from effective_at on; every billing line names the snapshot that priced it, so an old invoice recomputes exactly';

--
-- Name: tier_snapshot_at(text, timestamp with time zone); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.tier_snapshot_at(p_tier text, p_at timestamp with time zone) RETURNS app.tier_snapshots
    LANGUAGE sql STABLE
    RETURN (SELECT s.*::app.tier_snapshots AS s FROM app.tier_snapshots s WHERE ((s.tier = tier_snapshot_at.p_tier) AND (s.effective_at <= tier_snapshot_at.p_at)) ORDER BY s.effective_at DESC LIMIT 1);

--
-- Name: usage_gate(text, timestamp with time zone, bigint); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.usage_gate(p_agent text, p_at timestamp with time zone, p_event_id bigint) RETURNS text
    LANGUAGE plpgsql
    AS $$
begin
  if exists (select 1 from app.interactions where event_id = p_event_id) then
    return 'recorded';
  end if;
  return (app.usage_row(p_agent, app.usage_period(p_at))).limit_state;
end $$;

--
-- Name: usage_limits_state(); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.usage_limits_state() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  new.limit_state := app.limit_state(new);
  if new.limit_state in ('warning', 'blocked') then new.warned_at := coalesce(new.warned_at, now()); end if;
  if new.limit_state = 'blocked' then new.blocked_at := coalesce(new.blocked_at, now()); end if;
  new.updated_at := now();
  return new;
end $$;

--
-- Name: usage_period(timestamp with time zone); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.usage_period(t timestamp with time zone) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (date_trunc('month'::text, (t AT TIME ZONE 'UTC'::text)))::date;

--
-- Name: FUNCTION usage_period(t timestamp with time zone); Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON FUNCTION app.usage_period(t timestamp with time zone) IS 'the usage period (UTC calendar month) an instant belongs to: its first day';

--
-- Name: usage_plans; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.usage_plans (
    agent_id text NOT NULL,
    effective_from date NOT NULL,
    tier text NOT NULL,
    soft_calls bigint,
    hard_calls bigint,
    soft_call_minutes bigint,
    hard_call_minutes bigint,
    soft_sms bigint,
    hard_sms bigint,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT COALESCE(ballast.setting('actor'::text), (CURRENT_USER)::text) NOT NULL,
    CONSTRAINT usage_plans_check CHECK (((soft_calls <= hard_calls) AND (soft_call_minutes <= hard_call_minutes) AND (soft_sms <= hard_sms))),
    CONSTRAINT usage_plans_effective_from_check CHECK ((effective_from = (date_trunc('month'::text, (effective_from)::timestamp without time zone))::date)),
    CONSTRAINT usage_plans_hard_call_minutes_check CHECK ((hard_call_minutes >= 0)),
    CONSTRAINT usage_plans_hard_calls_check CHECK ((hard_calls >= 0)),
    CONSTRAINT usage_plans_hard_sms_check CHECK ((hard_sms >= 0)),
    CONSTRAINT usage_plans_soft_call_minutes_check CHECK ((soft_call_minutes >= 0)),
    CONSTRAINT usage_plans_soft_calls_check CHECK ((soft_calls >= 0)),
    CONSTRAINT usage_plans_soft_sms_check CHECK ((soft_sms >= 0)),
    CONSTRAINT usage_plans_tier_check CHECK ((tier ~ '^[a-z][a-z0-9_]*$'::text))
);

--
-- Name: TABLE usage_plans; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.usage_plans IS 'settings (the owner writes them, audited): an agent''s tier and soft/hard limits per period from effective_from until its next plan; an agent with no plan is on tier standard with no limits';

--
-- Name: usage_plan_at(text, date); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.usage_plan_at(p_agent text, p_period date) RETURNS app.usage_plans
    LANGUAGE sql STABLE
    RETURN (SELECT pl.*::app.usage_plans AS pl FROM app.usage_plans pl WHERE ((pl.agent_id = usage_plan_at.p_agent) AND (pl.effective_from <= usage_plan_at.p_period)) ORDER BY pl.effective_from DESC LIMIT 1);

--
-- Name: usage_row(text, date); Type: FUNCTION; Schema: app; Owner: -
--

CREATE FUNCTION app.usage_row(p_agent text, p_period date) RETURNS app.usage_limits
    LANGUAGE plpgsql
    AS $$
declare
  u app.usage_limits;
begin
  -- Every event but a period's first finds its row: read it without an insert attempt.
  select * into u from app.usage_limits where agent_id = p_agent and period_start = p_period;
  if found then return u; end if;
  insert into app.usage_limits (agent_id, period_start, period_end, tier, soft_calls, hard_calls,
                                soft_call_minutes, hard_call_minutes, soft_sms, hard_sms)
  select p_agent, p_period, (p_period + interval '1 month')::date, coalesce(p.tier, 'standard'),
         p.soft_calls, p.hard_calls, p.soft_call_minutes, p.hard_call_minutes, p.soft_sms, p.hard_sms
    from app.usage_plan_at(p_agent, p_period) p
  on conflict (agent_id, period_start) do nothing;
  select * into u from app.usage_limits where agent_id = p_agent and period_start = p_period;
  return u;
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
          case when pg_partition_root(tg_relid) <> tg_relid then audit.table_of(tg_relid)
               else concat_ws('.', tg_table_schema, tg_table_name) end,
          coalesce(a ->> tg_argv[2], audit.key_of(a, tg_argv[0]::text[])),
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
          case when pg_partition_root(tg_relid) <> tg_relid then audit.table_of(tg_relid)
               else concat_ws('.', tg_table_schema, tg_table_name) end,
          a ->> tg_argv[2], b, a, i.reason);
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
  perform audit.fix_partition_key(target);
  insert into audit.tracked_tables (relid, gated, key_columns, redact_columns)
  values (target, gated, keys, redact)
  on conflict (relid) do update set gated = excluded.gated, key_columns = excluded.key_columns,
    redact_columns = excluded.redact_columns, enabled_at = now(), enabled_by = excluded.enabled_by;
end $$;

--
-- Name: fix_partition_key(regclass); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.fix_partition_key(target regclass) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  cols text[];
begin
  if exists (select from pg_partition_tree(target) t join pg_partitioned_table p on p.partrelid = t.relid
              where 0 = any (p.partattrs::int2[])) then
    raise exception 'audit: % is partitioned by an expression, so a row''s partition key cannot be guarded', target;
  end if;
  select array_agg(attname order by first_level, first_ord) into cols
    from (select a.attname::text as attname, min(t.level) as first_level, min(k.ord) as first_ord
            from pg_partition_tree(target) t
            join pg_partitioned_table p on p.partrelid = t.relid
            cross join lateral unnest(p.partattrs::int2[]) with ordinality as k(attnum, ord)
            join pg_attribute a on a.attrelid = p.partrelid and a.attnum = k.attnum
           group by a.attname) keycols;
  execute format('drop trigger if exists partition_key_fixed on %s', target);
  if cols is null then
    return; -- not partitioned
  end if;
  execute format('create trigger partition_key_fixed before update of %1$s on %2$s for each row
                  when ((%3$s) is distinct from (%4$s)) execute function audit.refuse_partition_move(%5$L)',
                 (select string_agg(quote_ident(c), ', ') from unnest(cols) c), target,
                 (select string_agg('new.' || quote_ident(c), ', ') from unnest(cols) c),
                 (select string_agg('old.' || quote_ident(c), ', ') from unnest(cols) c),
                 array_to_string(cols, ', '));
end $_$;

--
-- Name: FUNCTION fix_partition_key(target regclass); Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON FUNCTION audit.fix_partition_key(target regclass) IS 'gives an audited, partitioned table the partition_key_fixed trigger (refuses an UPDATE of a partition key at any level); called by audit.enable';

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
  raise exception '% is append-only: % refused', audit.table_of(tg_relid), tg_op
    using errcode = '42501', hint = 'audit rows are never changed or removed';
end $$;

--
-- Name: refuse_partition_move(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.refuse_partition_move() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  raise exception '%: % is the partition key and never changes', audit.table_of(tg_relid), tg_argv[0]
    using errcode = '55000',
          hint = 'an update that moves a row between partitions would escape the audit ledger; insert a corrected row instead';
end $$;

--
-- Name: FUNCTION refuse_partition_move(); Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON FUNCTION audit.refuse_partition_move() IS 'trigger: refuses an update that changes an audited, partitioned table''s partition key (tg_argv[0])';

--
-- Name: require_reason(); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.require_reason() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
begin
  if ballast.setting('reason') is null then
    raise exception '% on % needs a reason', tg_op, audit.table_of(tg_relid)
      using errcode = '42501',
            hint = 'state one for the transaction: select set_config(''ballast.reason'', ''<why>'', true); '
                   'from code: db.atomicWrite(fn, { reason })';
  end if;
  return case when tg_level = 'ROW' then old else null end;
end $$;

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
)
PARTITION BY RANGE (occurred_at);

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
-- Name: table_of(oid); Type: FUNCTION; Schema: audit; Owner: -
--

CREATE FUNCTION audit.table_of(p_relid oid) RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  name text;
begin
  select n.nspname || '.' || c.relname into name from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.oid = coalesce(pg_partition_root(p_relid), p_relid);
  return name;
end $$;

--
-- Name: FUNCTION table_of(p_relid oid); Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON FUNCTION audit.table_of(p_relid oid) IS 'schema.table of a relation, or of the partitioned table a partition belongs to: what audit rows and messages name';

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
-- Name: archive_columns(regclass); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.archive_columns(rel regclass) RETURNS text[]
    LANGUAGE sql STABLE
    AS $$
  select array_agg(a.attname::text order by a.attnum)
    from pg_attribute a
   where a.attrelid = rel and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
$$;

--
-- Name: archive_hash(regclass, text[], timestamp with time zone, timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.archive_hash(source regclass, columns text[], lower_bound timestamp with time zone DEFAULT NULL::timestamp with time zone, upper_bound timestamp with time zone DEFAULT NULL::timestamp with time zone) RETURNS TABLE(row_count bigint, content_hash text)
    LANGUAGE plpgsql STABLE
    SET "TimeZone" TO 'UTC'
    SET "DateStyle" TO 'ISO, YMD'
    SET "IntervalStyle" TO 'postgres'
    SET extra_float_digits TO '1'
    SET bytea_output TO 'hex'
    AS $$
declare
  key text;
  filter text := '';
  fields text;
begin
  select string_agg(quote_ident(c.name) || case when ballast.hashable(a.atttypid) then '' else '::text' end, ', ' order by c.ord) into fields
    from unnest(columns) with ordinality c(name, ord)
    join pg_attribute a on a.attrelid = source and a.attname = c.name and not a.attisdropped;
  if fields is null or cardinality(columns) <> (select count(*) from pg_attribute a where a.attrelid = source and a.attname = any (columns)) then
    raise exception 'ballast.archive_hash: % does not have the columns %', source, columns;
  end if;
  if lower_bound is not null then
    key := ballast.partition_key(source);
    if key is null then raise exception 'ballast.archive_hash: % is not range-partitioned on one column', source; end if;
    filter := format(' where %I >= %L::timestamptz and %I < %L::timestamptz', key, lower_bound, key, upper_bound);
  end if;
  return query execute format(
    'select count(*)::bigint, format(''v2:%%s:%%s'', count(*), coalesce(sum(hash_record_extended(row(%s), 0)::numeric), 0)) from %s%s',
    fields, source, filter);
end $$;

--
-- Name: FUNCTION archive_hash(source regclass, columns text[], lower_bound timestamp with time zone, upper_bound timestamp with time zone); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.archive_hash(source regclass, columns text[], lower_bound timestamp with time zone, upper_bound timestamp with time zone) IS 'count and order-independent content hash (v2:<count>:<sum of the rows'' 64-bit hash_record_extended>) of a partition''s rows (through its parent) or of a table';

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
declare
  n int;
  kept bigint;
begin
  if retention_days < 1 then raise exception 'retention_days must be at least 1'; end if;
  if ballast.setting('reason') is null then
    raise exception 'ballast.cleanup_old_errors deletes error envelopes and needs a reason'
      using errcode = '42501',
            hint = 'state one for the transaction: select set_config(''ballast.reason'', ''<why>'', true); '
                   'or run `ballast errors cleanup --reason <why>`';
  end if;
  perform set_config('ballast.retention', 'error_envelopes', true);
  delete from ballast.error_envelopes e
   where e.created_at < now() - make_interval(days => retention_days)
     and exists (select 1 from ballast.archives a
                  where a.table_name = 'ballast.error_envelopes' and a.status in ('verified', 'purged')
                    and e.created_at >= a.range_from and e.created_at < a.range_to);
  get diagnostics n = row_count;
  perform set_config('ballast.retention', '', true);
  select count(*) into kept from ballast.error_envelopes e where e.created_at < now() - make_interval(days => retention_days);
  if kept > 0 then
    raise notice '% error envelope(s) older than % days kept: no verified archive covers them (`ballast archive list`)', kept, retention_days;
  end if;
  return n;
end $$;

--
-- Name: compress_partition(regclass, regclass, text); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.compress_partition(parent regclass, p_partition regclass, method text) RETURNS TABLE(bytes_before bigint, bytes_after bigint, row_count bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  r record;
  cols text[] := ballast.archive_columns(parent);
  casts text;
  nsp name;
  rel name;
  fresh text;
  hb record;
  ha record;
  col record;
  grantee text;
  key text := ballast.partition_key(parent);
begin
  if method not in ('lz4', 'pglz') then raise exception 'compression method % is not lz4 or pglz', method; end if;
  select * into r from ballast.partition_ranges(parent) pr
   where pr.partition = p_partition and not pr.is_default and pr.lower_bound is not null and pr.upper_bound is not null;
  if r.partition is null then raise exception '% is not a bounded range partition of %', p_partition, parent; end if;
  select n.nspname, c.relname into nsp, rel
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = p_partition;
  fresh := format('%I.%I', nsp, left(rel, 56) || '_cmp');
  execute format('lock table %s in share mode', p_partition);
  bytes_before := pg_total_relation_size(p_partition);
  select * into hb from ballast.archive_hash(parent, cols, r.lower_bound, r.upper_bound);
  -- Built whole beside the partition, its indexes included, while writers to
  -- other partitions go on: the parent is locked only for the swap below.
  execute format('create table %s (like %s including defaults including constraints including storage including indexes)',
                 fresh, p_partition);
  for col in select a.attname from pg_attribute a
              where a.attrelid = p_partition and a.attnum > 0 and not a.attisdropped and a.attlen = -1
                and a.attstorage in ('x', 'm') loop
    execute format('alter table %s alter column %I set compression %s', fresh, col.attname, method);
  end loop;
  select string_agg(format('(%I::text)::%s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum) into casts
    from pg_attribute a
   where a.attrelid = parent and a.attnum > 0 and not a.attisdropped and a.attgenerated = '';
  execute format('insert into %s (%s) overriding system value select %s from %s', fresh,
                 (select string_agg(quote_ident(c), ', ') from unnest(cols) c), casts, p_partition);
  select * into ha from ballast.archive_hash(fresh::regclass, cols);
  if ha.row_count <> hb.row_count or ha.content_hash <> hb.content_hash then
    raise exception 'compressing %: the rewritten rows hash %, the original %; nothing changed', p_partition, ha.content_hash, hb.content_hash;
  end if;
  -- A check matching the bounds lets ATTACH skip its validating scan; the indexes match the parent's, so none is built.
  execute format('alter table %s add constraint ballast_compress_bounds check (%I is not null and %I >= %L and %I < %L)',
                 fresh, key, key, r.lower_bound, key, r.upper_bound);
  -- The new partition is read as the old one was (013 grants SELECT on partitions).
  for grantee in select pg_get_userbyid(a.grantee) from pg_class c cross join aclexplode(c.relacl) a
                  where c.oid = p_partition and a.privilege_type = 'SELECT' and a.grantee not in (0, c.relowner) loop
    execute format('grant select on %s to %I', fresh, grantee);
  end loop;
  execute format('alter table %s detach partition %s', parent, p_partition);
  execute format('drop table %s', p_partition);
  execute format('alter table %s rename to %I', fresh, rel);
  fresh := format('%I.%I', nsp, rel);
  execute format('alter table %s attach partition %s for values from (%L) to (%L)', parent, fresh, r.lower_bound, r.upper_bound);
  execute format('alter table %s drop constraint ballast_compress_bounds', fresh);
  bytes_after := pg_total_relation_size(fresh::regclass);
  row_count := ha.row_count;
  return next;
end $$;

--
-- Name: FUNCTION compress_partition(parent regclass, p_partition regclass, method text); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.compress_partition(parent regclass, p_partition regclass, method text) IS 'rewrites a warm partition with lz4 (or pglz) TOAST compression, through the text form of its rows, checked by content hash; returns sizes before and after';

--
-- Name: create_partition(regclass, timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.create_partition(p_parent regclass, p_at timestamp with time zone) RETURNS bigint
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  reg ballast.partitioned_tables;
  per record;
  schema_name text;
  parent_name text;
  part_name text;
  dflt regclass;
  has_rows boolean := false;
  moved bigint := 0;
  grantee text;
begin
  select n.nspname, c.relname into schema_name, parent_name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = p_parent;
  select * into strict reg from ballast.partitioned_tables
   where table_name = schema_name || '.' || parent_name;
  per := ballast.partition_period(reg.granularity, p_at);
  if exists (select 1 from ballast.partition_ranges(p_parent) r
              where not r.is_default
                and coalesce(r.lower_bound < per.upper_bound, true) and coalesce(r.upper_bound > per.lower_bound, true)) then
    return null;
  end if;
  part_name := parent_name || '_p'
    || to_char(per.lower_bound at time zone 'UTC', case reg.granularity when 'day' then 'YYYYMMDD' else 'YYYYMM' end);
  select r.partition into dflt from ballast.partition_ranges(p_parent) r where r.is_default;
  if dflt is not null then
    execute format('select exists (select 1 from %s where %I >= %L and %I < %L)',
                   dflt, reg.partition_column, per.lower_bound, reg.partition_column, per.upper_bound) into has_rows;
  end if;
  if has_rows then
    execute format('create temp table ballast_moving (like %s) on commit drop', p_parent);
    execute format('alter table %s disable trigger user', dflt);
    execute format('with d as (delete from %s where %I >= %L and %I < %L returning *) insert into pg_temp.ballast_moving select * from d',
                   dflt, reg.partition_column, per.lower_bound, reg.partition_column, per.upper_bound);
    execute format('alter table %s enable trigger user', dflt);
  end if;
  execute format('create table %I.%I partition of %s for values from (%L) to (%L)',
                 schema_name, part_name, p_parent, per.lower_bound, per.upper_bound);
  execute format('alter table %I.%I owner to %I', schema_name, part_name,
                 (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = p_parent));
  -- Reads may go to a partition directly (archive exports, forensics); writes
  -- go through the parent, where the statement-level audit triggers fire.
  for grantee in select pg_get_userbyid(a.grantee) from pg_class c cross join aclexplode(c.relacl) a
                  where c.oid = p_parent and a.privilege_type = 'SELECT' and a.grantee not in (0, c.relowner) loop
    execute format('grant select on %I.%I to %I', schema_name, part_name, grantee);
  end loop;
  if has_rows then
    execute format('alter table %I.%I disable trigger user', schema_name, part_name);
    execute format('insert into %I.%I overriding system value select * from pg_temp.ballast_moving', schema_name, part_name);
    get diagnostics moved = row_count;
    execute format('alter table %I.%I enable trigger user', schema_name, part_name);
    drop table pg_temp.ballast_moving;
  end if;
  return moved;
end $$;

--
-- Name: FUNCTION create_partition(p_parent regclass, p_at timestamp with time zone); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.create_partition(p_parent regclass, p_at timestamp with time zone) IS 'internal: creates the partition of the period holding p_at (if none covers it) and moves that period''s rows out of the DEFAULT partition';

--
-- Name: dead_letter_created_at_fixed(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.dead_letter_created_at_fixed() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  raise exception 'dead letter %: created_at never changes (when it was first written, its partition key)', old.id
    using errcode = '55000', hint = 'failed_at is the time of its last failure';
end $$;

--
-- Name: FUNCTION dead_letter_created_at_fixed(); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.dead_letter_created_at_fixed() IS 'trigger: refuses an update that changes created_at (the partition key) of a dead letter';

--
-- Name: dead_letter_replaying(jsonb); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.dead_letter_replaying(p_context jsonb) RETURNS boolean
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    RETURN COALESCE((((p_context ->> 'last_replay_at'::text))::timestamp with time zone > COALESCE(((p_context ->> 'last_replay_failed_at'::text))::timestamp with time zone, '-infinity'::timestamp with time zone)), false);

--
-- Name: FUNCTION dead_letter_replaying(p_context jsonb); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.dead_letter_replaying(p_context jsonb) IS 'a dead letter''s context says a replay was enqueued after its last failure';

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
)
PARTITION BY RANGE (created_at);

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
         r.parent_span_id, r.correlation_id, r.worker_id, r.status, r.job_created_at,
         coalesce((select x.started_at from ballast.job_attempts x
                    where x.span_id = r.span_id and x.started_at between r.started_at - interval '1 day' and r.started_at + interval '1 day'),
                  r.started_at),
         r.finished_at, r.error, r.will_retry, r.replay_of, coalesce(r.finished_at, now())
    from json_populate_recordset(null::ballast.job_attempts, p_rows) r
   where r.status <> 'running'
  on conflict (span_id, started_at) do update set
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
-- Name: hashable(oid); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.hashable(typ oid) RETURNS boolean
    LANGUAGE plpgsql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  t pg_type;
begin
  select * into t from pg_type where oid = typ;
  if t.typbasetype <> 0 then return ballast.hashable(t.typbasetype); end if;
  if t.typelem <> 0 and t.typlen = -1 then return ballast.hashable(t.typelem); end if;
  if t.typtype = 'e' then return true; end if;
  return t.typtype = 'b' and exists (select 1 from pg_opclass o join pg_am a on a.oid = o.opcmethod
                                      where a.amname = 'hash' and o.opcdefault and o.opcintype = typ);
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
         r.parent_span_id, r.correlation_id, r.worker_id, 'running', r.job_created_at,
         coalesce((select x.started_at from ballast.job_attempts x
                    where x.span_id = r.span_id and x.started_at between r.started_at - interval '1 day' and r.started_at + interval '1 day'),
                  r.started_at),
         r.replay_of, now()
    from json_populate_recordset(null::ballast.job_attempts, p_rows) r
  on conflict (span_id, started_at) do update set heartbeat_at = now()
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
-- Name: maintain_partitions(timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.maintain_partitions(p_now timestamp with time zone) RETURNS TABLE(table_name text, created integer, moved bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  reg ballast.partitioned_tables;
  parent regclass;
  dflt regclass;
  at timestamptz;
  periods timestamptz[];
  m bigint;
begin
  perform pg_advisory_xact_lock(hashtext('ballast.maintain_partitions'));
  for reg in select * from ballast.partitioned_tables r order by r.table_name loop
    parent := reg.table_name::regclass;
    table_name := reg.table_name;
    created := 0;
    moved := 0;
    select r.partition into dflt from ballast.partition_ranges(parent) r where r.is_default;
    if dflt is not null then
      -- Read the periods first: the DEFAULT partition cannot be altered while a cursor reads it.
      execute format('select coalesce(array_agg(distinct date_trunc(%L, %I at time zone ''UTC'') at time zone ''UTC''), ''{}'') from %s',
                     reg.granularity, reg.partition_column, dflt) into periods;
      foreach at in array periods loop
        m := ballast.create_partition(parent, at);
        if m is not null then
          created := created + 1;
          moved := moved + m;
        end if;
      end loop;
    end if;
    at := (ballast.partition_period(reg.granularity, p_now)).lower_bound;
    for i in 0..reg.premake loop
      m := ballast.create_partition(parent, at);
      if m is not null then
        created := created + 1;
        moved := moved + m;
      end if;
      at := (ballast.partition_period(reg.granularity, at)).upper_bound;
    end loop;
    return next;
  end loop;
end $$;

--
-- Name: FUNCTION maintain_partitions(p_now timestamp with time zone); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.maintain_partitions(p_now timestamp with time zone) IS 'the maintain_partitions task''s door: partitions for the period of p_now and premake periods ahead, and DEFAULT rows moved into their partitions';

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
-- Name: partition_key(regclass); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.partition_key(parent regclass) RETURNS text
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select a.attname::text
    from pg_partitioned_table p join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
   where p.partrelid = parent and p.partstrat = 'r' and p.partnatts = 1
$$;

--
-- Name: partition_period(text, timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.partition_period(p_granularity text, p_at timestamp with time zone, OUT lower_bound timestamp with time zone, OUT upper_bound timestamp with time zone) RETURNS record
    LANGUAGE sql IMMUTABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
  select date_trunc(p_granularity, p_at at time zone 'UTC') at time zone 'UTC',
         (date_trunc(p_granularity, p_at at time zone 'UTC')
          + case p_granularity when 'day' then interval '1 day' else interval '1 month' end) at time zone 'UTC' $$;

--
-- Name: partition_ranges(regclass); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.partition_ranges(p_parent regclass) RETURNS TABLE(partition regclass, lower_bound timestamp with time zone, upper_bound timestamp with time zone, is_default boolean)
    LANGUAGE sql STABLE
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
  select c.oid::regclass,
         case when m[1] ~ '^''' then trim(both '''' from m[1])::timestamptz end,
         case when m[2] ~ '^''' then trim(both '''' from m[2])::timestamptz end,
         b = 'DEFAULT'
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    cross join lateral pg_get_expr(c.relpartbound, c.oid) b
    left join lateral regexp_match(b, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') m on true
   where i.inhparent = p_parent
   order by 4, 2 nulls first $_$;

--
-- Name: FUNCTION partition_ranges(p_parent regclass); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.partition_ranges(p_parent regclass) IS 'the partitions of a time-partitioned table with their [lower, upper) bounds from pg_get_expr(relpartbound); the DEFAULT partition last';

--
-- Name: purge_partition(bigint); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.purge_partition(p_archive_id bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  a ballast.archives;
  parent regclass;
  part regclass;
  h record;
begin
  select * into a from ballast.archives where id = p_archive_id;
  if a.id is null then raise exception 'no archive %', p_archive_id; end if;
  if a.status <> 'verified' then
    raise exception 'archive % of % is %, not verified: its partition is not purged', a.id, a.partition_name, a.status
      using errcode = '42501';
  end if;
  parent := to_regclass(a.table_name);
  select r.partition into part from ballast.partition_ranges(parent) r
   where not r.is_default and r.partition = to_regclass(a.partition_name)
     and r.lower_bound = a.range_from and r.upper_bound = a.range_to;
  if part is null then
    raise exception 'archive %: % is no longer a partition of % from % to %', a.id, a.partition_name, a.table_name, a.range_from, a.range_to;
  end if;
  if (select c.relowner from pg_class c where c.oid = parent) <> (select r.oid from pg_roles r where r.rolname = current_user) then
    raise exception 'archive %: % is owned by %; only its owner may detach a partition', a.id, a.table_name,
      (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = parent)
      using hint = format('ALTER TABLE %s OWNER TO %I (and its partitions)', a.table_name, current_user);
  end if;
  execute format('lock table %s in share mode', part);
  select * into h from ballast.archive_hash(parent, ballast.archive_columns(parent), a.range_from, a.range_to);
  if h.row_count <> a.row_count or h.content_hash <> a.content_hash then
    raise exception 'archive % of %: the partition changed since it was exported (% rows, %; the archive has % rows, %)',
      a.id, a.partition_name, h.row_count, h.content_hash, a.row_count, a.content_hash
      using hint = 'verify it again (`ballast archive verify`): rows written after the export are not in the archive';
  end if;
  execute format('alter table %s detach partition %s', parent, part);
  execute format('drop table %s', part);
  update ballast.archives set status = 'purged', purged_at = now() where id = a.id;
  return h.row_count;
end $$;

--
-- Name: FUNCTION purge_partition(p_archive_id bigint); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.purge_partition(p_archive_id bigint) IS 'the only way a partition is dropped: its archive verified, its rows unchanged since the export (count and content hash), then DETACH and DROP';

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
     where not exists (select 1 from ballast.error_envelopes x where x.error_id = e.error_id)
    on conflict do nothing;
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
             -- a permanent outcome parks the row; a transient one keeps the next replay already scheduled
             next_retry_at = case when (p_dead_letter->>'retryable')::boolean then next_retry_at end,
             -- the last failure's outcome and class, as its code and message above
             context = coalesce(context, '{}') || jsonb_build_object('last_error_id', p_envelope->>'error_id',
                                                                     'last_replay_failed_at', now())
                       || jsonb_strip_nulls(jsonb_build_object('outcome', p_dead_letter->'context'->'outcome',
                                                               'error_class', p_dead_letter->'context'->'error_class'))
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
-- Name: retention_hold(regclass, timestamp with time zone, timestamp with time zone); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.retention_hold(parent regclass, lower_bound timestamp with time zone, upper_bound timestamp with time zone) RETURNS text
    LANGUAGE plpgsql STABLE
    SET "TimeZone" TO 'UTC'
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $_$
declare
  key text := ballast.partition_key(parent);
  n bigint;
  cond text;
  what text;
begin
  case parent::text
    when 'ingest.webhook_events' then
      cond := $c$status in ('received', 'processing', 'failed')
                 and (status <> 'failed' or exists (select 1 from ballast.pipeline_failures f
                                                     where f.resolved_at is null and f.context->>'correlation_id' = t.correlation_id))$c$;
      what := 'inbox events not finished (in flight, or failed with an open dead letter)';
    when 'search.outbox' then cond := $c$status in ('pending', 'dead')$c$; what := 'outbox rows not synced (pending or dead)';
    when 'ballast.pipeline_failures' then cond := 'resolved_at is null'; what := 'open dead letters';
    when 'audit.ledger' then
      cond := 'not exists (select 1 from audit.chain c where c.ledger_id = t.id)'; what := 'ledger rows not sealed into the chain';
    when 'ingest.redelivery_conflicts' then
      -- Counted in the inbox, not here: a first delivery with no conflict yet may still get one.
      select count(*) into n from ingest.webhook_events e where e.received_at >= lower_bound and e.received_at < upper_bound;
      return case when n > 0 then format('%s first deliveries still in the inbox (a re-delivery may still add a conflict)', n) end;
    else return null;
  end case;
  execute format('select count(*) from %s t where %I >= %L::timestamptz and %I < %L::timestamptz and %s',
                 parent, key, lower_bound, key, upper_bound, cond)
    into n;
  return case when n > 0 then format('%s %s', n, what) end;
end $_$;

--
-- Name: FUNCTION retention_hold(parent regclass, lower_bound timestamp with time zone, upper_bound timestamp with time zone); Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON FUNCTION ballast.retention_hold(parent regclass, lower_bound timestamp with time zone, upper_bound timestamp with time zone) IS 'why a partition still holds live work (and is held, not archived), or null';

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
-- Name: touch_retention_policy(); Type: FUNCTION; Schema: ballast; Owner: -
--

CREATE FUNCTION ballast.touch_retention_policy() RETURNS trigger
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
-- Name: claim_webhook_key(); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.claim_webhook_key() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  insert into ingest.webhook_keys (source, webhook_id, event_id, correlation_id, trace_id, received_at, rejected)
  values (new.source, new.webhook_id, new.id, new.correlation_id, new.trace_id, new.received_at, new.status = 'rejected')
  on conflict (source, webhook_id) do nothing;
  if found then
    return new;
  end if;
  return null;
end $$;

--
-- Name: FUNCTION claim_webhook_key(); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.claim_webhook_key() IS 'inbox insert trigger: claims (source, webhook_id), correlation_id and id in ingest.webhook_keys; skips the row of a duplicate delivery';

--
-- Name: delivery_status(text, text); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.delivery_status(p_source text, p_webhook_id text) RETURNS TABLE(id bigint, status text, status_reason text, trace_id text)
    LANGUAGE sql STABLE SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'ingest', 'pg_temp'
    AS $$
  select k.event_id, coalesce(e.status, case when k.rejected then 'rejected' else 'purged' end),
         e.status_reason, k.trace_id
    from ingest.webhook_keys k
    left join ingest.webhook_events e on e.id = k.event_id and e.received_at = k.received_at
   where k.source = p_source and k.webhook_id = p_webhook_id $$;

--
-- Name: enqueue_first_stages(); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.enqueue_first_stages() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    SET plan_cache_mode TO 'force_generic_plan'
    SET enable_seqscan TO 'off'
    AS $$
declare
  specs graphile_worker.job_spec[] := array(
    select ('normalize_event',
            json_build_object('event_id', n.id, 'trace_id', n.trace_id, 'parent_span_id', n.span_id, 'correlation_id', n.correlation_id),
            null, null, 10, 'normalize_event:' || n.id, null, null)::graphile_worker.job_spec
      from started_new n
     where n.status = 'received'
     order by n.id);
begin
  if cardinality(specs) > 0 then
    perform graphile_worker.add_jobs(specs);
  end if;
  return null;
end $$;

--
-- Name: FUNCTION enqueue_first_stages(); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.enqueue_first_stages() IS 'inbox statement trigger: one normalize_event job per row inserted as received, all in one graphile_worker.add_jobs call';

--
-- Name: event_follows_dead_letter(); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.event_follows_dead_letter() RETURNS trigger
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  perform ingest.follow_dead_letters(new.context->>'correlation_id',
    case when new.resolved_at is null and ballast.dead_letter_replaying(new.context) then new.failing_function end);
  return null;
end $$;

--
-- Name: FUNCTION event_follows_dead_letter(); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.event_follows_dead_letter() IS 'trigger: a dead letter written, replayed, failed again or resolved sets its inbox event''s status (ingest.follow_dead_letters)';

--
-- Name: event_number(jsonb); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.event_number(payload jsonb) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$
  select case when payload -> 'data' ->> 'direction' = 'outbound' then payload -> 'data' ->> 'from'
              else payload -> 'data' ->> 'to' end $$;

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
-- Name: follow_dead_letters(text, text); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.follow_dead_letters(p_correlation_id text, p_replayed_task text DEFAULT NULL::text) RETURNS void
    LANGUAGE plpgsql
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  k record;
  d record;
  reason text;
begin
  select w.event_id, w.received_at into k from ingest.webhook_keys w where w.correlation_id = p_correlation_id;
  if not found then return; end if;
  -- Two transactions changing dead letters of one event (two stages failing,
  -- a replay and a failure) decide one after the other, each seeing the other's rows.
  perform pg_advisory_xact_lock(hashtextextended('ingest.follow_dead_letters:' || p_correlation_id, 0));
  select f.id, f.failing_function, f.error_code, f.next_retry_at into d
    from ballast.pipeline_failures f
   where f.context->>'correlation_id' = p_correlation_id and f.resolved_at is null
     and not ballast.dead_letter_replaying(f.context)
   order by f.failed_at desc, f.id
   limit 1;
  if found then
    reason := format('dead_letter: %s failed (%s), %s; dead letter %s', d.failing_function, coalesce(d.error_code, 'no code'),
                     case when d.next_retry_at is null then 'parked until an operator acts' else 'replay scheduled' end, d.id);
    update ingest.webhook_events e
       set status = 'failed', status_reason = reason
     where e.id = k.event_id and e.received_at = k.received_at
       and e.status in ('received', 'processing', 'failed')
       and (e.status, e.status_reason) is distinct from ('failed', reason);
  elsif p_replayed_task is not null then
    update ingest.webhook_events e
       set status = case when p_replayed_task = 'normalize_event' then 'received' else 'processing' end,
           status_reason = null
     where e.id = k.event_id and e.received_at = k.received_at and e.status = 'failed';
  end if;
end $$;

--
-- Name: FUNCTION follow_dead_letters(p_correlation_id text, p_replayed_task text); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.follow_dead_letters(p_correlation_id text, p_replayed_task text) IS 'sets an inbox event''s status from its open dead letters: failed while one waits, back in flight when the replay of p_replayed_task is enqueued';

--
-- Name: key_follows_status(); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.key_follows_status() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
begin
  update ingest.webhook_keys k
     set rejected = (new.status = 'rejected')
   where k.event_id = new.id and k.rejected is distinct from (new.status = 'rejected');
  return null;
end $$;

--
-- Name: FUNCTION key_follows_status(); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.key_follows_status() IS 'inbox update trigger: a row that leaves (or enters) `rejected` sets its key''s rejected flag, which ingest.delivery_status() answers with after the row is purged';

--
-- Name: note_redelivery(text, text, text, bytea, jsonb, text, text); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea, p_headers jsonb, p_trace_id text, p_span_id text) RETURNS TABLE(id bigint, status text, status_reason text, trace_id text, conflict_id bigint)
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'pg_catalog', 'pg_temp'
    AS $$
declare
  v_body bytea := coalesce(p_raw_bytes, convert_to(p_raw_body, 'UTF8'));
  v_first bytea;
  v_first_at timestamptz;
  v_conflict bigint;
  v record;
begin
  select d.id, d.status, d.status_reason, d.trace_id into v
    from ingest.delivery_status(p_source, p_webhook_id) d;
  if not found then
    return;
  end if;
  select coalesce(e.raw_bytes, convert_to(e.raw_body, 'UTF8')), k.received_at into v_first, v_first_at
    from ingest.webhook_keys k
    join ingest.webhook_events e on e.id = k.event_id and e.received_at = k.received_at
   where k.source = p_source and k.webhook_id = p_webhook_id;
  if v_first is not null and v_first <> v_body then
    insert into ingest.redelivery_conflicts as c (source, webhook_id, event_id, raw_body, raw_bytes, body_sha256, body_bytes,
        headers, trace_id, span_id, correlation_id, first_received_at)
    values (p_source, p_webhook_id, v.id, p_raw_body, case when p_raw_body is null then p_raw_bytes end,
            encode(sha256(v_body), 'hex'), octet_length(v_body), coalesce(p_headers, '{}'), p_trace_id, p_span_id,
            p_source || ':' || p_webhook_id, v_first_at)
    on conflict on constraint redelivery_conflicts_body_key
      do update set deliveries = c.deliveries + 1, last_seen_at = now()
    returning c.id into v_conflict;
  end if;
  id := v.id;
  status := v.status;
  status_reason := v.status_reason;
  trace_id := v.trace_id;
  conflict_id := v_conflict;
  return next;
end $$;

--
-- Name: FUNCTION note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea, p_headers jsonb, p_trace_id text, p_span_id text); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea, p_headers jsonb, p_trace_id text, p_span_id text) IS 'the receiver''s duplicate path: the first delivery''s status, and the ingest.redelivery_conflicts row keeping a differing body';

--
-- Name: reason_code(text); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.reason_code(status_reason text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $_$
  select substring(status_reason from '^([a-z][a-z0-9_]*)(?::|$)') $_$;

--
-- Name: FUNCTION reason_code(status_reason text); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.reason_code(status_reason text) IS 'the code of a quarantine reason `<code>: <detail>` (unknown_phone, agent_suspended, ...)';

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
-- Name: replay_events(bigint[], text, text); Type: FUNCTION; Schema: ingest; Owner: -
--

CREATE FUNCTION ingest.replay_events(p_ids bigint[], p_replayed_by text, p_note text) RETURNS TABLE(event_id bigint, outcome text, span_id text, reason text)
    LANGUAGE plpgsql
    AS $$
declare
  e record;
  v_payload jsonb;
  saved text[] := array[current_setting('ballast.trace_id', true), current_setting('ballast.span_id', true),
                        current_setting('ballast.correlation_id', true)];
begin
  if coalesce(btrim(p_note), '') = '' then
    raise exception 'ingest.replay_events: a replay needs a note saying why' using errcode = '22023';
  end if;
  for e in select w.id, w.status, w.trace_id, w.correlation_id, w.raw_bytes is not null as as_bytes
             from ingest.webhook_events w
            where w.id = any (p_ids) order by w.id loop
    event_id := e.id;
    span_id := null;
    reason := null;
    v_payload := null;
    if e.status not in ('quarantined', 'completed', 'rejected') then
      outcome := e.status;
      return next;
      continue;
    end if;
    if e.status = 'rejected' then
      outcome := 'rejected';
      if e.as_bytes then
        reason := 'its body is kept as bytes, not as UTF-8 text; only a text body can be replayed';
        return next;
        continue;
      end if;
      begin
        select w.raw_body::jsonb into v_payload from ingest.webhook_events w where w.id = e.id;
      exception when data_exception or program_limit_exceeded then
        -- The error's message may quote the body: keep only its SQLSTATE.
        reason := format('PostgreSQL refused its body as jsonb (SQLSTATE %s)', sqlstate);
        return next;
        continue;
      end;
    end if;
    span_id := ballast.new_span_id();
    perform set_config('ballast.trace_id', e.trace_id, true), set_config('ballast.span_id', span_id, true),
            set_config('ballast.correlation_id', e.correlation_id, true);
    update ingest.webhook_events w
       set status = 'received', status_reason = null, processed_at = null, stages_done = '{}',
           payload = case when e.status = 'rejected' then v_payload else w.payload end,
           event_type = case when e.status = 'rejected' then v_payload->>'type' else w.event_type end
     where w.id = e.id
       and case when e.status = 'rejected' then w.status = 'rejected' else w.status in ('quarantined', 'completed') end;
    if not found then
      -- Another replay (or a stage) moved it meanwhile: report where it is now.
      select w.status into outcome from ingest.webhook_events w where w.id = e.id;
      span_id := null;
    else
      if e.status = 'rejected' then
        update ballast.pipeline_failures f
           set resolved_at = now(), next_retry_at = null,
               resolution_note = format('inbox replay: %s (by %s)', p_note, p_replayed_by)
         where f.context->>'correlation_id' = e.correlation_id and f.resolved_at is null
           and f.failing_function = 'ingest.receiver';
      end if;
      perform graphile_worker.add_job(
        'normalize_event',
        json_build_object('event_id', e.id, 'trace_id', e.trace_id, 'parent_span_id', span_id,
                          'correlation_id', e.correlation_id, 'replayed_by', p_replayed_by),
        job_key => 'normalize_event:' || e.id,
        max_attempts => 10);
      outcome := 'replayed';
    end if;
    return next;
  end loop;
  perform set_config('ballast.trace_id', coalesce(saved[1], ''), true), set_config('ballast.span_id', coalesce(saved[2], ''), true),
          set_config('ballast.correlation_id', coalesce(saved[3], ''), true);
end $$;

--
-- Name: FUNCTION replay_events(p_ids bigint[], p_replayed_by text, p_note text); Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON FUNCTION ingest.replay_events(p_ids bigint[], p_replayed_by text, p_note text) IS 'inbox replay: back to received (a rejected event only when its text body parses; its payload parsed, the receiver''s dead letter resolved with the note), normalize_event enqueued on the original trace under a new span; outcome replayed, or the status that prevented it and a reason';

--
-- Name: capture_changes(); Type: FUNCTION; Schema: search; Owner: -
--

CREATE FUNCTION search.capture_changes() RETURNS trigger
    LANGUAGE plpgsql
    AS $_$
declare
  entity constant text := tg_argv[0];
  key_col constant text := tg_argv[1];
begin
  if tg_op = 'DELETE' then
    execute format(
      'with gone as (delete from search.versions v using old_rows o where v.entity = $1 and v.entity_id = o.%I returning v.entity_id)
       insert into search.outbox (point_id, entity, entity_id, op, version, trace_id)
       select search.point_id($1, o.%I), $1, o.%I, ''delete'', nextval(''search.version_seq''), o.trace_id from old_rows o order by o.%I',
      key_col, key_col, key_col, key_col) using entity;
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
    run_at => at, job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25, priority => -1);
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
    job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25, priority => -1);
end $$;

--
-- Name: wake_sync_at_commit(); Type: FUNCTION; Schema: search; Owner: -
--

CREATE FUNCTION search.wake_sync_at_commit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
declare
  r record := case when tg_op = 'DELETE' then old else new end;
begin
  if r.trace_id is null or current_setting('search.woken', true) = 'yes' then
    return null;
  end if;
  perform set_config('search.woken', 'yes', true);
  perform search.wake_sync(coalesce(ballast.setting('trace_id'), r.trace_id), coalesce(ballast.setting('correlation_id'), r.correlation_id));
  return null;
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
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    provisioned_by text,
    provider text,
    is_active boolean GENERATED ALWAYS AS ((status = 'active'::text)) STORED,
    CONSTRAINT agents_pending_id CHECK (((status = 'pending'::text) = (agent_id = ('pending-'::text || user_id)))),
    CONSTRAINT agents_phone_number_check CHECK ((phone_number ~ '^\+[1-9][0-9]{6,14}$'::text)),
    CONSTRAINT agents_status_check CHECK ((status = ANY (ARRAY['pending'::text, 'active'::text, 'suspended'::text, 'retired'::text])))
);

--
-- Name: COLUMN agents.agent_id; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.agents.agent_id IS 'pending-<user_id> while pending; the real id from activation on, fixed';

--
-- Name: COLUMN agents.phone_number; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.agents.phone_number IS 'E.164';

--
-- Name: COLUMN agents.status; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.agents.status IS 'pending (provisioning; id pending-<user_id>) -> active <-> suspended -> retired (final); see app.agents_guard()';

--
-- Name: COLUMN agents.is_active; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.agents.is_active IS 'derived: true exactly when status = ''active''';

--
-- Name: billing_line_items; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.billing_line_items (
    id bigint NOT NULL,
    interaction_id bigint NOT NULL,
    agent_id text NOT NULL,
    org_id text NOT NULL,
    unit text NOT NULL,
    quantity numeric NOT NULL,
    unit_price numeric NOT NULL,
    amount numeric GENERATED ALWAYS AS ((quantity * unit_price)) STORED,
    tier_snapshot_id bigint NOT NULL,
    period_start date NOT NULL,
    usage_day date NOT NULL,
    occurred_at timestamp with time zone NOT NULL,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text) NOT NULL,
    correlation_id text DEFAULT NULLIF(current_setting('ballast.correlation_id'::text, true), ''::text) NOT NULL,
    span_id text DEFAULT NULLIF(current_setting('ballast.span_id'::text, true), ''::text) NOT NULL,
    produced_by text DEFAULT NULLIF(current_setting('ballast.task'::text, true), ''::text) NOT NULL,
    producer_version text DEFAULT NULLIF(current_setting('ballast.task_version'::text, true), ''::text) NOT NULL,
    produced_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT billing_line_items_check CHECK (((usage_day = ((occurred_at AT TIME ZONE 'UTC'::text))::date) AND (period_start = (date_trunc('month'::text, (usage_day)::timestamp without time zone))::date))),
    CONSTRAINT billing_line_items_quantity_check CHECK ((quantity >= (0)::numeric)),
    CONSTRAINT billing_line_items_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text)),
    CONSTRAINT billing_line_items_unit_check CHECK ((unit = ANY (ARRAY['calls'::text, 'call_minutes'::text, 'sms'::text]))),
    CONSTRAINT billing_line_items_unit_price_check CHECK ((unit_price >= (0)::numeric))
);

--
-- Name: TABLE billing_line_items; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.billing_line_items IS 'one line per billable unit of an interaction (a call: calls and call_minutes; an SMS: sms), priced by the tier snapshot in force at its time; never updated, never written twice';

--
-- Name: COLUMN billing_line_items.quantity; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.billing_line_items.quantity IS 'calls: 1; call_minutes: ceil(duration_seconds / 60), per started minute; sms: 1';

--
-- Name: billed_usage_daily; Type: VIEW; Schema: app; Owner: -
--

CREATE VIEW app.billed_usage_daily AS
 SELECT billing_line_items.agent_id,
    billing_line_items.usage_day,
    COALESCE(sum(billing_line_items.quantity) FILTER (WHERE (billing_line_items.unit = 'calls'::text)), (0)::numeric) AS calls,
    COALESCE(sum(billing_line_items.quantity) FILTER (WHERE (billing_line_items.unit = 'call_minutes'::text)), (0)::numeric) AS call_minutes,
    COALESCE(sum(billing_line_items.quantity) FILTER (WHERE (billing_line_items.unit = 'sms'::text)), (0)::numeric) AS sms
   FROM app.billing_line_items
  GROUP BY billing_line_items.agent_id, billing_line_items.usage_day;

--
-- Name: VIEW billed_usage_daily; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON VIEW app.billed_usage_daily IS 'billed units per agent and UTC day, summed from app.billing_line_items (what reconciliation compares with the provider)';

--
-- Name: billing_line_items_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.billing_line_items ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.billing_line_items_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

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
-- Name: invoices; Type: VIEW; Schema: app; Owner: -
--

CREATE VIEW app.invoices AS
 SELECT l.agent_id,
    l.org_id,
    l.period_start,
    ((l.period_start + '1 mon'::interval))::date AS period_end,
    count(*) AS lines,
    COALESCE(sum(l.quantity) FILTER (WHERE (l.unit = 'calls'::text)), (0)::numeric) AS calls,
    COALESCE(sum(l.quantity) FILTER (WHERE (l.unit = 'call_minutes'::text)), (0)::numeric) AS call_minutes,
    COALESCE(sum(l.quantity) FILTER (WHERE (l.unit = 'sms'::text)), (0)::numeric) AS sms,
    sum(l.amount) AS total,
    sum((l.quantity *
        CASE l.unit
            WHEN 'calls'::text THEN s.price_calls
            WHEN 'call_minutes'::text THEN s.price_call_minutes
            ELSE s.price_sms
        END)) AS recomputed_total,
    min(s.currency) AS currency
   FROM (app.billing_line_items l
     JOIN app.tier_snapshots s ON ((s.id = l.tier_snapshot_id)))
  GROUP BY l.agent_id, l.org_id, l.period_start;

--
-- Name: VIEW invoices; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON VIEW app.invoices IS 'one invoice per agent and period: the sum of its billing lines (total), and the same recomputed from the tier snapshots';

--
-- Name: reconciliation_mismatches; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.reconciliation_mismatches (
    id bigint NOT NULL,
    run_id bigint NOT NULL,
    usage_day date NOT NULL,
    agent_id text,
    subject text NOT NULL,
    unit text NOT NULL,
    provider_value numeric NOT NULL,
    ballast_value numeric NOT NULL,
    difference numeric GENERATED ALWAYS AS ((provider_value - ballast_value)) STORED,
    evidence jsonb DEFAULT '{}'::jsonb NOT NULL,
    CONSTRAINT reconciliation_mismatches_check CHECK ((provider_value <> ballast_value)),
    CONSTRAINT reconciliation_mismatches_unit_check CHECK ((unit = ANY (ARRAY['calls'::text, 'call_minutes'::text, 'sms'::text])))
);

--
-- Name: TABLE reconciliation_mismatches; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.reconciliation_mismatches IS 'per run, agent and unit where the provider''s daily usage and ballast''s billed usage differ; evidence holds the provider''s rows (redacted)';

--
-- Name: reconciliation_mismatches_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.reconciliation_mismatches ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.reconciliation_mismatches_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: reconciliation_runs; Type: TABLE; Schema: app; Owner: -
--

CREATE TABLE app.reconciliation_runs (
    id bigint NOT NULL,
    usage_day date NOT NULL,
    provider text NOT NULL,
    source text NOT NULL,
    status text DEFAULT 'running'::text NOT NULL,
    started_at timestamp with time zone DEFAULT now() NOT NULL,
    finished_at timestamp with time zone,
    provider_records integer DEFAULT 0 NOT NULL,
    agents_compared integer DEFAULT 0 NOT NULL,
    mismatches integer DEFAULT 0 NOT NULL,
    error text,
    triggered_by text NOT NULL,
    trace_id text DEFAULT ballast.setting('trace_id'::text),
    correlation_id text DEFAULT ballast.setting('correlation_id'::text),
    CONSTRAINT reconciliation_runs_check CHECK (((status = 'running'::text) = (finished_at IS NULL))),
    CONSTRAINT reconciliation_runs_check1 CHECK (((status = 'failed'::text) = (error IS NOT NULL))),
    CONSTRAINT reconciliation_runs_provider_check CHECK ((provider = ANY (ARRAY['http'::text, 'file'::text]))),
    CONSTRAINT reconciliation_runs_status_check CHECK ((status = ANY (ARRAY['running'::text, 'clean'::text, 'mismatched'::text, 'failed'::text])))
);

--
-- Name: TABLE reconciliation_runs; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON TABLE app.reconciliation_runs IS 'one row per usage reconciliation (reconcile_usage task, `ballast reconcile usage`): the provider''s usage of one day against app.billed_usage_daily; failed means the provider could not be read, never that it matched';

--
-- Name: reconciliation_runs_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.reconciliation_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.reconciliation_runs_id_seq
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
-- Name: tier_snapshots_id_seq; Type: SEQUENCE; Schema: app; Owner: -
--

ALTER TABLE app.tier_snapshots ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME app.tier_snapshots_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
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
    resolution text DEFAULT 'open'::text NOT NULL,
    resolved_at timestamp with time zone,
    resolved_by text,
    resolved_agent_id text,
    resolution_note text,
    CONSTRAINT unknown_phone_resolution_check CHECK ((resolution = ANY (ARRAY['open'::text, 'replayed'::text, 'dismissed'::text]))),
    CONSTRAINT unknown_phone_resolved CHECK (((resolution = 'open'::text) = (resolved_at IS NULL))),
    CONSTRAINT unknown_phone_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: COLUMN unknown_phone.resolution; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON COLUMN app.unknown_phone.resolution IS 'open; replayed (the event became an interaction of resolved_agent_id); dismissed (by an operator, with a note)';

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
-- Name: ledger_default; Type: TABLE; Schema: audit; Owner: -
--

CREATE TABLE audit.ledger_default (
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
-- Name: archive_runs; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.archive_runs (
    id bigint NOT NULL,
    at timestamp with time zone DEFAULT now() NOT NULL,
    table_name text NOT NULL,
    partition_name text NOT NULL,
    range_from timestamp with time zone,
    range_to timestamp with time zone,
    step text NOT NULL,
    outcome text NOT NULL,
    archive_id bigint,
    rows bigint,
    bytes bigint,
    detail jsonb DEFAULT '{}'::jsonb NOT NULL,
    error text,
    trace_id text DEFAULT NULLIF(current_setting('ballast.trace_id'::text, true), ''::text),
    CONSTRAINT archive_runs_error_check CHECK (((outcome = 'failed'::text) = (error IS NOT NULL))),
    CONSTRAINT archive_runs_outcome_check CHECK ((outcome = ANY (ARRAY['succeeded'::text, 'failed'::text, 'held'::text]))),
    CONSTRAINT archive_runs_step_check CHECK ((step = ANY (ARRAY['compress'::text, 'export'::text, 'verify'::text, 'purge'::text, 'hold'::text, 'restore'::text, 'discard'::text])))
);

--
-- Name: TABLE archive_runs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.archive_runs IS 'one row per step of the archive lifecycle (lib/archive), written whether it passed, failed or was held; archive_failed reads it';

--
-- Name: archive_runs_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.archive_runs ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.archive_runs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: archives; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.archives (
    id bigint NOT NULL,
    table_name text NOT NULL,
    partition_name text NOT NULL,
    range_from timestamp with time zone NOT NULL,
    range_to timestamp with time zone NOT NULL,
    store text NOT NULL,
    key text NOT NULL,
    row_count bigint NOT NULL,
    bytes bigint NOT NULL,
    file_sha256 text NOT NULL,
    content_hash text NOT NULL,
    schema_version text NOT NULL,
    first_ledger_id bigint,
    last_ledger_id bigint,
    first_chain_hash text,
    last_chain_hash text,
    status text DEFAULT 'exported'::text NOT NULL,
    exported_at timestamp with time zone NOT NULL,
    verified_at timestamp with time zone,
    purged_at timestamp with time zone,
    manifest jsonb NOT NULL,
    CONSTRAINT archives_status_check CHECK ((status = ANY (ARRAY['exported'::text, 'verified'::text, 'failed'::text, 'purged'::text, 'discarded'::text])))
);

--
-- Name: TABLE archives; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.archives IS 'one row per exported partition: its manifest, and where it stands (exported -> verified -> purged; failed blocks the partition until an operator re-verifies or discards it)';

--
-- Name: archives_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.archives ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.archives_id_seq
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
)
PARTITION BY RANGE (window_start);

--
-- Name: TABLE diagnostic_logs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.diagnostic_logs IS 'failure/retry diagnostics; one row per function, code and window, with a count';

--
-- Name: diagnostic_logs_default; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.diagnostic_logs_default (
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
-- Name: error_envelopes_default; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.error_envelopes_default (
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
)
PARTITION BY RANGE (started_at);

--
-- Name: TABLE job_attempts; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.job_attempts IS 'job ledger: one row per attempt (written at the end, or at the first heartbeat for long attempts)';

--
-- Name: COLUMN job_attempts.id; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.job_attempts.id IS 'insertion order; the key is span_id (one span per attempt)';

--
-- Name: job_attempts_default; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.job_attempts_default (
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
)
PARTITION BY RANGE (started_at);

--
-- Name: TABLE maintenance_runs; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.maintenance_runs IS 'one row per run of a maintenance task (lib/maintenance), written also when the run fails';

--
-- Name: COLUMN maintenance_runs.counts; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.maintenance_runs.counts IS 'the counts of the run''s batches, summed, and the number of batches';

--
-- Name: maintenance_runs_default; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.maintenance_runs_default (
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
-- Name: partitioned_tables; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.partitioned_tables (
    table_name text NOT NULL,
    partition_column text NOT NULL,
    granularity text NOT NULL,
    premake integer DEFAULT 4 NOT NULL,
    CONSTRAINT partitioned_tables_granularity_check CHECK ((granularity = ANY (ARRAY['day'::text, 'month'::text]))),
    CONSTRAINT partitioned_tables_premake_check CHECK (((premake >= 1) AND (premake <= 366))),
    CONSTRAINT partitioned_tables_table_name_check CHECK ((table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'::text))
);

--
-- Name: TABLE partitioned_tables; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.partitioned_tables IS 'the time-partitioned tables: partition column, day or month partitions, and how many future partitions maintain_partitions keeps ahead';

--
-- Name: COLUMN partitioned_tables.table_name; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.partitioned_tables.table_name IS 'schema.table of the parent; partitions are <table>_pYYYYMMDD or <table>_pYYYYMM and <table>_default in the same schema, but read bounds from the catalog (ballast.partition_ranges), not from names';

--
-- Name: COLUMN partitioned_tables.premake; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.partitioned_tables.premake IS 'partitions kept ahead of the current one (pg_partman''s premake); a setting, changed by the owner and audited';

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
    resolution_note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL
)
PARTITION BY RANGE (created_at);

--
-- Name: TABLE pipeline_failures; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.pipeline_failures IS 'dead letters: permanent failures and exhausted retries; payload_snapshot is redacted; partitioned by month on created_at, which never changes';

--
-- Name: COLUMN pipeline_failures.context; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.pipeline_failures.context IS 'job_id, task, trace_id, correlation_id, error_id, replayable, replay history';

--
-- Name: COLUMN pipeline_failures.created_at; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.pipeline_failures.created_at IS 'when the dead letter was first written; never changes (failed_at moves on each failed replay); the partition key';

--
-- Name: pipeline_failures_default; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.pipeline_failures_default (
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
    resolution_note text,
    created_at timestamp with time zone DEFAULT now() NOT NULL
);

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
)
PARTITION BY RANGE (detected_at);

--
-- Name: policy_violations_default; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.policy_violations_default (
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
-- Name: restore_drills; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.restore_drills (
    id bigint NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone DEFAULT now() NOT NULL,
    status text NOT NULL,
    backup text NOT NULL,
    target text NOT NULL,
    rto_seconds numeric NOT NULL,
    mismatches integer NOT NULL,
    report jsonb NOT NULL,
    actor text DEFAULT COALESCE(ballast.setting('actor'::text), (CURRENT_USER)::text) NOT NULL,
    CONSTRAINT restore_drills_check CHECK (((status = 'passed'::text) = (mismatches = 0))),
    CONSTRAINT restore_drills_mismatches_check CHECK ((mismatches >= 0)),
    CONSTRAINT restore_drills_rto_seconds_check CHECK ((rto_seconds >= (0)::numeric)),
    CONSTRAINT restore_drills_status_check CHECK ((status = ANY (ARRAY['passed'::text, 'failed'::text])))
);

--
-- Name: TABLE restore_drills; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.restore_drills IS 'one row per restore drill (`ballast drill restore`): status, RTO, mismatch count and the JSON report; the restore_drill_failed alert reads the last one';

--
-- Name: restore_drills_id_seq; Type: SEQUENCE; Schema: ballast; Owner: -
--

ALTER TABLE ballast.restore_drills ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ballast.restore_drills_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);

--
-- Name: retention_policies; Type: TABLE; Schema: ballast; Owner: -
--

CREATE TABLE ballast.retention_policies (
    table_name text NOT NULL,
    hot_window interval NOT NULL,
    warm_window interval NOT NULL,
    archive_after interval NOT NULL,
    purge_after interval NOT NULL,
    store text DEFAULT 'local'::text NOT NULL,
    enabled boolean DEFAULT true NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_by text DEFAULT COALESCE(ballast.setting('actor'::text), (CURRENT_USER)::text) NOT NULL,
    verify text DEFAULT 'file'::text NOT NULL,
    CONSTRAINT retention_policies_hot_window_check CHECK ((hot_window >= '00:00:00'::interval)),
    CONSTRAINT retention_policies_order CHECK (((archive_after >= hot_window) AND (purge_after >= archive_after))),
    CONSTRAINT retention_policies_store_check CHECK ((store ~ '^[a-z][a-z0-9_-]*$'::text)),
    CONSTRAINT retention_policies_table_name_check CHECK ((table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'::text)),
    CONSTRAINT retention_policies_verify_check CHECK ((verify = ANY (ARRAY['file'::text, 'rows'::text]))),
    CONSTRAINT retention_policies_warm_window_check CHECK ((warm_window >= '00:00:00'::interval))
);

--
-- Name: TABLE retention_policies; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON TABLE ballast.retention_policies IS 'one row per range-partitioned table: hot, warm (compressed), archive_after, purge_after, store (docs/retention.md); written by the owner, audited';

--
-- Name: COLUMN retention_policies.verify; Type: COMMENT; Schema: ballast; Owner: -
--

COMMENT ON COLUMN ballast.retention_policies.verify IS 'how deep the archive_partitions task verifies an export before a purge: file (sha256, row count and shape, live count and hash) or rows (also reloads the rows and rehashes them)';

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
-- Name: redelivery_conflicts; Type: TABLE; Schema: ingest; Owner: -
--

CREATE TABLE ingest.redelivery_conflicts (
    id bigint NOT NULL,
    source text NOT NULL,
    webhook_id text NOT NULL,
    event_id bigint NOT NULL,
    raw_body text,
    raw_bytes bytea,
    body_sha256 text NOT NULL,
    body_bytes integer NOT NULL,
    headers jsonb DEFAULT '{}'::jsonb NOT NULL,
    trace_id text NOT NULL,
    span_id text NOT NULL,
    correlation_id text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    deliveries integer DEFAULT 1 NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    first_received_at timestamp with time zone NOT NULL,
    CONSTRAINT redelivery_conflicts_body_sha256_check CHECK ((body_sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT redelivery_conflicts_deliveries_check CHECK ((deliveries >= 1)),
    CONSTRAINT redelivery_conflicts_one_raw_body CHECK ((num_nonnulls(raw_body, raw_bytes) = 1)),
    CONSTRAINT redelivery_conflicts_span_id_check CHECK ((span_id ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT redelivery_conflicts_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
)
PARTITION BY RANGE (first_received_at);

--
-- Name: TABLE redelivery_conflicts; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON TABLE ingest.redelivery_conflicts IS 're-deliveries of an inbox id whose body differs from the first delivery''s (which won): one row per distinct body, as received; written only by ingest.note_redelivery(); partitioned by day on first_received_at, purged after the inbox day it differs from';

--
-- Name: COLUMN redelivery_conflicts.body_sha256; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.redelivery_conflicts.body_sha256 IS 'sha256 (hex) of the body''s bytes as received';

--
-- Name: COLUMN redelivery_conflicts.deliveries; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.redelivery_conflicts.deliveries IS 'how many times this body was delivered under this id; last_seen_at is the latest';

--
-- Name: COLUMN redelivery_conflicts.first_received_at; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.redelivery_conflicts.first_received_at IS 'when the first delivery of this webhook id was received (ingest.webhook_keys.received_at): the same for every conflict of the id, never changes; the partition key';

--
-- Name: redelivery_conflicts_default; Type: TABLE; Schema: ingest; Owner: -
--

CREATE TABLE ingest.redelivery_conflicts_default (
    id bigint NOT NULL,
    source text NOT NULL,
    webhook_id text NOT NULL,
    event_id bigint NOT NULL,
    raw_body text,
    raw_bytes bytea,
    body_sha256 text NOT NULL,
    body_bytes integer NOT NULL,
    headers jsonb DEFAULT '{}'::jsonb NOT NULL,
    trace_id text NOT NULL,
    span_id text NOT NULL,
    correlation_id text NOT NULL,
    received_at timestamp with time zone DEFAULT now() NOT NULL,
    deliveries integer DEFAULT 1 NOT NULL,
    last_seen_at timestamp with time zone DEFAULT now() NOT NULL,
    first_received_at timestamp with time zone NOT NULL,
    CONSTRAINT redelivery_conflicts_body_sha256_check CHECK ((body_sha256 ~ '^[0-9a-f]{64}$'::text)),
    CONSTRAINT redelivery_conflicts_deliveries_check CHECK ((deliveries >= 1)),
    CONSTRAINT redelivery_conflicts_one_raw_body CHECK ((num_nonnulls(raw_body, raw_bytes) = 1)),
    CONSTRAINT redelivery_conflicts_span_id_check CHECK ((span_id ~ '^[0-9a-f]{16}$'::text)),
    CONSTRAINT redelivery_conflicts_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text))
);

--
-- Name: redelivery_conflicts_id_seq; Type: SEQUENCE; Schema: ingest; Owner: -
--

ALTER TABLE ingest.redelivery_conflicts ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME ingest.redelivery_conflicts_id_seq
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
    CONSTRAINT webhook_events_status_check CHECK ((status = ANY (ARRAY['received'::text, 'rejected'::text, 'processing'::text, 'completed'::text, 'quarantined'::text, 'failed'::text]))),
    CONSTRAINT webhook_events_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text)),
    CONSTRAINT webhook_events_webhook_id_check CHECK (((length(webhook_id) >= 1) AND (length(webhook_id) <= 200)))
)
PARTITION BY RANGE (received_at);

--
-- Name: TABLE webhook_events; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON TABLE ingest.webhook_events IS 'inbox: one row per delivered webhook, partitioned by day on received_at; (source, webhook_id) is unique through ingest.webhook_keys';

--
-- Name: COLUMN webhook_events.raw_body; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.webhook_events.raw_body IS 'the body as received, when it is valid UTF-8 without NUL; else null and the bytes are in raw_bytes';

--
-- Name: COLUMN webhook_events.status; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.webhook_events.status IS 'received -> processing -> completed | quarantined; failed = a dead letter of its work waits (status_reason names it), back to received/processing when it is replayed; rejected = kept but never started (e.g. malformed JSON)';

--
-- Name: COLUMN webhook_events.raw_bytes; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.webhook_events.raw_bytes IS 'the body as received, for bodies that are not storable as text (invalid UTF-8, a NUL byte); such rows are rejected';

--
-- Name: webhook_events_default; Type: TABLE; Schema: ingest; Owner: -
--

CREATE TABLE ingest.webhook_events_default (
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
    CONSTRAINT webhook_events_status_check CHECK ((status = ANY (ARRAY['received'::text, 'rejected'::text, 'processing'::text, 'completed'::text, 'quarantined'::text, 'failed'::text]))),
    CONSTRAINT webhook_events_trace_id_check CHECK ((trace_id ~ '^[0-9a-f]{32}$'::text)),
    CONSTRAINT webhook_events_webhook_id_check CHECK (((length(webhook_id) >= 1) AND (length(webhook_id) <= 200)))
);

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
-- Name: webhook_keys; Type: TABLE; Schema: ingest; Owner: -
--

CREATE TABLE ingest.webhook_keys (
    source text NOT NULL,
    webhook_id text NOT NULL,
    event_id bigint NOT NULL,
    correlation_id text NOT NULL,
    trace_id text NOT NULL,
    received_at timestamp with time zone NOT NULL,
    rejected boolean NOT NULL
);

--
-- Name: TABLE webhook_keys; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON TABLE ingest.webhook_keys IS 'one row per delivery ever stored in the inbox: the keys that must stay unique across partitions, written by the inbox''s insert trigger, never purged; rejected follows the row''s status (ingest.key_follows_status)';

--
-- Name: COLUMN webhook_keys.received_at; Type: COMMENT; Schema: ingest; Owner: -
--

COMMENT ON COLUMN ingest.webhook_keys.received_at IS 'the inbox row''s partition key: finds its row (and its partition) without scanning all partitions';

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
)
PARTITION BY RANGE (enqueued_at);

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
-- Name: outbox_default; Type: TABLE; Schema: search; Owner: -
--

CREATE TABLE search.outbox_default (
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
)
PARTITION BY RANGE (started_at);

--
-- Name: TABLE reconcile_runs; Type: COMMENT; Schema: search; Owner: -
--

COMMENT ON TABLE search.reconcile_runs IS 'reconciliation runs: drift found and repairs enqueued; unrepaired > 0 means the repair bound was hit';

--
-- Name: reconcile_runs_default; Type: TABLE; Schema: search; Owner: -
--

CREATE TABLE search.reconcile_runs_default (
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
)
PARTITION BY RANGE (at);

--
-- Name: sync_runs_default; Type: TABLE; Schema: search; Owner: -
--

CREATE TABLE search.sync_runs_default (
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
-- Name: ledger_default; Type: TABLE ATTACH; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.ledger ATTACH PARTITION audit.ledger_default DEFAULT;

--
-- Name: diagnostic_logs_default; Type: TABLE ATTACH; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.diagnostic_logs ATTACH PARTITION ballast.diagnostic_logs_default DEFAULT;

--
-- Name: error_envelopes_default; Type: TABLE ATTACH; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.error_envelopes ATTACH PARTITION ballast.error_envelopes_default DEFAULT;

--
-- Name: job_attempts_default; Type: TABLE ATTACH; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.job_attempts ATTACH PARTITION ballast.job_attempts_default DEFAULT;

--
-- Name: maintenance_runs_default; Type: TABLE ATTACH; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.maintenance_runs ATTACH PARTITION ballast.maintenance_runs_default DEFAULT;

--
-- Name: pipeline_failures_default; Type: TABLE ATTACH; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.pipeline_failures ATTACH PARTITION ballast.pipeline_failures_default DEFAULT;

--
-- Name: policy_violations_default; Type: TABLE ATTACH; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.policy_violations ATTACH PARTITION ballast.policy_violations_default DEFAULT;

--
-- Name: redelivery_conflicts_default; Type: TABLE ATTACH; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.redelivery_conflicts ATTACH PARTITION ingest.redelivery_conflicts_default DEFAULT;

--
-- Name: webhook_events_default; Type: TABLE ATTACH; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_events ATTACH PARTITION ingest.webhook_events_default DEFAULT;

--
-- Name: outbox_default; Type: TABLE ATTACH; Schema: search; Owner: -
--

ALTER TABLE ONLY search.outbox ATTACH PARTITION search.outbox_default DEFAULT;

--
-- Name: reconcile_runs_default; Type: TABLE ATTACH; Schema: search; Owner: -
--

ALTER TABLE ONLY search.reconcile_runs ATTACH PARTITION search.reconcile_runs_default DEFAULT;

--
-- Name: sync_runs_default; Type: TABLE ATTACH; Schema: search; Owner: -
--

ALTER TABLE ONLY search.sync_runs ATTACH PARTITION search.sync_runs_default DEFAULT;

--
-- Name: agents agents_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.agents
    ADD CONSTRAINT agents_pkey PRIMARY KEY (agent_id);

--
-- Name: billing_line_items billing_line_items_interaction_id_unit_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.billing_line_items
    ADD CONSTRAINT billing_line_items_interaction_id_unit_key UNIQUE (interaction_id, unit);

--
-- Name: billing_line_items billing_line_items_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.billing_line_items
    ADD CONSTRAINT billing_line_items_pkey PRIMARY KEY (id);

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
-- Name: reconciliation_mismatches reconciliation_mismatches_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.reconciliation_mismatches
    ADD CONSTRAINT reconciliation_mismatches_pkey PRIMARY KEY (id);

--
-- Name: reconciliation_mismatches reconciliation_mismatches_run_id_subject_unit_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.reconciliation_mismatches
    ADD CONSTRAINT reconciliation_mismatches_run_id_subject_unit_key UNIQUE (run_id, subject, unit);

--
-- Name: reconciliation_runs reconciliation_runs_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.reconciliation_runs
    ADD CONSTRAINT reconciliation_runs_pkey PRIMARY KEY (id);

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
-- Name: tier_snapshots tier_snapshots_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.tier_snapshots
    ADD CONSTRAINT tier_snapshots_pkey PRIMARY KEY (id);

--
-- Name: tier_snapshots tier_snapshots_tier_effective_at_key; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.tier_snapshots
    ADD CONSTRAINT tier_snapshots_tier_effective_at_key UNIQUE (tier, effective_at);

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
-- Name: usage_limits usage_limits_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.usage_limits
    ADD CONSTRAINT usage_limits_pkey PRIMARY KEY (agent_id, period_start);

--
-- Name: usage_plans usage_plans_pkey; Type: CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.usage_plans
    ADD CONSTRAINT usage_plans_pkey PRIMARY KEY (agent_id, effective_from);

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
    ADD CONSTRAINT ledger_pkey PRIMARY KEY (id, occurred_at);

--
-- Name: ledger_default ledger_default_pkey; Type: CONSTRAINT; Schema: audit; Owner: -
--

ALTER TABLE ONLY audit.ledger_default
    ADD CONSTRAINT ledger_default_pkey PRIMARY KEY (id, occurred_at);

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
-- Name: archive_runs archive_runs_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.archive_runs
    ADD CONSTRAINT archive_runs_pkey PRIMARY KEY (id);

--
-- Name: archives archives_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.archives
    ADD CONSTRAINT archives_pkey PRIMARY KEY (id);

--
-- Name: diagnostic_logs diagnostic_logs_function_name_code_window_start_key; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.diagnostic_logs
    ADD CONSTRAINT diagnostic_logs_function_name_code_window_start_key UNIQUE (function_name, code, window_start);

--
-- Name: diagnostic_logs_default diagnostic_logs_default_function_name_code_window_start_key; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.diagnostic_logs_default
    ADD CONSTRAINT diagnostic_logs_default_function_name_code_window_start_key UNIQUE (function_name, code, window_start);

--
-- Name: diagnostic_logs diagnostic_logs_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.diagnostic_logs
    ADD CONSTRAINT diagnostic_logs_pkey PRIMARY KEY (id, window_start);

--
-- Name: diagnostic_logs_default diagnostic_logs_default_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.diagnostic_logs_default
    ADD CONSTRAINT diagnostic_logs_default_pkey PRIMARY KEY (id, window_start);

--
-- Name: error_envelopes error_envelopes_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.error_envelopes
    ADD CONSTRAINT error_envelopes_pkey PRIMARY KEY (error_id, created_at);

--
-- Name: error_envelopes_default error_envelopes_default_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.error_envelopes_default
    ADD CONSTRAINT error_envelopes_default_pkey PRIMARY KEY (error_id, created_at);

--
-- Name: failure_settings failure_settings_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.failure_settings
    ADD CONSTRAINT failure_settings_pkey PRIMARY KEY (singleton);

--
-- Name: job_attempts job_attempts_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.job_attempts
    ADD CONSTRAINT job_attempts_pkey PRIMARY KEY (span_id, started_at);

--
-- Name: job_attempts_default job_attempts_default_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.job_attempts_default
    ADD CONSTRAINT job_attempts_default_pkey PRIMARY KEY (span_id, started_at);

--
-- Name: maintenance_runs maintenance_runs_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.maintenance_runs
    ADD CONSTRAINT maintenance_runs_pkey PRIMARY KEY (id, started_at);

--
-- Name: maintenance_runs_default maintenance_runs_default_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.maintenance_runs_default
    ADD CONSTRAINT maintenance_runs_default_pkey PRIMARY KEY (id, started_at);

--
-- Name: partitioned_tables partitioned_tables_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.partitioned_tables
    ADD CONSTRAINT partitioned_tables_pkey PRIMARY KEY (table_name);

--
-- Name: pipeline_failures pipeline_failures_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.pipeline_failures
    ADD CONSTRAINT pipeline_failures_pkey PRIMARY KEY (id, created_at);

--
-- Name: pipeline_failures_default pipeline_failures_default_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.pipeline_failures_default
    ADD CONSTRAINT pipeline_failures_default_pkey PRIMARY KEY (id, created_at);

--
-- Name: policy_violations policy_violations_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.policy_violations
    ADD CONSTRAINT policy_violations_pkey PRIMARY KEY (id, detected_at);

--
-- Name: policy_violations_default policy_violations_default_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.policy_violations_default
    ADD CONSTRAINT policy_violations_default_pkey PRIMARY KEY (id, detected_at);

--
-- Name: rescued_jobs rescued_jobs_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.rescued_jobs
    ADD CONSTRAINT rescued_jobs_pkey PRIMARY KEY (id);

--
-- Name: restore_drills restore_drills_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.restore_drills
    ADD CONSTRAINT restore_drills_pkey PRIMARY KEY (id);

--
-- Name: retention_policies retention_policies_pkey; Type: CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.retention_policies
    ADD CONSTRAINT retention_policies_pkey PRIMARY KEY (table_name);

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
-- Name: redelivery_conflicts redelivery_conflicts_body_key; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.redelivery_conflicts
    ADD CONSTRAINT redelivery_conflicts_body_key UNIQUE (source, webhook_id, body_sha256, first_received_at);

--
-- Name: redelivery_conflicts redelivery_conflicts_pkey; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.redelivery_conflicts
    ADD CONSTRAINT redelivery_conflicts_pkey PRIMARY KEY (id, first_received_at);

--
-- Name: redelivery_conflicts_default redelivery_conflicts_default_pkey; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.redelivery_conflicts_default
    ADD CONSTRAINT redelivery_conflicts_default_pkey PRIMARY KEY (id, first_received_at);

--
-- Name: redelivery_conflicts_default redelivery_conflicts_default_source_webhook_id_body_sha256__key; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.redelivery_conflicts_default
    ADD CONSTRAINT redelivery_conflicts_default_source_webhook_id_body_sha256__key UNIQUE (source, webhook_id, body_sha256, first_received_at);

--
-- Name: webhook_events webhook_events_pkey; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_events
    ADD CONSTRAINT webhook_events_pkey PRIMARY KEY (id, received_at);

--
-- Name: webhook_events_default webhook_events_default_pkey; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_events_default
    ADD CONSTRAINT webhook_events_default_pkey PRIMARY KEY (id, received_at);

--
-- Name: webhook_keys webhook_keys_correlation_id_key; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_keys
    ADD CONSTRAINT webhook_keys_correlation_id_key UNIQUE (correlation_id);

--
-- Name: webhook_keys webhook_keys_event_id_key; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_keys
    ADD CONSTRAINT webhook_keys_event_id_key UNIQUE (event_id);

--
-- Name: webhook_keys webhook_keys_pkey; Type: CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ONLY ingest.webhook_keys
    ADD CONSTRAINT webhook_keys_pkey PRIMARY KEY (source, webhook_id);

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
    ADD CONSTRAINT outbox_pkey PRIMARY KEY (id, enqueued_at);

--
-- Name: outbox_default outbox_default_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.outbox_default
    ADD CONSTRAINT outbox_default_pkey PRIMARY KEY (id, enqueued_at);

--
-- Name: reconcile_runs reconcile_runs_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.reconcile_runs
    ADD CONSTRAINT reconcile_runs_pkey PRIMARY KEY (id, started_at);

--
-- Name: reconcile_runs_default reconcile_runs_default_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.reconcile_runs_default
    ADD CONSTRAINT reconcile_runs_default_pkey PRIMARY KEY (id, started_at);

--
-- Name: sync_runs sync_runs_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.sync_runs
    ADD CONSTRAINT sync_runs_pkey PRIMARY KEY (id, at);

--
-- Name: sync_runs_default sync_runs_default_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.sync_runs_default
    ADD CONSTRAINT sync_runs_default_pkey PRIMARY KEY (id, at);

--
-- Name: versions versions_pkey; Type: CONSTRAINT; Schema: search; Owner: -
--

ALTER TABLE ONLY search.versions
    ADD CONSTRAINT versions_pkey PRIMARY KEY (entity, entity_id);

--
-- Name: agents_number_key; Type: INDEX; Schema: app; Owner: -
--

CREATE UNIQUE INDEX agents_number_key ON app.agents USING btree (phone_number) WHERE (status <> 'retired'::text);

--
-- Name: INDEX agents_number_key; Type: COMMENT; Schema: app; Owner: -
--

COMMENT ON INDEX app.agents_number_key IS 'a number belongs to at most one agent that is not retired';

--
-- Name: billing_line_items_day_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX billing_line_items_day_idx ON app.billing_line_items USING btree (usage_day, agent_id);

--
-- Name: billing_line_items_period_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX billing_line_items_period_idx ON app.billing_line_items USING btree (agent_id, period_start);

--
-- Name: billing_line_items_trace_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX billing_line_items_trace_idx ON app.billing_line_items USING btree (trace_id);

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
-- Name: reconciliation_mismatches_agent_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX reconciliation_mismatches_agent_idx ON app.reconciliation_mismatches USING btree (agent_id, usage_day);

--
-- Name: reconciliation_runs_day_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX reconciliation_runs_day_idx ON app.reconciliation_runs USING btree (usage_day, id DESC);

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
-- Name: unknown_phone_open_idx; Type: INDEX; Schema: app; Owner: -
--

CREATE INDEX unknown_phone_open_idx ON app.unknown_phone USING btree (phone_number) WHERE (resolution = 'open'::text);

--
-- Name: ledger_chain_order_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_chain_order_idx ON ONLY audit.ledger USING btree (txid, id);

--
-- Name: ledger_entity_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_entity_idx ON ONLY audit.ledger USING btree (entity_id);

--
-- Name: INDEX ledger_entity_idx; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON INDEX audit.ledger_entity_idx IS 'row history: the entries of one entity id (the recipe filters on entity_type)';

--
-- Name: ledger_default_entity_id_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_default_entity_id_idx ON audit.ledger_default USING btree (entity_id);

--
-- Name: ledger_deletes_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_deletes_idx ON ONLY audit.ledger USING btree (occurred_at DESC) WHERE (after_data IS NULL);

--
-- Name: INDEX ledger_deletes_idx; Type: COMMENT; Schema: audit; Owner: -
--

COMMENT ON INDEX audit.ledger_deletes_idx IS 'deletes and truncates (the only rows with no after image), newest first';

--
-- Name: ledger_default_occurred_at_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_default_occurred_at_idx ON audit.ledger_default USING btree (occurred_at DESC) WHERE (after_data IS NULL);

--
-- Name: ledger_trace_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_trace_idx ON ONLY audit.ledger USING btree (trace_id) WHERE (trace_id IS NOT NULL);

--
-- Name: ledger_default_trace_id_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_default_trace_id_idx ON audit.ledger_default USING btree (trace_id) WHERE (trace_id IS NOT NULL);

--
-- Name: ledger_default_txid_id_idx; Type: INDEX; Schema: audit; Owner: -
--

CREATE INDEX ledger_default_txid_id_idx ON audit.ledger_default USING btree (txid, id);

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
-- Name: archive_runs_failed_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX archive_runs_failed_idx ON ballast.archive_runs USING btree (at DESC) WHERE (outcome = 'failed'::text);

--
-- Name: archive_runs_partition_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX archive_runs_partition_idx ON ballast.archive_runs USING btree (partition_name, id DESC);

--
-- Name: archives_partition_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX archives_partition_idx ON ballast.archives USING btree (partition_name);

--
-- Name: archives_range_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE UNIQUE INDEX archives_range_idx ON ballast.archives USING btree (table_name, range_from, range_to) WHERE (status <> 'discarded'::text);

--
-- Name: diagnostic_logs_recent_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX diagnostic_logs_recent_idx ON ONLY ballast.diagnostic_logs USING btree (last_seen_at DESC);

--
-- Name: diagnostic_logs_default_last_seen_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX diagnostic_logs_default_last_seen_at_idx ON ballast.diagnostic_logs_default USING btree (last_seen_at DESC);

--
-- Name: error_envelopes_class_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_class_idx ON ONLY ballast.error_envelopes USING btree (error_class, "timestamp");

--
-- Name: error_envelopes_component_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_component_idx ON ONLY ballast.error_envelopes USING btree (component, "timestamp");

--
-- Name: error_envelopes_correlation_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_correlation_idx ON ONLY ballast.error_envelopes USING btree (correlation_id);

--
-- Name: error_envelopes_created_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_created_idx ON ONLY ballast.error_envelopes USING btree (created_at);

--
-- Name: error_envelopes_default_component_timestamp_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_default_component_timestamp_idx ON ballast.error_envelopes_default USING btree (component, "timestamp");

--
-- Name: error_envelopes_default_correlation_id_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_default_correlation_id_idx ON ballast.error_envelopes_default USING btree (correlation_id);

--
-- Name: error_envelopes_default_created_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_default_created_at_idx ON ballast.error_envelopes_default USING btree (created_at);

--
-- Name: error_envelopes_default_error_class_timestamp_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_default_error_class_timestamp_idx ON ballast.error_envelopes_default USING btree (error_class, "timestamp");

--
-- Name: error_envelopes_run_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_run_idx ON ONLY ballast.error_envelopes USING btree (run_id);

--
-- Name: error_envelopes_default_run_id_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_default_run_id_idx ON ballast.error_envelopes_default USING btree (run_id);

--
-- Name: error_envelopes_trace_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_trace_idx ON ONLY ballast.error_envelopes USING btree (trace_id);

--
-- Name: error_envelopes_default_trace_id_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX error_envelopes_default_trace_id_idx ON ballast.error_envelopes_default USING btree (trace_id);

--
-- Name: job_attempts_correlation_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_correlation_idx ON ONLY ballast.job_attempts USING btree (correlation_id);

--
-- Name: job_attempts_default_correlation_id_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_default_correlation_id_idx ON ballast.job_attempts_default USING btree (correlation_id);

--
-- Name: job_attempts_running_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_running_idx ON ONLY ballast.job_attempts USING btree (heartbeat_at) WHERE ((status)::text = 'running'::text);

--
-- Name: job_attempts_default_heartbeat_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_default_heartbeat_at_idx ON ballast.job_attempts_default USING btree (heartbeat_at) WHERE ((status)::text = 'running'::text);

--
-- Name: job_attempts_job_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_job_idx ON ONLY ballast.job_attempts USING btree (job_id, attempt);

--
-- Name: job_attempts_default_job_id_attempt_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_default_job_id_attempt_idx ON ballast.job_attempts_default USING btree (job_id, attempt);

--
-- Name: job_attempts_trace_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_trace_idx ON ONLY ballast.job_attempts USING btree (trace_id);

--
-- Name: job_attempts_default_trace_id_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX job_attempts_default_trace_id_idx ON ballast.job_attempts_default USING btree (trace_id);

--
-- Name: maintenance_runs_task_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX maintenance_runs_task_idx ON ONLY ballast.maintenance_runs USING btree (task, started_at DESC);

--
-- Name: maintenance_runs_default_task_started_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX maintenance_runs_default_task_started_at_idx ON ballast.maintenance_runs_default USING btree (task, started_at DESC);

--
-- Name: pipeline_failures_open_correlation_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_open_correlation_idx ON ONLY ballast.pipeline_failures USING btree (((context ->> 'correlation_id'::text))) WHERE (resolved_at IS NULL);

--
-- Name: pipeline_failures_default_expr_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_default_expr_idx ON ballast.pipeline_failures_default USING btree (((context ->> 'correlation_id'::text))) WHERE (resolved_at IS NULL);

--
-- Name: pipeline_failures_function_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_function_idx ON ONLY ballast.pipeline_failures USING btree (failing_function, failed_at DESC);

--
-- Name: pipeline_failures_default_failing_function_failed_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_default_failing_function_failed_at_idx ON ballast.pipeline_failures_default USING btree (failing_function, failed_at DESC);

--
-- Name: pipeline_failures_interaction_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_interaction_idx ON ONLY ballast.pipeline_failures USING btree (interaction_id, failed_at DESC);

--
-- Name: pipeline_failures_default_interaction_id_failed_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_default_interaction_id_failed_at_idx ON ballast.pipeline_failures_default USING btree (interaction_id, failed_at DESC);

--
-- Name: pipeline_failures_unresolved_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_unresolved_idx ON ONLY ballast.pipeline_failures USING btree (resolved_at) WHERE (resolved_at IS NULL);

--
-- Name: pipeline_failures_default_resolved_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX pipeline_failures_default_resolved_at_idx ON ballast.pipeline_failures_default USING btree (resolved_at) WHERE (resolved_at IS NULL);

--
-- Name: policy_violations_correlation_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX policy_violations_correlation_idx ON ONLY ballast.policy_violations USING btree (correlation_id);

--
-- Name: policy_violations_default_correlation_id_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX policy_violations_default_correlation_id_idx ON ballast.policy_violations_default USING btree (correlation_id);

--
-- Name: policy_violations_detected_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX policy_violations_detected_idx ON ONLY ballast.policy_violations USING btree (detected_at DESC);

--
-- Name: policy_violations_default_detected_at_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX policy_violations_default_detected_at_idx ON ballast.policy_violations_default USING btree (detected_at DESC);

--
-- Name: rescued_jobs_job_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX rescued_jobs_job_idx ON ballast.rescued_jobs USING btree (job_id);

--
-- Name: rescued_jobs_time_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX rescued_jobs_time_idx ON ballast.rescued_jobs USING btree (rescued_at DESC);

--
-- Name: restore_drills_started_idx; Type: INDEX; Schema: ballast; Owner: -
--

CREATE INDEX restore_drills_started_idx ON ballast.restore_drills USING btree (started_at);

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
-- Name: redelivery_conflicts_event_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX redelivery_conflicts_event_idx ON ONLY ingest.redelivery_conflicts USING btree (event_id);

--
-- Name: redelivery_conflicts_default_event_id_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX redelivery_conflicts_default_event_id_idx ON ingest.redelivery_conflicts_default USING btree (event_id);

--
-- Name: redelivery_conflicts_last_seen_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX redelivery_conflicts_last_seen_idx ON ONLY ingest.redelivery_conflicts USING btree (last_seen_at);

--
-- Name: redelivery_conflicts_default_last_seen_at_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX redelivery_conflicts_default_last_seen_at_idx ON ingest.redelivery_conflicts_default USING btree (last_seen_at);

--
-- Name: redelivery_conflicts_trace_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX redelivery_conflicts_trace_idx ON ONLY ingest.redelivery_conflicts USING btree (trace_id);

--
-- Name: redelivery_conflicts_default_trace_id_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX redelivery_conflicts_default_trace_id_idx ON ingest.redelivery_conflicts_default USING btree (trace_id);

--
-- Name: webhook_events_correlation_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_correlation_idx ON ONLY ingest.webhook_events USING btree (correlation_id);

--
-- Name: webhook_events_default_correlation_id_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_default_correlation_id_idx ON ingest.webhook_events_default USING btree (correlation_id);

--
-- Name: webhook_events_open_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_open_idx ON ONLY ingest.webhook_events USING btree (received_at) WHERE (status = ANY (ARRAY['received'::text, 'processing'::text, 'failed'::text]));

--
-- Name: webhook_events_default_received_at_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_default_received_at_idx ON ingest.webhook_events_default USING btree (received_at) WHERE (status = ANY (ARRAY['received'::text, 'processing'::text, 'failed'::text]));

--
-- Name: webhook_events_quarantined_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_quarantined_idx ON ONLY ingest.webhook_events USING btree (received_at) WHERE (status = 'quarantined'::text);

--
-- Name: webhook_events_default_received_at_idx1; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_default_received_at_idx1 ON ingest.webhook_events_default USING btree (received_at) WHERE (status = 'quarantined'::text);

--
-- Name: webhook_events_trace_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_trace_idx ON ONLY ingest.webhook_events USING btree (trace_id);

--
-- Name: webhook_events_default_trace_id_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_events_default_trace_id_idx ON ingest.webhook_events_default USING btree (trace_id);

--
-- Name: webhook_keys_trace_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_keys_trace_idx ON ingest.webhook_keys USING btree (trace_id);

--
-- Name: webhook_keys_webhook_id_idx; Type: INDEX; Schema: ingest; Owner: -
--

CREATE INDEX webhook_keys_webhook_id_idx ON ingest.webhook_keys USING btree (webhook_id);

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

CREATE INDEX outbox_dead_idx ON ONLY search.outbox USING btree (id) WHERE (status = 'dead'::text);

--
-- Name: outbox_pending_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_pending_idx ON ONLY search.outbox USING btree (id) WHERE (status = 'pending'::text);

--
-- Name: outbox_default_id_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_default_id_idx ON search.outbox_default USING btree (id) WHERE (status = 'pending'::text);

--
-- Name: outbox_default_id_idx1; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_default_id_idx1 ON search.outbox_default USING btree (id) WHERE (status = 'dead'::text);

--
-- Name: outbox_processed_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_processed_idx ON ONLY search.outbox USING btree (processed_at);

--
-- Name: outbox_default_processed_at_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX outbox_default_processed_at_idx ON search.outbox_default USING btree (processed_at);

--
-- Name: sync_runs_at_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX sync_runs_at_idx ON ONLY search.sync_runs USING btree (at);

--
-- Name: sync_runs_default_at_idx; Type: INDEX; Schema: search; Owner: -
--

CREATE INDEX sync_runs_default_at_idx ON search.sync_runs_default USING btree (at);

--
-- Name: ledger_default_entity_id_idx; Type: INDEX ATTACH; Schema: audit; Owner: -
--

ALTER INDEX audit.ledger_entity_idx ATTACH PARTITION audit.ledger_default_entity_id_idx;

--
-- Name: ledger_default_occurred_at_idx; Type: INDEX ATTACH; Schema: audit; Owner: -
--

ALTER INDEX audit.ledger_deletes_idx ATTACH PARTITION audit.ledger_default_occurred_at_idx;

--
-- Name: ledger_default_pkey; Type: INDEX ATTACH; Schema: audit; Owner: -
--

ALTER INDEX audit.ledger_pkey ATTACH PARTITION audit.ledger_default_pkey;

--
-- Name: ledger_default_trace_id_idx; Type: INDEX ATTACH; Schema: audit; Owner: -
--

ALTER INDEX audit.ledger_trace_idx ATTACH PARTITION audit.ledger_default_trace_id_idx;

--
-- Name: ledger_default_txid_id_idx; Type: INDEX ATTACH; Schema: audit; Owner: -
--

ALTER INDEX audit.ledger_chain_order_idx ATTACH PARTITION audit.ledger_default_txid_id_idx;

--
-- Name: diagnostic_logs_default_function_name_code_window_start_key; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.diagnostic_logs_function_name_code_window_start_key ATTACH PARTITION ballast.diagnostic_logs_default_function_name_code_window_start_key;

--
-- Name: diagnostic_logs_default_last_seen_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.diagnostic_logs_recent_idx ATTACH PARTITION ballast.diagnostic_logs_default_last_seen_at_idx;

--
-- Name: diagnostic_logs_default_pkey; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.diagnostic_logs_pkey ATTACH PARTITION ballast.diagnostic_logs_default_pkey;

--
-- Name: error_envelopes_default_component_timestamp_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.error_envelopes_component_idx ATTACH PARTITION ballast.error_envelopes_default_component_timestamp_idx;

--
-- Name: error_envelopes_default_correlation_id_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.error_envelopes_correlation_idx ATTACH PARTITION ballast.error_envelopes_default_correlation_id_idx;

--
-- Name: error_envelopes_default_created_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.error_envelopes_created_idx ATTACH PARTITION ballast.error_envelopes_default_created_at_idx;

--
-- Name: error_envelopes_default_error_class_timestamp_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.error_envelopes_class_idx ATTACH PARTITION ballast.error_envelopes_default_error_class_timestamp_idx;

--
-- Name: error_envelopes_default_pkey; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.error_envelopes_pkey ATTACH PARTITION ballast.error_envelopes_default_pkey;

--
-- Name: error_envelopes_default_run_id_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.error_envelopes_run_idx ATTACH PARTITION ballast.error_envelopes_default_run_id_idx;

--
-- Name: error_envelopes_default_trace_id_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.error_envelopes_trace_idx ATTACH PARTITION ballast.error_envelopes_default_trace_id_idx;

--
-- Name: job_attempts_default_correlation_id_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.job_attempts_correlation_idx ATTACH PARTITION ballast.job_attempts_default_correlation_id_idx;

--
-- Name: job_attempts_default_heartbeat_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.job_attempts_running_idx ATTACH PARTITION ballast.job_attempts_default_heartbeat_at_idx;

--
-- Name: job_attempts_default_job_id_attempt_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.job_attempts_job_idx ATTACH PARTITION ballast.job_attempts_default_job_id_attempt_idx;

--
-- Name: job_attempts_default_pkey; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.job_attempts_pkey ATTACH PARTITION ballast.job_attempts_default_pkey;

--
-- Name: job_attempts_default_trace_id_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.job_attempts_trace_idx ATTACH PARTITION ballast.job_attempts_default_trace_id_idx;

--
-- Name: maintenance_runs_default_pkey; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.maintenance_runs_pkey ATTACH PARTITION ballast.maintenance_runs_default_pkey;

--
-- Name: maintenance_runs_default_task_started_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.maintenance_runs_task_idx ATTACH PARTITION ballast.maintenance_runs_default_task_started_at_idx;

--
-- Name: pipeline_failures_default_expr_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.pipeline_failures_open_correlation_idx ATTACH PARTITION ballast.pipeline_failures_default_expr_idx;

--
-- Name: pipeline_failures_default_failing_function_failed_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.pipeline_failures_function_idx ATTACH PARTITION ballast.pipeline_failures_default_failing_function_failed_at_idx;

--
-- Name: pipeline_failures_default_interaction_id_failed_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.pipeline_failures_interaction_idx ATTACH PARTITION ballast.pipeline_failures_default_interaction_id_failed_at_idx;

--
-- Name: pipeline_failures_default_pkey; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.pipeline_failures_pkey ATTACH PARTITION ballast.pipeline_failures_default_pkey;

--
-- Name: pipeline_failures_default_resolved_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.pipeline_failures_unresolved_idx ATTACH PARTITION ballast.pipeline_failures_default_resolved_at_idx;

--
-- Name: policy_violations_default_correlation_id_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.policy_violations_correlation_idx ATTACH PARTITION ballast.policy_violations_default_correlation_id_idx;

--
-- Name: policy_violations_default_detected_at_idx; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.policy_violations_detected_idx ATTACH PARTITION ballast.policy_violations_default_detected_at_idx;

--
-- Name: policy_violations_default_pkey; Type: INDEX ATTACH; Schema: ballast; Owner: -
--

ALTER INDEX ballast.policy_violations_pkey ATTACH PARTITION ballast.policy_violations_default_pkey;

--
-- Name: redelivery_conflicts_default_event_id_idx; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.redelivery_conflicts_event_idx ATTACH PARTITION ingest.redelivery_conflicts_default_event_id_idx;

--
-- Name: redelivery_conflicts_default_last_seen_at_idx; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.redelivery_conflicts_last_seen_idx ATTACH PARTITION ingest.redelivery_conflicts_default_last_seen_at_idx;

--
-- Name: redelivery_conflicts_default_pkey; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.redelivery_conflicts_pkey ATTACH PARTITION ingest.redelivery_conflicts_default_pkey;

--
-- Name: redelivery_conflicts_default_source_webhook_id_body_sha256__key; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.redelivery_conflicts_body_key ATTACH PARTITION ingest.redelivery_conflicts_default_source_webhook_id_body_sha256__key;

--
-- Name: redelivery_conflicts_default_trace_id_idx; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.redelivery_conflicts_trace_idx ATTACH PARTITION ingest.redelivery_conflicts_default_trace_id_idx;

--
-- Name: webhook_events_default_correlation_id_idx; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.webhook_events_correlation_idx ATTACH PARTITION ingest.webhook_events_default_correlation_id_idx;

--
-- Name: webhook_events_default_pkey; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.webhook_events_pkey ATTACH PARTITION ingest.webhook_events_default_pkey;

--
-- Name: webhook_events_default_received_at_idx; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.webhook_events_open_idx ATTACH PARTITION ingest.webhook_events_default_received_at_idx;

--
-- Name: webhook_events_default_received_at_idx1; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.webhook_events_quarantined_idx ATTACH PARTITION ingest.webhook_events_default_received_at_idx1;

--
-- Name: webhook_events_default_trace_id_idx; Type: INDEX ATTACH; Schema: ingest; Owner: -
--

ALTER INDEX ingest.webhook_events_trace_idx ATTACH PARTITION ingest.webhook_events_default_trace_id_idx;

--
-- Name: outbox_default_id_idx; Type: INDEX ATTACH; Schema: search; Owner: -
--

ALTER INDEX search.outbox_pending_idx ATTACH PARTITION search.outbox_default_id_idx;

--
-- Name: outbox_default_id_idx1; Type: INDEX ATTACH; Schema: search; Owner: -
--

ALTER INDEX search.outbox_dead_idx ATTACH PARTITION search.outbox_default_id_idx1;

--
-- Name: outbox_default_pkey; Type: INDEX ATTACH; Schema: search; Owner: -
--

ALTER INDEX search.outbox_pkey ATTACH PARTITION search.outbox_default_pkey;

--
-- Name: outbox_default_processed_at_idx; Type: INDEX ATTACH; Schema: search; Owner: -
--

ALTER INDEX search.outbox_processed_idx ATTACH PARTITION search.outbox_default_processed_at_idx;

--
-- Name: reconcile_runs_default_pkey; Type: INDEX ATTACH; Schema: search; Owner: -
--

ALTER INDEX search.reconcile_runs_pkey ATTACH PARTITION search.reconcile_runs_default_pkey;

--
-- Name: sync_runs_default_at_idx; Type: INDEX ATTACH; Schema: search; Owner: -
--

ALTER INDEX search.sync_runs_at_idx ATTACH PARTITION search.sync_runs_default_at_idx;

--
-- Name: sync_runs_default_pkey; Type: INDEX ATTACH; Schema: search; Owner: -
--

ALTER INDEX search.sync_runs_pkey ATTACH PARTITION search.sync_runs_default_pkey;

--
-- Name: agents agents_guard; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER agents_guard BEFORE UPDATE ON app.agents FOR EACH ROW EXECUTE FUNCTION app.agents_guard();

--
-- Name: agents audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.agents REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{agent_id}', '{phone_number}', 'agent_id');

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
-- Name: tier_snapshots audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.tier_snapshots REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{id}', '{}', 'id');

--
-- Name: unknown_phone audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.unknown_phone REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{phone_number}', 'id');

--
-- Name: usage_plans audit_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON app.usage_plans REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{agent_id,effective_from}', '{}', '');

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
-- Name: tier_snapshots audit_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON app.tier_snapshots FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: usage_plans audit_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON app.usage_plans FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

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
-- Name: tier_snapshots audit_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON app.tier_snapshots FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: usage_plans audit_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON app.usage_plans FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: agents audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.agents REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{agent_id}', '{phone_number}', 'agent_id');

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
-- Name: tier_snapshots audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.tier_snapshots REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{id}', '{}', 'id');

--
-- Name: unknown_phone audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.unknown_phone REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{phone_number}', 'id');

--
-- Name: usage_plans audit_insert; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON app.usage_plans REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{agent_id,effective_from}', '{}', '');

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
-- Name: tier_snapshots audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.tier_snapshots FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: unknown_phone audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.unknown_phone FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: usage_plans audit_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON app.usage_plans FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: agents audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.agents FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{agent_id}', '{phone_number}', 'agent_id', 'completes');

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
-- Name: tier_snapshots audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.tier_snapshots FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{id}', '{}', 'id');

--
-- Name: unknown_phone audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.unknown_phone FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{phone_number}', 'id');

--
-- Name: usage_plans audit_update; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON app.usage_plans FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{agent_id,effective_from}', '{}', '');

--
-- Name: billing_line_items billing_line_items_gate_delete; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER billing_line_items_gate_delete BEFORE DELETE ON app.billing_line_items FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: billing_line_items billing_line_items_gate_truncate; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER billing_line_items_gate_truncate BEFORE TRUNCATE ON app.billing_line_items FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

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
-- Name: claims claims_search_wake; Type: TRIGGER; Schema: app; Owner: -
--

CREATE CONSTRAINT TRIGGER claims_search_wake AFTER INSERT OR DELETE OR UPDATE ON app.claims DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search.wake_sync_at_commit();

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
-- Name: summaries summaries_search_wake; Type: TRIGGER; Schema: app; Owner: -
--

CREATE CONSTRAINT TRIGGER summaries_search_wake AFTER INSERT OR DELETE OR UPDATE ON app.summaries DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION search.wake_sync_at_commit();

--
-- Name: usage_limits usage_limits_state; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER usage_limits_state BEFORE INSERT OR UPDATE ON app.usage_limits FOR EACH ROW EXECUTE FUNCTION app.usage_limits_state();

--
-- Name: usage_plans usage_plans_touch; Type: TRIGGER; Schema: app; Owner: -
--

CREATE TRIGGER usage_plans_touch BEFORE UPDATE ON app.usage_plans FOR EACH ROW EXECUTE FUNCTION ballast.touch_alert_rule();

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
-- Name: partitioned_tables audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.partitioned_tables REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{table_name}', '{}', 'table_name');

--
-- Name: pipeline_failures audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.pipeline_failures REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{payload_snapshot,context}', 'id');

--
-- Name: policy_violations audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.policy_violations REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{id}', '{}', 'id');

--
-- Name: retention_policies audit_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ballast.retention_policies REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete_simple('{table_name}', '{}', 'table_name');

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
-- Name: partitioned_tables audit_gate_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ballast.partitioned_tables FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: pipeline_failures audit_gate_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ballast.pipeline_failures FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: retention_policies audit_gate_delete; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ballast.retention_policies FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

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
-- Name: partitioned_tables audit_gate_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ballast.partitioned_tables FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: pipeline_failures audit_gate_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ballast.pipeline_failures FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: retention_policies audit_gate_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ballast.retention_policies FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

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
-- Name: partitioned_tables audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.partitioned_tables REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{table_name}', '{}', 'table_name');

--
-- Name: pipeline_failures audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.pipeline_failures REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{payload_snapshot,context}', 'id');

--
-- Name: policy_violations audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.policy_violations REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{id}', '{}', 'id');

--
-- Name: retention_policies audit_insert; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ballast.retention_policies REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert_simple('{table_name}', '{}', 'table_name');

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
-- Name: partitioned_tables audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.partitioned_tables FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: pipeline_failures audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.pipeline_failures FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: policy_violations audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.policy_violations FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: retention_policies audit_truncate; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ballast.retention_policies FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

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
-- Name: partitioned_tables audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.partitioned_tables FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{table_name}', '{}', 'table_name');

--
-- Name: pipeline_failures audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.pipeline_failures FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{payload_snapshot,context}', 'id', 'completes');

--
-- Name: policy_violations audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.policy_violations FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{id}', '{}', 'id');

--
-- Name: retention_policies audit_update; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ballast.retention_policies FOR EACH ROW EXECUTE FUNCTION audit.capture_update_simple('{table_name}', '{}', 'table_name');

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
-- Name: policy_violations partition_key_fixed; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER partition_key_fixed BEFORE UPDATE OF detected_at ON ballast.policy_violations FOR EACH ROW WHEN ((new.detected_at IS DISTINCT FROM old.detected_at)) EXECUTE FUNCTION audit.refuse_partition_move('detected_at');

--
-- Name: pipeline_failures pipeline_failures_created_at_fixed; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER pipeline_failures_created_at_fixed BEFORE UPDATE OF created_at ON ballast.pipeline_failures FOR EACH ROW WHEN ((new.created_at IS DISTINCT FROM old.created_at)) EXECUTE FUNCTION ballast.dead_letter_created_at_fixed();

--
-- Name: pipeline_failures pipeline_failures_inbox_status; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER pipeline_failures_inbox_status AFTER INSERT OR UPDATE ON ballast.pipeline_failures FOR EACH ROW WHEN ((new.context ? 'correlation_id'::text)) EXECUTE FUNCTION ingest.event_follows_dead_letter();

--
-- Name: retention_policies retention_policies_touch; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER retention_policies_touch BEFORE UPDATE ON ballast.retention_policies FOR EACH ROW EXECUTE FUNCTION ballast.touch_retention_policy();

--
-- Name: trace_policy trace_policy_touch; Type: TRIGGER; Schema: ballast; Owner: -
--

CREATE TRIGGER trace_policy_touch BEFORE UPDATE ON ballast.trace_policy FOR EACH ROW EXECUTE FUNCTION ballast.touch_trace_policy();

--
-- Name: redelivery_conflicts audit_delete; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ingest.redelivery_conflicts REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{raw_body,raw_bytes,headers}', 'id');

--
-- Name: webhook_events audit_delete; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_delete AFTER DELETE ON ingest.webhook_events REFERENCING OLD TABLE AS audit_old FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_delete('{id}', '{raw_body,raw_bytes,payload,headers,event_type}', 'id');

--
-- Name: redelivery_conflicts audit_gate_delete; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ingest.redelivery_conflicts FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: webhook_events audit_gate_delete; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_gate_delete BEFORE DELETE ON ingest.webhook_events FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: redelivery_conflicts audit_gate_truncate; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ingest.redelivery_conflicts FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: webhook_events audit_gate_truncate; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_gate_truncate BEFORE TRUNCATE ON ingest.webhook_events FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: redelivery_conflicts audit_insert; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ingest.redelivery_conflicts REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{raw_body,raw_bytes,headers}', 'id');

--
-- Name: webhook_events audit_insert; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_insert AFTER INSERT ON ingest.webhook_events REFERENCING NEW TABLE AS audit_new FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_insert('{id}', '{raw_body,raw_bytes,payload,headers,event_type}', 'id');

--
-- Name: redelivery_conflicts audit_truncate; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ingest.redelivery_conflicts FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: webhook_events audit_truncate; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_truncate AFTER TRUNCATE ON ingest.webhook_events FOR EACH STATEMENT EXECUTE FUNCTION audit.capture_truncate();

--
-- Name: redelivery_conflicts audit_update; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ingest.redelivery_conflicts FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{raw_body,raw_bytes,headers}', 'id');

--
-- Name: webhook_events audit_update; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER audit_update AFTER UPDATE ON ingest.webhook_events FOR EACH ROW EXECUTE FUNCTION audit.capture_update('{id}', '{raw_body,raw_bytes,payload,headers,event_type}', 'id', 'completes');

--
-- Name: redelivery_conflicts partition_key_fixed; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER partition_key_fixed BEFORE UPDATE OF first_received_at ON ingest.redelivery_conflicts FOR EACH ROW WHEN ((new.first_received_at IS DISTINCT FROM old.first_received_at)) EXECUTE FUNCTION audit.refuse_partition_move('first_received_at');

--
-- Name: webhook_events partition_key_fixed; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER partition_key_fixed BEFORE UPDATE OF received_at ON ingest.webhook_events FOR EACH ROW WHEN ((new.received_at IS DISTINCT FROM old.received_at)) EXECUTE FUNCTION audit.refuse_partition_move('received_at');

--
-- Name: webhook_events webhook_events_defaults; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER webhook_events_defaults BEFORE INSERT ON ingest.webhook_events FOR EACH ROW EXECUTE FUNCTION ingest.fill_event_defaults();

--
-- Name: webhook_events webhook_events_key; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER webhook_events_key BEFORE INSERT ON ingest.webhook_events FOR EACH ROW EXECUTE FUNCTION ingest.claim_webhook_key();

--
-- Name: webhook_events webhook_events_key_status; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER webhook_events_key_status AFTER UPDATE OF status ON ingest.webhook_events FOR EACH ROW WHEN (((old.status = 'rejected'::text) IS DISTINCT FROM (new.status = 'rejected'::text))) EXECUTE FUNCTION ingest.key_follows_status();

--
-- Name: webhook_events webhook_events_start; Type: TRIGGER; Schema: ingest; Owner: -
--

CREATE TRIGGER webhook_events_start AFTER INSERT ON ingest.webhook_events REFERENCING NEW TABLE AS started_new FOR EACH STATEMENT EXECUTE FUNCTION ingest.enqueue_first_stages();

--
-- Name: decisions decisions_gate_delete; Type: TRIGGER; Schema: replay; Owner: -
--

CREATE TRIGGER decisions_gate_delete BEFORE DELETE ON replay.decisions FOR EACH ROW EXECUTE FUNCTION audit.require_reason();

--
-- Name: decisions decisions_gate_truncate; Type: TRIGGER; Schema: replay; Owner: -
--

CREATE TRIGGER decisions_gate_truncate BEFORE TRUNCATE ON replay.decisions FOR EACH STATEMENT EXECUTE FUNCTION audit.require_reason();

--
-- Name: billing_line_items billing_line_items_interaction_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.billing_line_items
    ADD CONSTRAINT billing_line_items_interaction_id_fkey FOREIGN KEY (interaction_id) REFERENCES app.interactions(id);

--
-- Name: billing_line_items billing_line_items_tier_snapshot_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.billing_line_items
    ADD CONSTRAINT billing_line_items_tier_snapshot_id_fkey FOREIGN KEY (tier_snapshot_id) REFERENCES app.tier_snapshots(id);

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
    ADD CONSTRAINT interactions_event_id_fkey FOREIGN KEY (event_id) REFERENCES ingest.webhook_keys(event_id);

--
-- Name: reconciliation_mismatches reconciliation_mismatches_run_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.reconciliation_mismatches
    ADD CONSTRAINT reconciliation_mismatches_run_id_fkey FOREIGN KEY (run_id) REFERENCES app.reconciliation_runs(id);

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
    ADD CONSTRAINT unknown_phone_event_id_fkey FOREIGN KEY (event_id) REFERENCES ingest.webhook_keys(event_id);

--
-- Name: usage_limits usage_limits_agent_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.usage_limits
    ADD CONSTRAINT usage_limits_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES app.agents(agent_id) ON UPDATE CASCADE;

--
-- Name: usage_plans usage_plans_agent_id_fkey; Type: FK CONSTRAINT; Schema: app; Owner: -
--

ALTER TABLE ONLY app.usage_plans
    ADD CONSTRAINT usage_plans_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES app.agents(agent_id) ON UPDATE CASCADE;

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
-- Name: archive_runs archive_runs_archive_id_fkey; Type: FK CONSTRAINT; Schema: ballast; Owner: -
--

ALTER TABLE ONLY ballast.archive_runs
    ADD CONSTRAINT archive_runs_archive_id_fkey FOREIGN KEY (archive_id) REFERENCES ballast.archives(id);

--
-- Name: redelivery_conflicts redelivery_conflicts_event_id_fkey; Type: FK CONSTRAINT; Schema: ingest; Owner: -
--

ALTER TABLE ingest.redelivery_conflicts
    ADD CONSTRAINT redelivery_conflicts_event_id_fkey FOREIGN KEY (event_id) REFERENCES ingest.webhook_keys(event_id);

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
-- Name: SCHEMA archive_restore; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA archive_restore TO ballast_forensics;

--
-- Name: SCHEMA audit; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA audit TO ballast_owner;
GRANT USAGE ON SCHEMA audit TO ballast_worker;
GRANT USAGE ON SCHEMA audit TO ballast_forensics;
GRANT USAGE ON SCHEMA audit TO ballast_audit_writer;
GRANT ALL ON SCHEMA audit TO ballast_partition_keeper;

--
-- Name: SCHEMA ballast; Type: ACL; Schema: -; Owner: -
--

GRANT USAGE ON SCHEMA ballast TO ballast_owner;
GRANT USAGE ON SCHEMA ballast TO ballast_worker;
GRANT USAGE ON SCHEMA ballast TO ballast_forensics;
GRANT USAGE ON SCHEMA ballast TO ballast_ingest;
GRANT USAGE ON SCHEMA ballast TO ballast_audit_writer;
GRANT ALL ON SCHEMA ballast TO ballast_partition_keeper;

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
GRANT ALL ON SCHEMA ingest TO ballast_partition_keeper;

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
GRANT ALL ON SCHEMA search TO ballast_partition_keeper;

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
-- Name: TABLE usage_limits; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.usage_limits TO ballast_owner;
GRANT SELECT,INSERT,UPDATE ON TABLE app.usage_limits TO ballast_worker;
GRANT SELECT ON TABLE app.usage_limits TO ballast_forensics;

--
-- Name: TABLE tier_snapshots; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT ON TABLE app.tier_snapshots TO ballast_owner;
GRANT SELECT ON TABLE app.tier_snapshots TO ballast_worker;
GRANT SELECT ON TABLE app.tier_snapshots TO ballast_forensics;

--
-- Name: TABLE usage_plans; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.usage_plans TO ballast_owner;
GRANT SELECT ON TABLE app.usage_plans TO ballast_worker;
GRANT SELECT ON TABLE app.usage_plans TO ballast_forensics;

--
-- Name: FUNCTION capture_delete(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_delete() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.capture_delete() TO ballast_partition_keeper;

--
-- Name: FUNCTION capture_delete_simple(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_delete_simple() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.capture_delete_simple() TO ballast_partition_keeper;

--
-- Name: FUNCTION capture_grant(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_grant() FROM PUBLIC;

--
-- Name: FUNCTION capture_insert(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_insert() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.capture_insert() TO ballast_partition_keeper;

--
-- Name: FUNCTION capture_insert_simple(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_insert_simple() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.capture_insert_simple() TO ballast_partition_keeper;

--
-- Name: FUNCTION capture_truncate(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_truncate() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.capture_truncate() TO ballast_partition_keeper;

--
-- Name: FUNCTION capture_update(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_update() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.capture_update() TO ballast_partition_keeper;

--
-- Name: FUNCTION capture_update_simple(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.capture_update_simple() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.capture_update_simple() TO ballast_partition_keeper;

--
-- Name: FUNCTION enable(target regclass, gated boolean, redact text[]); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.enable(target regclass, gated boolean, redact text[]) FROM PUBLIC;

--
-- Name: FUNCTION fix_partition_key(target regclass); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.fix_partition_key(target regclass) FROM PUBLIC;

--
-- Name: FUNCTION redact(j jsonb, cols text[]); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.redact(j jsonb, cols text[]) FROM PUBLIC;
GRANT ALL ON FUNCTION audit.redact(j jsonb, cols text[]) TO ballast_audit_writer;

--
-- Name: FUNCTION refuse_change(); Type: ACL; Schema: audit; Owner: -
--

GRANT ALL ON FUNCTION audit.refuse_change() TO ballast_partition_keeper;

--
-- Name: FUNCTION refuse_partition_move(); Type: ACL; Schema: audit; Owner: -
--

REVOKE ALL ON FUNCTION audit.refuse_partition_move() FROM PUBLIC;
GRANT ALL ON FUNCTION audit.refuse_partition_move() TO ballast_partition_keeper;

--
-- Name: FUNCTION require_reason(); Type: ACL; Schema: audit; Owner: -
--

GRANT ALL ON FUNCTION audit.require_reason() TO ballast_partition_keeper;

--
-- Name: TABLE ledger; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.ledger TO ballast_owner;
GRANT SELECT ON TABLE audit.ledger TO ballast_forensics;
GRANT SELECT,INSERT ON TABLE audit.ledger TO ballast_audit_writer;
GRANT SELECT ON TABLE audit.ledger TO ballast_worker;

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
GRANT ALL ON FUNCTION ballast.attempt_succeeded() TO ballast_partition_keeper;

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
-- Name: FUNCTION compress_partition(parent regclass, p_partition regclass, method text); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.compress_partition(parent regclass, p_partition regclass, method text) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.compress_partition(parent regclass, p_partition regclass, method text) TO ballast_worker;

--
-- Name: FUNCTION create_partition(p_parent regclass, p_at timestamp with time zone); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.create_partition(p_parent regclass, p_at timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.create_partition(p_parent regclass, p_at timestamp with time zone) TO ballast_partition_keeper;

--
-- Name: FUNCTION dead_letter_created_at_fixed(); Type: ACL; Schema: ballast; Owner: -
--

GRANT ALL ON FUNCTION ballast.dead_letter_created_at_fixed() TO ballast_partition_keeper;

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
-- Name: FUNCTION guard_error_envelope(); Type: ACL; Schema: ballast; Owner: -
--

GRANT ALL ON FUNCTION ballast.guard_error_envelope() TO ballast_partition_keeper;

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
-- Name: FUNCTION maintain_partitions(p_now timestamp with time zone); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.maintain_partitions(p_now timestamp with time zone) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.maintain_partitions(p_now timestamp with time zone) TO ballast_worker;

--
-- Name: FUNCTION purge_partition(p_archive_id bigint); Type: ACL; Schema: ballast; Owner: -
--

REVOKE ALL ON FUNCTION ballast.purge_partition(p_archive_id bigint) FROM PUBLIC;
GRANT ALL ON FUNCTION ballast.purge_partition(p_archive_id bigint) TO ballast_worker;

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
-- Name: FUNCTION claim_webhook_key(); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.claim_webhook_key() FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.claim_webhook_key() TO ballast_partition_keeper;

--
-- Name: FUNCTION delivery_status(p_source text, p_webhook_id text); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.delivery_status(p_source text, p_webhook_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.delivery_status(p_source text, p_webhook_id text) TO ballast_ingest;

--
-- Name: FUNCTION enqueue_first_stages(); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.enqueue_first_stages() FROM PUBLIC;

--
-- Name: FUNCTION event_follows_dead_letter(); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.event_follows_dead_letter() FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.event_follows_dead_letter() TO ballast_partition_keeper;

--
-- Name: FUNCTION fill_event_defaults(); Type: ACL; Schema: ingest; Owner: -
--

GRANT ALL ON FUNCTION ingest.fill_event_defaults() TO ballast_partition_keeper;

--
-- Name: FUNCTION follow_dead_letters(p_correlation_id text, p_replayed_task text); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.follow_dead_letters(p_correlation_id text, p_replayed_task text) FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.follow_dead_letters(p_correlation_id text, p_replayed_task text) TO ballast_owner;
GRANT ALL ON FUNCTION ingest.follow_dead_letters(p_correlation_id text, p_replayed_task text) TO ballast_worker;

--
-- Name: FUNCTION key_follows_status(); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.key_follows_status() FROM PUBLIC;

--
-- Name: FUNCTION note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea, p_headers jsonb, p_trace_id text, p_span_id text); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea, p_headers jsonb, p_trace_id text, p_span_id text) FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea, p_headers jsonb, p_trace_id text, p_span_id text) TO ballast_ingest;

--
-- Name: FUNCTION record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb) TO ballast_ingest;

--
-- Name: FUNCTION replay_events(p_ids bigint[], p_replayed_by text, p_note text); Type: ACL; Schema: ingest; Owner: -
--

REVOKE ALL ON FUNCTION ingest.replay_events(p_ids bigint[], p_replayed_by text, p_note text) FROM PUBLIC;
GRANT ALL ON FUNCTION ingest.replay_events(p_ids bigint[], p_replayed_by text, p_note text) TO ballast_owner;
GRANT ALL ON FUNCTION ingest.replay_events(p_ids bigint[], p_replayed_by text, p_note text) TO ballast_worker;

--
-- Name: TABLE agents; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.agents TO ballast_owner;
GRANT SELECT ON TABLE app.agents TO ballast_forensics;
GRANT SELECT ON TABLE app.agents TO ballast_worker;

--
-- Name: TABLE billing_line_items; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.billing_line_items TO ballast_owner;
GRANT SELECT,INSERT ON TABLE app.billing_line_items TO ballast_worker;
GRANT SELECT ON TABLE app.billing_line_items TO ballast_forensics;

--
-- Name: TABLE billed_usage_daily; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.billed_usage_daily TO ballast_owner;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.billed_usage_daily TO ballast_worker;
GRANT SELECT ON TABLE app.billed_usage_daily TO ballast_forensics;

--
-- Name: SEQUENCE billing_line_items_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.billing_line_items_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.billing_line_items_id_seq TO ballast_worker;

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
-- Name: TABLE invoices; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.invoices TO ballast_owner;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.invoices TO ballast_worker;
GRANT SELECT ON TABLE app.invoices TO ballast_forensics;

--
-- Name: TABLE reconciliation_mismatches; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.reconciliation_mismatches TO ballast_owner;
GRANT SELECT,INSERT ON TABLE app.reconciliation_mismatches TO ballast_worker;
GRANT SELECT ON TABLE app.reconciliation_mismatches TO ballast_forensics;

--
-- Name: SEQUENCE reconciliation_mismatches_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.reconciliation_mismatches_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.reconciliation_mismatches_id_seq TO ballast_worker;

--
-- Name: TABLE reconciliation_runs; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE app.reconciliation_runs TO ballast_owner;
GRANT SELECT,INSERT,UPDATE ON TABLE app.reconciliation_runs TO ballast_worker;
GRANT SELECT ON TABLE app.reconciliation_runs TO ballast_forensics;

--
-- Name: SEQUENCE reconciliation_runs_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.reconciliation_runs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.reconciliation_runs_id_seq TO ballast_worker;

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
-- Name: SEQUENCE tier_snapshots_id_seq; Type: ACL; Schema: app; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE app.tier_snapshots_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE app.tier_snapshots_id_seq TO ballast_worker;

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
GRANT SELECT ON TABLE audit.chain TO ballast_worker;

--
-- Name: TABLE ledger_default; Type: ACL; Schema: audit; Owner: -
--

GRANT SELECT ON TABLE audit.ledger_default TO ballast_owner;
GRANT SELECT ON TABLE audit.ledger_default TO ballast_forensics;
GRANT SELECT ON TABLE audit.ledger_default TO ballast_audit_writer;

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
-- Name: TABLE archive_runs; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.archive_runs TO ballast_owner;
GRANT SELECT,INSERT ON TABLE ballast.archive_runs TO ballast_worker;
GRANT SELECT ON TABLE ballast.archive_runs TO ballast_forensics;

--
-- Name: SEQUENCE archive_runs_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.archive_runs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.archive_runs_id_seq TO ballast_worker;

--
-- Name: TABLE archives; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.archives TO ballast_owner;
GRANT SELECT,INSERT,UPDATE ON TABLE ballast.archives TO ballast_worker;
GRANT SELECT ON TABLE ballast.archives TO ballast_forensics;
GRANT SELECT,UPDATE ON TABLE ballast.archives TO ballast_partition_keeper;

--
-- Name: SEQUENCE archives_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.archives_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.archives_id_seq TO ballast_worker;

--
-- Name: TABLE diagnostic_logs; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.diagnostic_logs TO ballast_owner;
GRANT SELECT ON TABLE ballast.diagnostic_logs TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.diagnostic_logs TO ballast_worker;

--
-- Name: TABLE diagnostic_logs_default; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT ON TABLE ballast.diagnostic_logs_default TO ballast_owner;
GRANT SELECT ON TABLE ballast.diagnostic_logs_default TO ballast_forensics;
GRANT SELECT ON TABLE ballast.diagnostic_logs_default TO ballast_worker;

--
-- Name: SEQUENCE diagnostic_logs_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.diagnostic_logs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.diagnostic_logs_id_seq TO ballast_worker;

--
-- Name: TABLE error_envelopes_default; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT ON TABLE ballast.error_envelopes_default TO ballast_owner;
GRANT SELECT ON TABLE ballast.error_envelopes_default TO ballast_forensics;
GRANT SELECT ON TABLE ballast.error_envelopes_default TO ballast_worker;

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
-- Name: TABLE job_attempts_default; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT ON TABLE ballast.job_attempts_default TO ballast_owner;
GRANT SELECT ON TABLE ballast.job_attempts_default TO ballast_forensics;
GRANT SELECT ON TABLE ballast.job_attempts_default TO ballast_worker;

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
-- Name: TABLE maintenance_runs_default; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT ON TABLE ballast.maintenance_runs_default TO ballast_owner;
GRANT SELECT ON TABLE ballast.maintenance_runs_default TO ballast_forensics;
GRANT SELECT ON TABLE ballast.maintenance_runs_default TO ballast_worker;

--
-- Name: SEQUENCE maintenance_runs_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.maintenance_runs_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.maintenance_runs_id_seq TO ballast_worker;

--
-- Name: TABLE partitioned_tables; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.partitioned_tables TO ballast_owner;
GRANT SELECT ON TABLE ballast.partitioned_tables TO ballast_worker;
GRANT SELECT ON TABLE ballast.partitioned_tables TO ballast_forensics;
GRANT SELECT ON TABLE ballast.partitioned_tables TO ballast_partition_keeper;

--
-- Name: TABLE pipeline_failures; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.pipeline_failures TO ballast_owner;
GRANT SELECT ON TABLE ballast.pipeline_failures TO ballast_forensics;
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.pipeline_failures TO ballast_worker;

--
-- Name: TABLE pipeline_failures_default; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT ON TABLE ballast.pipeline_failures_default TO ballast_owner;
GRANT SELECT ON TABLE ballast.pipeline_failures_default TO ballast_forensics;
GRANT SELECT ON TABLE ballast.pipeline_failures_default TO ballast_worker;

--
-- Name: TABLE policy_violations; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.policy_violations TO ballast_owner;
GRANT SELECT ON TABLE ballast.policy_violations TO ballast_forensics;
GRANT SELECT ON TABLE ballast.policy_violations TO ballast_worker;

--
-- Name: TABLE policy_violations_default; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT ON TABLE ballast.policy_violations_default TO ballast_owner;
GRANT SELECT ON TABLE ballast.policy_violations_default TO ballast_forensics;
GRANT SELECT ON TABLE ballast.policy_violations_default TO ballast_worker;

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
-- Name: TABLE restore_drills; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT ON TABLE ballast.restore_drills TO ballast_owner;
GRANT SELECT ON TABLE ballast.restore_drills TO ballast_worker;
GRANT SELECT ON TABLE ballast.restore_drills TO ballast_forensics;

--
-- Name: SEQUENCE restore_drills_id_seq; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ballast.restore_drills_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ballast.restore_drills_id_seq TO ballast_worker;

--
-- Name: TABLE retention_policies; Type: ACL; Schema: ballast; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.retention_policies TO ballast_owner;
GRANT SELECT ON TABLE ballast.retention_policies TO ballast_worker;
GRANT SELECT ON TABLE ballast.retention_policies TO ballast_forensics;

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
GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ballast.unrecorded_failed_jobs TO ballast_worker;
GRANT SELECT ON TABLE ballast.unrecorded_failed_jobs TO ballast_forensics;

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
-- Name: TABLE redelivery_conflicts; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT,INSERT,DELETE,UPDATE ON TABLE ingest.redelivery_conflicts TO ballast_owner;
GRANT SELECT ON TABLE ingest.redelivery_conflicts TO ballast_worker;
GRANT SELECT ON TABLE ingest.redelivery_conflicts TO ballast_forensics;

--
-- Name: TABLE redelivery_conflicts_default; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT ON TABLE ingest.redelivery_conflicts_default TO ballast_worker;
GRANT SELECT ON TABLE ingest.redelivery_conflicts_default TO ballast_forensics;

--
-- Name: SEQUENCE redelivery_conflicts_id_seq; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ingest.redelivery_conflicts_id_seq TO ballast_owner;

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
-- Name: TABLE webhook_events_default; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT ON TABLE ingest.webhook_events_default TO ballast_owner;
GRANT SELECT ON TABLE ingest.webhook_events_default TO ballast_forensics;
GRANT SELECT ON TABLE ingest.webhook_events_default TO ballast_worker;

--
-- Name: SEQUENCE webhook_events_id_seq; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT,USAGE ON SEQUENCE ingest.webhook_events_id_seq TO ballast_owner;
GRANT SELECT,USAGE ON SEQUENCE ingest.webhook_events_id_seq TO ballast_worker;
GRANT USAGE ON SEQUENCE ingest.webhook_events_id_seq TO ballast_ingest;

--
-- Name: TABLE webhook_keys; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT,INSERT ON TABLE ingest.webhook_keys TO ballast_owner;
GRANT SELECT ON TABLE ingest.webhook_keys TO ballast_worker;
GRANT SELECT ON TABLE ingest.webhook_keys TO ballast_forensics;

--
-- Name: COLUMN webhook_keys.event_id; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(event_id) ON TABLE ingest.webhook_keys TO ballast_partition_keeper;

--
-- Name: COLUMN webhook_keys.rejected; Type: ACL; Schema: ingest; Owner: -
--

GRANT SELECT(rejected),UPDATE(rejected) ON TABLE ingest.webhook_keys TO ballast_partition_keeper;

--
-- Name: TABLE migrations; Type: ACL; Schema: public; Owner: -
--

GRANT SELECT ON TABLE public.migrations TO ballast_owner;
GRANT SELECT ON TABLE public.migrations TO ballast_forensics;
GRANT SELECT ON TABLE public.migrations TO ballast_worker;

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
-- Name: TABLE outbox_default; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT ON TABLE search.outbox_default TO ballast_owner;
GRANT SELECT ON TABLE search.outbox_default TO ballast_forensics;
GRANT SELECT ON TABLE search.outbox_default TO ballast_worker;

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
-- Name: TABLE reconcile_runs_default; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT ON TABLE search.reconcile_runs_default TO ballast_owner;
GRANT SELECT ON TABLE search.reconcile_runs_default TO ballast_forensics;
GRANT SELECT ON TABLE search.reconcile_runs_default TO ballast_worker;

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
-- Name: TABLE sync_runs_default; Type: ACL; Schema: search; Owner: -
--

GRANT SELECT ON TABLE search.sync_runs_default TO ballast_owner;
GRANT SELECT ON TABLE search.sync_runs_default TO ballast_forensics;
GRANT SELECT ON TABLE search.sync_runs_default TO ballast_worker;

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
-- Name: DEFAULT PRIVILEGES FOR TABLES; Type: DEFAULT ACL; Schema: archive_restore; Owner: -
--

ALTER DEFAULT PRIVILEGES FOR ROLE ballast_owner IN SCHEMA archive_restore GRANT SELECT ON TABLES  TO ballast_forensics;

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
