-- name: usage_blocked
-- Seed 001: an agent reached a hard usage limit in a period. Its new events of
-- that period are kept and quarantined with the reason usage_blocked
-- (normalize_event); `ballast usage set-limit` raises the limit, and the
-- alert resolves at the next evaluation (or $3 seconds after the period ends).
-- $1: threshold (unused: the limits are per agent, in app.usage_limits);
-- $2: now; $3: window in seconds.
select u.agent_id || ':' || u.period_start as key,
       jsonb_build_object('agent', u.agent_id, 'org', a.org_id, 'period', u.period_start, 'table', 'app.usage_limits') as subject,
       format('agent %s is blocked for the period from %s since %s: calls %s/%s, call minutes %s/%s, SMS %s/%s; %s event(s) quarantined as usage_blocked',
              u.agent_id, u.period_start, u.blocked_at, u.calls, coalesce(u.hard_calls::text, '-'),
              u.call_minutes, coalesce(u.hard_call_minutes::text, '-'), u.sms, coalesce(u.hard_sms::text, '-'), q.n) as message,
       null::text as trace_id, q.correlation_id,
       jsonb_build_object('table', 'ingest.webhook_events', 'ids', to_jsonb(q.ids),
                          'query', 'ballast usage show ' || u.agent_id) as evidence
  from app.usage_limits u
  join app.agents a on a.agent_id = u.agent_id
  cross join lateral (
    select count(*) as n, (array_agg(e.id order by e.id desc))[1:20] as ids,
           (array_agg(e.correlation_id order by e.id desc))[1] as correlation_id
      from ingest.webhook_events e
     where e.status = 'quarantined' and e.status_reason = 'usage_blocked: ' || u.agent_id || ' ' || u.period_start
  ) q
 where u.limit_state = 'blocked'
   and u.period_end > ($2::timestamptz - make_interval(secs => $3::int)) at time zone 'UTC'
   and $1::numeric is not null;
