-- Time-partitioned high-volume tables (issue 14, part 1).
--
-- The inbox, the job ledger, the audit ledger, the search outbox, the failure
-- tables and the runs tables become native RANGE-partitioned tables on their
-- time column, by day or by month (ballast.partitioned_tables says which).
-- Old partitions can then be archived and dropped whole (issue 14, parts 2-4)
-- instead of deleted row by row.
--
-- - Every partitioned table has a DEFAULT partition, so no insert ever fails
--   for lack of a partition; the maintain_partitions task creates partitions
--   ahead of time (like pg_partman's premake) and moves any row that landed
--   in the DEFAULT partition into its proper partition.
-- - A partitioned table's unique keys must contain its partition column, so
--   the inbox's idempotency keys ((source, webhook_id), correlation_id) live
--   in ingest.webhook_keys, a plain table that is never purged.
-- - The parents and their partitions are owned by ballast_partition_keeper, a
--   role nobody logs in as: PostgreSQL lets only a table's owner create,
--   attach or detach its partitions, and the keeper acts only through its
--   SECURITY DEFINER functions below. Partitions carry no grants: every role
--   reads and writes through the parent, whose grants, statement triggers and
--   audit capture apply; direct access to a partition is refused.
-- - Existing tables are converted in place: rows, grants, triggers, indexes,
--   comments, identity sequences and the views and functions that depend on
--   them are kept.

-- 1. The role that owns partitioned tables. ----------------------------------

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'ballast_partition_keeper') then
    begin
      create role ballast_partition_keeper nologin;
    exception when duplicate_object or unique_violation then
      null; -- created by a concurrent migration of another database
    end;
  end if;
  -- A non-superuser migrator must still alter the tables it used to own.
  if not (select rolsuper from pg_roles where rolname = current_user) then
    begin
      execute format('grant ballast_partition_keeper to %I', current_user);
    exception when others then
      raise notice 'could not grant ballast_partition_keeper to %: %', current_user, sqlerrm;
    end;
  end if;
end $$;
comment on role ballast_partition_keeper is
  'owns the partitioned tables and their partitions; acts only through ballast.maintain_partitions(); never log in as it';
grant usage, create on schema ingest, ballast, audit, search to ballast_partition_keeper;

-- 2. The registry: which tables are partitioned, on what, by what. -----------

create table ballast.partitioned_tables (
  table_name       text primary key check (table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'),
  partition_column text not null,
  granularity      text not null check (granularity in ('day', 'month')),
  premake          int not null default 4 check (premake between 1 and 366)
);
comment on table ballast.partitioned_tables is
  'the time-partitioned tables: partition column, day or month partitions, and how many future partitions maintain_partitions keeps ahead';
comment on column ballast.partitioned_tables.table_name is
  'schema.table of the parent; partitions are <table>_pYYYYMMDD or <table>_pYYYYMM and <table>_default in the same schema, but read bounds from the catalog (ballast.partition_ranges), not from names';
comment on column ballast.partitioned_tables.premake is
  'partitions kept ahead of the current one (pg_partman''s premake); a setting, changed by the owner and audited';

insert into ballast.partitioned_tables (table_name, partition_column, granularity) values
  ('ingest.webhook_events',     'received_at',   'day'),
  ('ballast.job_attempts',      'started_at',    'day'),
  ('audit.ledger',              'occurred_at',   'day'),
  ('search.outbox',             'enqueued_at',   'day'),
  ('ballast.error_envelopes',   'created_at',    'month'),
  ('ballast.diagnostic_logs',   'window_start',  'month'),
  ('ballast.pipeline_failures', 'failed_at',     'month'),
  ('ballast.policy_violations', 'detected_at',   'month'),
  ('ballast.maintenance_runs',  'started_at',    'month'),
  ('search.sync_runs',          'at',            'month'),
  ('search.reconcile_runs',     'started_at',    'month');

select audit.enable('ballast.partitioned_tables', gated => true);
revoke all on ballast.partitioned_tables from ballast_worker, ballast_ingest, ballast_forensics;
grant select on ballast.partitioned_tables to ballast_worker, ballast_forensics;

-- 3. Reading partitions from the catalog. ------------------------------------

/**
 * The partitions of a partitioned table and their bounds, read from the
 * catalog (never from names). lower/upper are null for MINVALUE/MAXVALUE;
 * the DEFAULT partition has is_default and null bounds.
 */
create function ballast.partition_ranges(p_parent regclass)
  returns table (partition regclass, lower_bound timestamptz, upper_bound timestamptz, is_default boolean)
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select c.oid::regclass,
         case when m[1] ~ '^''' then trim(both '''' from m[1])::timestamptz end,
         case when m[2] ~ '^''' then trim(both '''' from m[2])::timestamptz end,
         b = 'DEFAULT'
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    cross join lateral pg_get_expr(c.relpartbound, c.oid) b
    left join lateral regexp_match(b, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') m on true
   where i.inhparent = p_parent
   order by 4, 2 nulls first $$;
comment on function ballast.partition_ranges(regclass) is
  'the partitions of a time-partitioned table with their [lower, upper) bounds from pg_get_expr(relpartbound); the DEFAULT partition last';
