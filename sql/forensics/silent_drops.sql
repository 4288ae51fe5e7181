-- name: silent_drops
-- Inbox events older than $1 seconds that reached no terminal state: not
-- completed, not quarantined, and no dead letter names them. Must be empty.
-- $1: window in seconds (events younger than this may still be in flight)
select e.id, e.source, e.webhook_id, e.correlation_id, e.status, e.status_reason, e.received_at, e.trace_id
  from ingest.webhook_events e
 where e.received_at < now() - make_interval(secs => $1)
   and e.status not in ('completed', 'quarantined')
   and not exists (select 1 from ballast.pipeline_failures f
                    where f.context->>'correlation_id' = e.correlation_id)
 order by e.received_at;
