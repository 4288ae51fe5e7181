-- Search outbox health against its SLOs: depth, oldest pending age, dead letters,
-- and freshness over the last hour (share indexed within 1 s and 30 s).
select
  (select count(*) from search.outbox where status = 'pending')                                   as pending,
  (select extract(epoch from now() - min(enqueued_at))::numeric(12, 1)
     from search.outbox where status = 'pending')                                                 as oldest_pending_s,
  (select count(*) from search.outbox where status = 'dead')                                      as dead_letters,
  (select count(*) from search.outbox where status = 'pending' and attempts > 0)                  as retrying,
  (select round(100.0 * count(*) filter (where processed_at - enqueued_at <= interval '1 second')
                / nullif(count(*), 0), 1)
     from search.outbox where status = 'done' and processed_at > now() - interval '1 hour')      as pct_within_1s,
  (select round(100.0 * count(*) filter (where processed_at - enqueued_at <= interval '30 seconds')
                / nullif(count(*), 0), 1)
     from search.outbox where status = 'done' and processed_at > now() - interval '1 hour')      as pct_within_30s;
