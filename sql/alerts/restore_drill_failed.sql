-- name: restore_drill_failed
-- Seed 003 phase 3: a restore drill passes with zero mismatches within an
-- RTO of 60 minutes. Fires when the last drill of the window (ballast.restore_drills,
-- written by `ballast drill restore`) had at least $1 mismatches or took longer
-- than 3600 s. No drill in the window fires nothing: the weekly timer's own
-- failure shows in systemd (ops/runbooks/restore.md).
-- $1: threshold (mismatches); $2: now; $3: window in seconds
with last as (
  select d.* from ballast.restore_drills d
   where d.started_at > $2::timestamptz - make_interval(secs => $3::int)
   order by d.id desc limit 1
)
select 'drill' as key,
       jsonb_build_object('component', 'restore_drill', 'table', 'ballast.restore_drills') as subject,
       format('restore drill %s of %s %s: %s mismatch(es), RTO %s s; failed checks: %s',
              l.id, l.backup, l.status, l.mismatches, round(l.rto_seconds),
              coalesce((select string_agg(c->>'name', ', ') from jsonb_array_elements(l.report->'checks') c
                         where c->>'status' = 'fail'), 'none')) as message,
       null::text as trace_id, null::text as correlation_id,
       jsonb_build_object('table', 'ballast.restore_drills', 'ids', jsonb_build_array(l.id), 'query', 'restore_drill_failed') as evidence
  from last l
 where l.mismatches >= $1::numeric or l.rto_seconds > 3600;
