-- Delivery of alerts: every alert is written first (ballast.alerts), then
-- delivered to each sink by the deliver_alerts maintenance task
-- (lib/alerts/delivery). Nothing is lost while a sink is down: the work item
-- stays until the sink takes it or the attempts run out (then a dead letter,
-- and an alert about the sink itself).
--
-- An alert is delivered twice: when it opens and when it resolves. A
-- recurrence (the evaluator bumping occurrences/last_seen_at) does not page
-- again, nor does an acknowledgement.

-- 1. What still needs delivery: one row per alert, event and sink. -----------

create table ballast.alert_deliveries (
  id              bigint generated always as identity primary key,
  alert_id        bigint not null references ballast.alerts (id) on delete cascade,
  event           text not null check (event in ('opened', 'resolved')),
  -- Every sink kind gets a row; the task marks a sink that is not configured
  -- `skipped` (a sink configured later starts with the next alert).
  sink            text not null check (sink in ('log', 'webhook', 'email')),
  status          text not null default 'pending' check (status in ('pending', 'delivered', 'dead', 'skipped')),
  attempts        int not null default 0,
  -- Attempts before the row goes dead; a success of the sink gives a dead row a new budget.
  attempts_left   int,
  -- When the next attempt may start; a claimed row holds it as a lease.
  next_attempt_at timestamptz not null default now(),
  last_http_status int,
  last_error      text, -- redacted
  created_at      timestamptz not null default now(),
  finished_at     timestamptz,
  unique (alert_id, event, sink)
);
comment on table ballast.alert_deliveries is
  'what each alert sink still owes: one row per alert, event (opened, resolved) and sink, written by the trigger on ballast.alerts and worked off by deliver_alerts';
comment on column ballast.alert_deliveries.next_attempt_at is
  'due time of the next attempt; claiming a row moves it one lease ahead, so a crashed worker''s claim comes due again';
create index alert_deliveries_due_idx on ballast.alert_deliveries (next_attempt_at) where status = 'pending';
create index alert_deliveries_dead_idx on ballast.alert_deliveries (sink) where status = 'dead';

-- 2. The evidence: one row per delivery attempt. ------------------------------

create table ballast.alert_delivery_attempts (
  id              bigint generated always as identity primary key,
  delivery_id     bigint references ballast.alert_deliveries (id) on delete cascade, -- null: `ballast alerts test`
  alert_id        bigint,
  sink            text not null,
  attempt         int not null,
  outcome         text not null check (outcome in ('delivered', 'failed', 'dead')),
  http_status     int,
  error           text, -- redacted
  next_attempt_at timestamptz, -- when the row is tried again (failed)
  duration_ms     int not null,
  attempted_at    timestamptz not null default now(),
  trace_id        text
);
comment on table ballast.alert_delivery_attempts is 'one row per attempt to deliver an alert to a sink (deliver_alerts, `ballast alerts test`)';
create index alert_delivery_attempts_delivery_idx on ballast.alert_delivery_attempts (delivery_id);

-- 3. Opening and resolving an alert owes each sink a delivery, and wakes the task.

create function ballast.alert_owes_delivery() returns trigger
  language plpgsql as $$
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

create trigger alert_delivery_on_open after insert on ballast.alerts
  for each row execute function ballast.alert_owes_delivery();
create trigger alert_delivery_on_resolve after update of status on ballast.alerts
  for each row when (new.status = 'resolved' and old.status is distinct from 'resolved')
  execute function ballast.alert_owes_delivery();

-- 4. Who may do what (test/audit/roles.test.ts). ------------------------------
-- The schema's default privileges give the worker every write; it never
-- deletes what is owed, and never rewrites an attempt. Whoever writes alerts
-- (the worker's evaluator, the owner's CLI) fires the trigger, as itself.

revoke delete, truncate on ballast.alert_deliveries from ballast_worker, ballast_ingest, ballast_forensics;
revoke update, delete, truncate on ballast.alert_delivery_attempts from ballast_worker, ballast_ingest, ballast_forensics;
grant select, insert, update on ballast.alert_deliveries to ballast_worker;
grant select, insert on ballast.alert_delivery_attempts to ballast_worker;
grant select, insert, update, delete on ballast.alert_deliveries, ballast.alert_delivery_attempts to ballast_owner;
grant select on ballast.alert_deliveries, ballast.alert_delivery_attempts to ballast_forensics;
