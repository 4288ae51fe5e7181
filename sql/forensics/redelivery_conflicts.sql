-- name: redelivery_conflicts
-- Re-deliveries whose body differed from the first delivery of their id (the
-- first delivery won; these bodies were answered "duplicate" and kept), seen
-- in the last $1 seconds, newest first. One row per distinct body, with how
-- often it came. The body itself is in raw_body (text) or raw_bytes; this
-- query shows its size and hash, not its content:
--   select raw_body, raw_bytes from ingest.redelivery_conflicts where id = <conflict_id>;
-- $1: window in seconds
select c.id as conflict_id, c.source, c.webhook_id, c.event_id, k.received_at as first_received_at,
       coalesce(e.status, case when k.rejected then 'rejected' else 'purged' end) as first_status,
       c.body_bytes, c.body_sha256, c.deliveries, c.received_at, c.last_seen_at, c.trace_id
  from ingest.redelivery_conflicts c
  join ingest.webhook_keys k on k.event_id = c.event_id
  left join ingest.webhook_events e on e.id = k.event_id and e.received_at = k.received_at
 where c.last_seen_at >= now() - make_interval(secs => $1)
 order by c.last_seen_at desc, c.id desc;
