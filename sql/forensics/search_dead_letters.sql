-- Outbox rows out of sync attempts ($1 = how many). Re-queue them with
--   update search.outbox set status = 'pending', attempts = 0, available_at = now() where status = 'dead';
-- or let the next reconciliation repair the points they were meant to write.
select id, entity, entity_id, point_id, op, version, reason, attempts, last_error, enqueued_at, trace_id
  from search.outbox
 where status = 'dead'
 order by id desc
 limit $1;
