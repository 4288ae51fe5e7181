create table ballast.alerts (
  id             bigint generated always as identity primary key,
  rule           text not null,
  severity       text not null check (severity in ('info', 'warning', 'critical')),
  subject        jsonb not null default '{}',
  message        text not null,
  dedupe_key     text not null,
  status         text not null default 'open' check (status in ('open', 'acknowledged', 'resolved')),
  first_seen_at  timestamptz not null default now(),
  last_seen_at   timestamptz not null default now(),
  occurrences    int not null default 1,
  acknowledged_at timestamptz, resolved_at timestamptz, note text,
  trace_id text, correlation_id text,
  evidence       jsonb not null default '{}'
);
create unique index alerts_open_dedupe_key on ballast.alerts (dedupe_key) where status <> 'resolved';
grant select, insert, update on ballast.alerts to ballast_worker;
grant select on ballast.alerts to ballast_forensics;
grant select, insert, update, delete on ballast.alerts to ballast_owner;
