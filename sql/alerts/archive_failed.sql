-- name: archive_failed
-- Seed 003 phase 2: no purge executes unless archive verification passes, and
-- a failure raises an alert. Fires for each partition whose last export,
-- verify or purge step failed (ballast.archive_runs), until one passes; the
-- partition stays in place meanwhile (ops/runbooks/retention.md).
-- No clock, threshold or window: a failed archive counts however old it is.
select l.partition_name as key,
       jsonb_build_object('component', 'archive_partitions', 'table', l.table_name, 'partition', l.partition_name) as subject,
       format('%s of %s (%s to %s) failed: %s', l.step, l.partition_name, l.range_from, l.range_to, l.error) as message,
       l.trace_id, null::text as correlation_id,
       jsonb_build_object('table', 'ballast.archive_runs', 'ids', jsonb_build_array(l.id), 'query', 'archive_runs') as evidence
  from (select distinct on (r.partition_name) r.*
          from ballast.archive_runs r
         where r.step in ('export', 'verify', 'purge') and r.outcome in ('succeeded', 'failed')
         order by r.partition_name, r.id desc) l
 where l.outcome = 'failed';
