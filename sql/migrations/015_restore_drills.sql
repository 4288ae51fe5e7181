-- Restore drills (issue 14 part 5; seed 003 phase 3): `ballast drill restore`
-- restores a backup into a scratch database, checks it, and records its
-- machine-readable report here, in the source database, one row per drill.
-- The restore_drill_failed alert (sql/alerts/restore_drill_failed.sql) reads it.

create table ballast.restore_drills (
  id            bigint generated always as identity primary key,
  started_at    timestamptz not null,
  finished_at   timestamptz not null default now(),
  status        text not null check (status in ('passed', 'failed')),
  -- The backup restored (its directory) and where to (host/database, never a password).
  backup        text not null,
  target        text not null,
  -- Seconds from the start of the restore to the last check: the drill's RTO.
  rto_seconds   numeric not null check (rto_seconds >= 0),
  mismatches    int not null check (mismatches >= 0),
  -- The whole report `ballast drill restore` printed (each check, its mismatches and seconds).
  report        jsonb not null,
  actor         text not null default coalesce(ballast.setting('actor'), current_user),
  check ((status = 'passed') = (mismatches = 0))
);
comment on table ballast.restore_drills is
  'one row per restore drill (`ballast drill restore`): status, RTO, mismatch count and the JSON report; the restore_drill_failed alert reads the last one';
create index restore_drills_started_idx on ballast.restore_drills (started_at);

-- Drills are run by an operator (or the weekly systemd timer) as the owner; the
-- report is a record: nobody rewrites one.
revoke insert, update, delete, truncate on ballast.restore_drills from ballast_worker;
revoke update, delete, truncate on ballast.restore_drills from ballast_owner;
grant select on ballast.restore_drills to ballast_owner, ballast_worker, ballast_forensics;

-- The condition ships with this table (sql/alerts/restore_drill_failed.sql).
update ballast.alert_rules
   set enabled = true,
       description = 'the last restore drill (ballast.restore_drills) had at least <threshold> mismatches or a failed check, or exceeded the seed''s RTO of 60 minutes (seed 003 phase 3)'
 where name = 'restore_drill_failed';
