-- name: dead_letters_present
-- Seed 003: steady-state dead letters = 0. Unresolved pipeline dead letters
-- per failing function, and dead search outbox rows (component search_sync).
-- $1: threshold (unresolved dead letters). No clock and no window: a dead
-- letter counts however old it is, until it is resolved or replayed.
select key, subject, message, null::text as trace_id, correlation_id, evidence from (
  select f.failing_function as key,
         jsonb_build_object('component', f.failing_function, 'table', 'ballast.pipeline_failures') as subject,
         format('%s unresolved dead letter(s) of %s, oldest failed at %s', count(*), f.failing_function, min(f.failed_at)) as message,
         (array_agg(f.context->>'correlation_id' order by f.failed_at desc))[1] as correlation_id,
         jsonb_build_object('table', 'ballast.pipeline_failures', 'ids', to_jsonb((array_agg(f.id order by f.failed_at desc))[1:20]),
                            'query', 'dead_letters') as evidence,
         count(*) as n
    from ballast.pipeline_failures f
   where f.resolved_at is null
   group by f.failing_function
  union all
  select 'search_sync', jsonb_build_object('component', 'search_sync', 'table', 'search.outbox'),
         format('%s dead search outbox row(s), oldest enqueued at %s', count(*), min(o.enqueued_at)),
         null,
         jsonb_build_object('table', 'search.outbox', 'ids', to_jsonb((array_agg(o.id order by o.id desc))[1:20]),
                            'query', 'search_dead_letters'),
         count(*)
    from search.outbox o
   where o.status = 'dead'
  having count(*) > 0
) d
where d.n >= $1::numeric;
