-- Usage that adds up (issue 15, parts 2-4; seed 001 "Usage & Billing").
--
--   app.tier_snapshots      the price list: which prices a tier had from when
--                           (append-only; a price change is a new row)
--   app.usage_plans         each agent's tier and soft/hard limits from a
--                           period on (settings: the owner writes, audited)
--   app.usage_limits        one row per agent and period: the tier and limits
--                           in force, exact counters, limit_state
--   app.billing_line_items  one line per billable unit of each interaction,
--                           with the tier snapshot that priced it
--   app.billed_usage_daily  lines summed per agent and UTC day (reconciliation)
--   app.invoices            lines summed per agent and period (the invoice)
--
-- normalize_event records an interaction, its billing lines and the counters
-- in ONE transaction (tasks/normalize_event.ts): app.usage_gate() before the
-- interaction (is the agent blocked for the event's period?), then
-- app.bill_interaction() after it. A counter moves only by the lines a
-- statement newly inserted (ON CONFLICT (interaction_id, unit) DO NOTHING),
-- so a replayed, duplicated or backfilled event never counts or bills twice;
-- the increment is one UPDATE of the period's row, so concurrent workers lose
-- no update.
--
-- Periods are UTC calendar months of the interaction's own time (never now()):
-- period_start = date_trunc('month', occurred_at at time zone 'UTC').
-- call_minutes are billed per started minute (ceil(duration_seconds / 60)), as
-- telephony providers bill; a call is also one `calls` unit, an SMS one `sms`.

-- 0. Periods and units. ------------------------------------------------------------

create function app.usage_period(t timestamptz) returns date
  language sql immutable parallel safe
  return date_trunc('month', t at time zone 'UTC')::date;
comment on function app.usage_period(timestamptz) is 'the usage period (UTC calendar month) an instant belongs to: its first day';

-- 1. Prices. --------------------------------------------------------------------------

create table app.tier_snapshots (
  id                  bigint generated always as identity primary key,
  tier                text not null check (tier ~ '^[a-z][a-z0-9_]*$'),
  -- From this instant on (until the tier's next snapshot) these prices apply.
  effective_at        timestamptz not null,
  price_calls         numeric not null check (price_calls >= 0),
  price_call_minutes  numeric not null check (price_call_minutes >= 0),
  price_sms           numeric not null check (price_sms >= 0),
  currency            text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  created_at          timestamptz not null default now(),
  created_by          text not null default coalesce(ballast.setting('actor'), current_user),
  unique (tier, effective_at)
);
comment on table app.tier_snapshots is
  'append-only price list: a tier''s unit prices from effective_at on; every billing line names the snapshot that priced it, so an old invoice recomputes exactly';

-- The tier every agent without a plan is on. Prices are examples: set yours
-- with `ballast usage set-prices standard ...` (effective from the next period).
insert into app.tier_snapshots (tier, effective_at, price_calls, price_call_minutes, price_sms, created_by)
values ('standard', '2000-01-01 00:00:00+00', 0, 0.02, 0.0079, 'migration:016_usage');

-- The prices of `tier` in force at `at`.
create function app.tier_snapshot_at(p_tier text, p_at timestamptz) returns app.tier_snapshots
  language sql stable
  return (select s from app.tier_snapshots s where s.tier = p_tier and s.effective_at <= p_at
           order by s.effective_at desc limit 1);

-- 2. Plans: tier and limits per agent, from a period on. ---------------------------------

create table app.usage_plans (
  agent_id            text not null references app.agents (agent_id) on update cascade,
  -- The first period (a month's first day) this plan governs; it holds until the agent's next plan.
  effective_from      date not null check (effective_from = date_trunc('month', effective_from::timestamp)::date),
  tier                text not null check (tier ~ '^[a-z][a-z0-9_]*$'),
  -- Limits per period; null = no limit for that unit.
  soft_calls          bigint check (soft_calls >= 0),
  hard_calls          bigint check (hard_calls >= 0),
  soft_call_minutes   bigint check (soft_call_minutes >= 0),
  hard_call_minutes   bigint check (hard_call_minutes >= 0),
  soft_sms            bigint check (soft_sms >= 0),
  hard_sms            bigint check (hard_sms >= 0),
  updated_at          timestamptz not null default now(),
  updated_by          text not null default coalesce(ballast.setting('actor'), current_user),
  primary key (agent_id, effective_from),
  check (soft_calls <= hard_calls and soft_call_minutes <= hard_call_minutes and soft_sms <= hard_sms)
);
comment on table app.usage_plans is
  'settings (the owner writes them, audited): an agent''s tier and soft/hard limits per period from effective_from until its next plan; an agent with no plan is on tier standard with no limits';

create trigger usage_plans_touch before update on app.usage_plans
  for each row execute function ballast.touch_alert_rule();

-- 3. Usage per agent and period. -----------------------------------------------------------

create table app.usage_limits (
  agent_id            text not null references app.agents (agent_id) on update cascade,
  period_start        date not null check (period_start = date_trunc('month', period_start::timestamp)::date),
  period_end          date not null,
  -- Copied from the plan in force when the period's row is made; `usage set-limit` changes the limits.
  tier                text not null,
  soft_calls          bigint, hard_calls bigint,
  soft_call_minutes   bigint, hard_call_minutes bigint,
  soft_sms            bigint, hard_sms bigint,
  calls               bigint not null default 0,
  call_minutes        bigint not null default 0,
  sms                 bigint not null default 0,
  limit_state         text not null default 'ok' check (limit_state in ('ok', 'warning', 'blocked')),
  -- When a counter first reached a soft (hard) limit in this period: one usage_warning per period.
  warned_at           timestamptz,
  blocked_at          timestamptz,
  updated_at          timestamptz not null default now(),
  primary key (agent_id, period_start),
  check (period_end = (period_start + interval '1 month')::date)
);
comment on table app.usage_limits is
  'one row per agent and period (UTC month): tier and limits in force, counters moved only by newly inserted billing lines (exact), and limit_state';

-- ok | warning | blocked for counters against limits (a limit is reached at >=).
create function app.limit_state(u app.usage_limits) returns text
  language sql immutable parallel safe
  return case
    when u.calls >= u.hard_calls or u.call_minutes >= u.hard_call_minutes or u.sms >= u.hard_sms then 'blocked'
    when u.calls >= u.soft_calls or u.call_minutes >= u.soft_call_minutes or u.sms >= u.soft_sms then 'warning'
    else 'ok' end;

-- limit_state, warned_at and blocked_at always follow the counters and limits.
create function app.usage_limits_state() returns trigger
  language plpgsql as $$
begin
  new.limit_state := app.limit_state(new);
  if new.limit_state in ('warning', 'blocked') then new.warned_at := coalesce(new.warned_at, now()); end if;
  if new.limit_state = 'blocked' then new.blocked_at := coalesce(new.blocked_at, now()); end if;
  new.updated_at := now();
  return new;
end $$;
create trigger usage_limits_state before insert or update on app.usage_limits
  for each row execute function app.usage_limits_state();

-- The agent's row for `period`, made from the plan in force if missing.
create function app.usage_row(p_agent text, p_period date) returns app.usage_limits
  language plpgsql as $$
declare
  u app.usage_limits;
begin
  insert into app.usage_limits (agent_id, period_start, period_end, tier, soft_calls, hard_calls,
                                soft_call_minutes, hard_call_minutes, soft_sms, hard_sms)
  select p_agent, p_period, (p_period + interval '1 month')::date, coalesce(p.tier, 'standard'),
         p.soft_calls, p.hard_calls, p.soft_call_minutes, p.hard_call_minutes, p.soft_sms, p.hard_sms
    from (select 1) one
    left join lateral (select * from app.usage_plans pl where pl.agent_id = p_agent and pl.effective_from <= p_period
                        order by pl.effective_from desc limit 1) p on true
  on conflict (agent_id, period_start) do nothing;
  select * into u from app.usage_limits where agent_id = p_agent and period_start = p_period;
  return u;
end $$;

/**
 * Before normalize_event records an event of `p_agent` at `p_at`: the
 * limit_state of that period ('ok', 'warning', 'blocked'), or 'recorded' when
 * the event is already an interaction (a replay: it was counted once, it is
 * never blocked after the fact).
 */
create function app.usage_gate(p_agent text, p_at timestamptz, p_event_id bigint) returns text
  language plpgsql as $$
begin
  if exists (select 1 from app.interactions where event_id = p_event_id) then
    return 'recorded';
  end if;
  return (app.usage_row(p_agent, app.usage_period(p_at))).limit_state;
end $$;

-- 4. Billing lines. ----------------------------------------------------------------------------

create table app.billing_line_items (
  id                 bigint generated always as identity primary key,
  interaction_id     bigint not null references app.interactions (id),
  agent_id           text not null,
  org_id             text not null,
  unit               text not null check (unit in ('calls', 'call_minutes', 'sms')),
  quantity           numeric not null check (quantity >= 0),
  unit_price         numeric not null check (unit_price >= 0),
  amount             numeric generated always as (quantity * unit_price) stored,
  tier_snapshot_id   bigint not null references app.tier_snapshots (id),
  period_start       date not null,
  -- The UTC day of the interaction's start (the provider's usage-record day).
  usage_day          date not null,
  occurred_at        timestamptz not null,
  trace_id           text not null default nullif(current_setting('ballast.trace_id', true), '') check (trace_id ~ '^[0-9a-f]{32}$'),
  correlation_id     text not null default nullif(current_setting('ballast.correlation_id', true), ''),
  span_id            text not null default nullif(current_setting('ballast.span_id', true), ''),
  produced_by        text not null default nullif(current_setting('ballast.task', true), ''),
  producer_version   text not null default nullif(current_setting('ballast.task_version', true), ''),
  produced_at        timestamptz not null default now(),
  unique (interaction_id, unit),
  check (usage_day = (occurred_at at time zone 'UTC')::date and period_start = date_trunc('month', usage_day::timestamp)::date)
);
comment on table app.billing_line_items is
  'one line per billable unit of an interaction (a call: calls and call_minutes; an SMS: sms), priced by the tier snapshot in force at its time; never updated, never written twice';
comment on column app.billing_line_items.quantity is 'calls: 1; call_minutes: ceil(duration_seconds / 60), per started minute; sms: 1';
create index billing_line_items_period_idx on app.billing_line_items (agent_id, period_start);
create index billing_line_items_day_idx on app.billing_line_items (usage_day, agent_id);
create index billing_line_items_trace_idx on app.billing_line_items (trace_id);

create view app.billed_usage_daily as
select agent_id, usage_day,
       coalesce(sum(quantity) filter (where unit = 'calls'), 0)::numeric as calls,
       coalesce(sum(quantity) filter (where unit = 'call_minutes'), 0)::numeric as call_minutes,
       coalesce(sum(quantity) filter (where unit = 'sms'), 0)::numeric as sms
  from app.billing_line_items
 group by agent_id, usage_day;
comment on view app.billed_usage_daily is 'billed units per agent and UTC day, summed from app.billing_line_items (what reconciliation compares with the provider)';

/**
 * After normalize_event wrote the interaction of `p_event_id`: its billing
 * lines, and the period's counters moved by exactly the lines this call
 * inserted (none on a replay).
 */
create function app.bill_interaction(p_event_id bigint) returns void
  language plpgsql as $$
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

-- 5. Invoices: a query over the lines. ----------------------------------------------------------

create view app.invoices as
select l.agent_id, l.org_id, l.period_start, (l.period_start + interval '1 month')::date as period_end,
       count(*) as lines,
       coalesce(sum(l.quantity) filter (where l.unit = 'calls'), 0) as calls,
       coalesce(sum(l.quantity) filter (where l.unit = 'call_minutes'), 0) as call_minutes,
       coalesce(sum(l.quantity) filter (where l.unit = 'sms'), 0) as sms,
       sum(l.amount) as total,
       -- The same total from the tier snapshots' prices: equal to `total` unless a line or a snapshot was altered.
       sum(l.quantity * case l.unit when 'calls' then s.price_calls when 'call_minutes' then s.price_call_minutes
                                    else s.price_sms end) as recomputed_total,
       min(s.currency) as currency
  from app.billing_line_items l
  join app.tier_snapshots s on s.id = l.tier_snapshot_id
 group by l.agent_id, l.org_id, l.period_start;
comment on view app.invoices is 'one invoice per agent and period: the sum of its billing lines (total), and the same recomputed from the tier snapshots';

-- 6. Alerts, audit and grants. ---------------------------------------------------------------------

update ballast.alert_rules set enabled = true,
       description = 'an agent reached a soft usage limit in the current period (app.usage_limits.warned_at): one alert per agent and period (seed 001)'
 where name = 'usage_warning';
update ballast.alert_rules set enabled = true,
       description = 'an agent reached a hard usage limit: its new events are quarantined as usage_blocked until `ballast usage set-limit` raises it (seed 001)'
 where name = 'usage_blocked';

select audit.enable('app.usage_plans', gated => true);
select audit.enable('app.tier_snapshots', gated => true);
-- Lines are evidence: deleting one needs a stated reason (their inserts are
-- not audited: each is derived from an audited interaction, and a row per
-- line would double the ledger's cost per event).
create trigger billing_line_items_gate_delete before delete on app.billing_line_items
  for each row execute function audit.require_reason();
create trigger billing_line_items_gate_truncate before truncate on app.billing_line_items
  for each statement execute function audit.require_reason();

-- Prices are append-only; plans are settings (the owner's); counters and lines
-- are the worker's, which never deletes them.
revoke insert, update, delete, truncate on app.tier_snapshots, app.usage_plans from ballast_worker, ballast_ingest, ballast_forensics;
revoke update, delete, truncate on app.tier_snapshots from ballast_owner;
revoke delete, truncate on app.usage_limits from ballast_worker;
revoke update, delete, truncate on app.billing_line_items from ballast_worker;
grant select on app.tier_snapshots, app.usage_plans, app.usage_limits, app.billing_line_items,
  app.billed_usage_daily, app.invoices to ballast_owner, ballast_worker, ballast_forensics;
