-- Issue 16: less PostgreSQL time per event in the stages' own SQL.
-- Functions only; no table changes. Measurements: docs/performance.md
-- ("The stages' per-event path").

-- 1. app.decision_done() finds its event's inbox row in one partition.
--
-- The inbox is partitioned by day on received_at (013), and the correlation
-- id is no partition key, so `where correlation_id = ...` probed the
-- correlation index of every partition (the current day, the premade ones,
-- the default and every retained day: one probe per partition, three times
-- per event). ingest.webhook_keys holds each delivery's correlation id
-- (unique) with its partition key, which is what 013 keeps it for: look the
-- row up there, then update it by (id, received_at), which reads one
-- partition. Same row, same update, same row lock: the three decisions of
-- one event still meet on the inbox row, so the last to commit sees the
-- others and completes the event, exactly once.
create or replace function app.decision_done() returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  finals text[] := array(select s.task from ballast.stages s where s.decision order by s.task);
  v_task text := ballast.setting('task');
  k record;
begin
  if v_task is null or not (v_task = any (finals)) then
    raise exception 'app.decision_done() is for the decision stages (%), not %', array_to_string(finals, ', '), coalesce(v_task, 'no task')
      using errcode = '42501';
  end if;
  select w.event_id, w.received_at into k from ingest.webhook_keys w where w.correlation_id = ballast.setting('correlation_id');
  if not found then
    return;
  end if;
  update ingest.webhook_events e
     set stages_done  = array(select distinct s from unnest(e.stages_done || v_task) s order by s),
         status       = case when (e.stages_done || v_task) @> finals then 'completed' else e.status end,
         processed_at = case when (e.stages_done || v_task) @> finals then now() else e.processed_at end
   where e.id = k.event_id and e.received_at = k.received_at
     and e.status in ('processing', 'completed');
end $$;
