-- name: archive_runs
-- "What did retention do to each partition, and what failed?" The archive
-- lifecycle's steps (ballast.archive_runs), newest first, with the archive
-- each step concerns (ops/runbooks/retention.md).
select r.id, r.at, r.table_name, r.partition_name, r.range_from, r.range_to, r.step, r.outcome,
       r.rows, r.bytes, r.detail, r.error, r.archive_id, a.status as archive_status, a.key as archive_key, r.trace_id
  from ballast.archive_runs r
  left join ballast.archives a on a.id = r.archive_id
 order by r.id desc
 limit 200;
