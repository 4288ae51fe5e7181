-- Nightly usage reconciliation with the provider (issue 15 part 5, seed 001).
--
-- The reconcile_usage task (tasks/reconcile_usage.ts, nightly on ops/crontab)
-- and `ballast reconcile usage` ask the provider for one day's usage per agent
-- (lib/reconcile: an HTTP adapter shaped like a telephony provider's daily
-- usage-records API, or a CSV/JSON file), compare it with what ballast billed
-- (app.billed_usage_daily, the usage migration's view), and record one run row
-- and one mismatch row per agent, day and unit that disagree. ballast's side is
-- read only through that view, so nothing here depends on the billing lines.
--
-- A run that could not ask the provider (timeout, HTTP error, bad file) ends
-- `failed` with its reason: never `clean`. The usage_reconciliation_mismatch
-- alert rule (sql/alerts/usage_reconciliation_mismatch.sql) fires on both.

create table app.reconciliation_runs (
  id              bigint generated always as identity primary key,
  usage_day       date not null,
  -- `http` or `file`, and where from: the base URL (never credentials) or the file name.
  provider        text not null check (provider in ('http', 'file')),
  source          text not null,
  status          text not null default 'running' check (status in ('running', 'clean', 'mismatched', 'failed')),
  started_at      timestamptz not null default now(),
  finished_at     timestamptz,
  -- Rows the provider returned, agents compared (either side), and mismatch rows written.
  provider_records int not null default 0,
  agents_compared int not null default 0,
  mismatches      int not null default 0,
  -- Why a failed run failed (redacted).
  error           text,
  triggered_by    text not null,
  trace_id        text default ballast.setting('trace_id'),
  correlation_id  text default ballast.setting('correlation_id'),
  check ((status = 'running') = (finished_at is null)),
  check ((status = 'failed') = (error is not null))
);
comment on table app.reconciliation_runs is
  'one row per usage reconciliation (reconcile_usage task, `ballast reconcile usage`): the provider''s usage of one day against app.billed_usage_daily; failed means the provider could not be read, never that it matched';
create index reconciliation_runs_day_idx on app.reconciliation_runs (usage_day, id desc);

create table app.reconciliation_mismatches (
  id              bigint generated always as identity primary key,
  run_id          bigint not null references app.reconciliation_runs (id),
  usage_day       date not null,
  -- The agent the provider's rows map to; null when they map to none (then
  -- `subject` says what the provider named: a number id, or a masked number).
  agent_id        text,
  subject         text not null,
  unit            text not null check (unit in ('calls', 'call_minutes', 'sms')),
  provider_value  numeric not null,
  ballast_value   numeric not null,
  -- Positive: the provider reports more than ballast billed (events missing in
  -- ballast); negative: ballast billed more than the provider reports.
  difference      numeric generated always as (provider_value - ballast_value) stored,
  -- The provider's rows behind the provider value, redacted of personal data.
  evidence        jsonb not null default '{}',
  unique (run_id, subject, unit),
  check (provider_value <> ballast_value)
);
comment on table app.reconciliation_mismatches is
  'per run, agent and unit where the provider''s daily usage and ballast''s billed usage differ; evidence holds the provider''s rows (redacted)';
create index reconciliation_mismatches_agent_idx on app.reconciliation_mismatches (agent_id, usage_day);

-- The worker (the task) opens and closes runs and appends mismatches; evidence
-- is never rewritten. `reconcile usage` runs as the worker too.
revoke delete, truncate on app.reconciliation_runs from ballast_worker;
revoke update, delete, truncate on app.reconciliation_mismatches from ballast_worker;

-- The rule has waited, disabled, since the alerts migration; its condition ships now.
update ballast.alert_rules
   set enabled = true,
       description = 'the last usage reconciliation of a day found at least <threshold> mismatch(es) with the provider, or failed to read the provider; runs finished in the window (seed 001)'
 where name = 'usage_reconciliation_mismatch';
