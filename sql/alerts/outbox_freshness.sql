-- name: outbox_freshness
-- Seed 003 SLO: 95% of outbox entries processed within 30 s. Of the entries
-- enqueued in the window (and at least 30 s ago), the share indexed within
-- 30 s of their enqueue; one still pending after 30 s counts as late.
-- Superseded rows (a newer change to the same point) do not count.
-- $1: threshold (percent); $2: now; $3: window in seconds
with w as (
  select count(*) as total,
         count(*) filter (where o.status = 'done' and o.processed_at - o.enqueued_at <= interval '30 seconds') as fresh,
         (array_agg(o.id order by o.id) filter (where not (o.status = 'done' and o.processed_at - o.enqueued_at <= interval '30 seconds')))[1:20] as late_ids
    from search.outbox o
   where o.enqueued_at > $2::timestamptz - make_interval(secs => $3::int)
     and o.enqueued_at <= $2::timestamptz - interval '30 seconds'
     and o.status <> 'superseded'
)
select 'search.outbox' as key,
       jsonb_build_object('component', 'search_sync', 'table', 'search.outbox') as subject,
       format('%s%% of %s search outbox entries of the last %s s were indexed within 30 s (target %s%%)',
              round(100.0 * w.fresh / w.total, 1), w.total, $3::int, $1::numeric) as message,
       null::text as trace_id, null::text as correlation_id,
       jsonb_build_object('table', 'search.outbox', 'ids', to_jsonb(w.late_ids), 'query', 'search_outbox_health') as evidence
  from w
 where w.total > 0 and 100.0 * w.fresh / w.total < $1::numeric;
