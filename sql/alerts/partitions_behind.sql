-- name: partitions_behind
-- Partitions made ahead (docs/retention.md#partitions): per time-partitioned
-- table, how many periods after the current one have a partition.
-- maintain_partitions keeps `premake` of them (default 4); fewer than
-- <threshold> means it has not run for a while, and rows will soon land in the
-- DEFAULT partition (stored, but read by every query and archived by none
-- until the task runs again). Reads the catalog only.
-- $1: threshold (periods ahead); $2: now
select t.table_name as key,
       jsonb_build_object('component', 'maintain_partitions', 'table', t.table_name) as subject,
       format('%s has %s partition(s) ahead of the current %s (premake %s): is maintain_partitions running?',
              t.table_name, a.ahead, t.granularity, t.premake) as message,
       null::text as trace_id, null::text as correlation_id,
       jsonb_build_object('table', t.table_name, 'ahead', a.ahead, 'premake', t.premake) as evidence
  from ballast.partitioned_tables t
 cross join lateral (
   select count(*)::int as ahead from ballast.partition_ranges(t.table_name::regclass) r
    where not r.is_default and r.lower_bound >= (ballast.partition_period(t.granularity, $2::timestamptz)).upper_bound) a
 where a.ahead < $1::numeric;
