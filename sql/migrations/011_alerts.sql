-- Alerts as data (issue 13): the rules (ballast.alert_rules), the alerts they
-- raise (ballast.alerts), and the conditions seen but not yet held for their
-- rule's "for" duration (ballast.alert_conditions).
--
-- One maintenance task, evaluate_alerts (tasks/evaluate_alerts.ts, every
-- minute), runs each enabled rule's condition: the named query
-- sql/alerts/<rule>.sql. Each row a condition returns is one firing instance
-- (its key names the subject); the evaluator keeps one open alert per
-- dedupe key (`<rule>:<key>`), bumps it while the condition holds, and
-- resolves it when the key stops coming back, if the rule auto-resolves.
-- Delivery (sinks) reads ballast.alerts; nothing here knows about sinks.

-- 1. The rules: settings, written by the owner only, audited. ----------------

create table ballast.alert_rules (
  name            text primary key check (name ~ '^[a-z][a-z0-9_]*$'),
  severity        text not null check (severity in ('info', 'warning', 'critical')),
  -- What the condition compares against; its meaning is the rule's (a count,
  -- a percentage, a factor, seconds) and is stated in `description`.
  threshold       numeric not null,
  -- The window the condition looks back over, in seconds.
  window_seconds  int not null default 3600 check (window_seconds > 0),
  -- The condition must hold this long before an alert opens (a blip pages nobody).
  for_seconds     int not null default 0 check (for_seconds >= 0),
  enabled         boolean not null default true,
  auto_resolve    boolean not null default true,
  description     text not null,
  updated_at      timestamptz not null default now(),
  updated_by      text not null default coalesce(ballast.setting('actor'), current_user)
);
comment on table ballast.alert_rules is
  'alert rules; each rule''s condition is the named query sql/alerts/<name>.sql ($1 threshold, $2 now, $3 window_seconds); a rule whose condition has not shipped yet is disabled';

create function ballast.touch_alert_rule() returns trigger
  language plpgsql as $$
begin
  new.updated_at := now();
  new.updated_by := coalesce(ballast.setting('actor'), current_user);
  return new;
end $$;
create trigger alert_rules_touch before update on ballast.alert_rules
  for each row execute function ballast.touch_alert_rule();

insert into ballast.alert_rules (name, severity, threshold, window_seconds, for_seconds, enabled, auto_resolve, description) values
  ('trace_id_policy_violation', 'critical', 1, 3600, 0, true, true,
   'jobs of one task succeeded without trace_id (ballast.policy_violations): at least <threshold> in the window (seed 004)'),
  ('dead_letters_present', 'warning', 1, 3600, 300, true, true,
   'unresolved dead letters (ballast.pipeline_failures, dead search.outbox rows) per failing function: at least <threshold>; steady state is 0 (seed 003)'),
  ('outbox_freshness', 'warning', 95, 3600, 300, true, true,
   'percentage of search.outbox entries of the window indexed within 30 s is under <threshold> (seed 003 SLO)'),
  ('search_drift', 'warning', 0, 93600, 0, true, true,
   'the last search reconciliation left more than <threshold> unrepaired drift or failed, or none ran in the window (26 h)'),
  ('stuck_attempts', 'warning', 300, 3600, 0, true, true,
   'attempts whose heartbeat is older than <threshold> seconds, and jobs locked longer with no fresh heartbeat'),
  ('error_spike', 'warning', 3, 300, 0, true, true,
   'error envelopes of one component in the window: at least 10 and at least <threshold> times the component''s average per window over the previous 24 h'),
  -- These arrive with the retention and usage issues: the row is here, disabled,
  -- and its condition (sql/alerts/<name>.sql) ships with the tables it reads.
  -- `ballast alerts rules --set <name>.enabled=true` refuses until it has.
  ('archive_failed', 'critical', 1, 86400, 0, false, false,
   'an archive run failed verification; no purge runs until it passes (seed 003 phase 2; arrives with retention)'),
  ('restore_drill_failed', 'critical', 1, 604800, 0, false, false,
   'the last restore drill had mismatches or exceeded its RTO (seed 003 phase 3; arrives with retention)'),
  ('usage_warning', 'warning', 1, 86400, 0, false, true,
   'an org crossed its soft usage threshold (seed 001; arrives with usage)'),
  ('usage_blocked', 'critical', 1, 86400, 0, false, true,
   'an org crossed its hard usage threshold and is blocked (seed 001; arrives with usage)'),
  ('usage_reconciliation_mismatch', 'warning', 1, 86400, 0, false, true,
   'the nightly usage reconciliation found counters that disagree with the provider (seed 001; arrives with usage)');

-- 2. The alerts. ----------------------------------------------------------------

create table ballast.alerts (
  id             bigint generated always as identity primary key,
  rule           text not null,            -- ballast.alert_rules.name
  severity       text not null check (severity in ('info', 'warning', 'critical')),
  subject        jsonb not null default '{}',  -- {org, agent, component, table, ...}
  message        text not null,
  dedupe_key     text not null,
  status         text not null default 'open' check (status in ('open', 'acknowledged', 'resolved')),
  first_seen_at  timestamptz not null default now(),
  last_seen_at   timestamptz not null default now(),
  occurrences    int not null default 1,
  acknowledged_at timestamptz, resolved_at timestamptz, note text,
  trace_id text, correlation_id text,
  evidence       jsonb not null default '{}',  -- links to the evidence rows (table + ids)
  -- Who acknowledged or resolved it: a CLI actor, or `alerts:auto` when its condition cleared.
  resolved_by    text,
  acknowledged_by text
);
comment on table ballast.alerts is
  'one row per alert; at most one not resolved per dedupe_key; a recurrence bumps last_seen_at and occurrences (evaluate_alerts)';
comment on column ballast.alerts.occurrences is 'evaluations that found its condition holding since it opened';
comment on column ballast.alerts.evidence is '{"table": ..., "ids": [...], "query": ...}: the rows that raised it, and the forensic query that shows them';
create unique index alerts_open_dedupe_key on ballast.alerts (dedupe_key) where status <> 'resolved';
create index alerts_status_idx on ballast.alerts (status, last_seen_at desc);
create index alerts_rule_idx on ballast.alerts (rule) where status <> 'resolved';

-- 3. Conditions seen, not yet held for the rule's "for" duration. ----------------

create table ballast.alert_conditions (
  dedupe_key     text primary key,
  rule           text not null,
  first_seen_at  timestamptz not null,
  last_seen_at   timestamptz not null
);
comment on table ballast.alert_conditions is
  'evaluate_alerts'' memory: since when each condition has held; a row is deleted when its condition clears';
create index alert_conditions_rule_idx on ballast.alert_conditions (rule);

-- 4. Audit and grants. ------------------------------------------------------------

select audit.enable('ballast.alert_rules', gated => true);
select audit.enable('ballast.alerts');

-- Rules are settings: the owner writes them (`ballast alerts rules --set`).
revoke insert, update, delete, truncate on ballast.alert_rules from ballast_worker, ballast_ingest, ballast_forensics;
-- The evaluator (worker) opens, bumps and resolves alerts; `alerts ack|resolve`
-- runs as the worker too. Nobody but the owner deletes one.
revoke delete, truncate on ballast.alerts from ballast_worker;
grant select on ballast.alert_rules, ballast.alerts, ballast.alert_conditions to ballast_owner, ballast_worker, ballast_forensics;
