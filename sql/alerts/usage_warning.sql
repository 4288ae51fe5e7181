-- name: usage_warning
-- Seed 001: an agent reached a soft usage limit (calls, call minutes or SMS)
-- in a period. One alert per agent and period: the key is agent:period, and
-- app.usage_limits.warned_at, once set, stays set for the period, so raising
-- the limit does not open a second one. It resolves $3 seconds (the window)
-- after its period ends.
-- $1: threshold (unused: the limits are per agent, in app.usage_limits);
-- $2: now; $3: window in seconds.
select u.agent_id || ':' || u.period_start as key,
       jsonb_build_object('agent', u.agent_id, 'org', a.org_id, 'period', u.period_start, 'table', 'app.usage_limits') as subject,
       format('agent %s reached a soft usage limit for the period from %s (%s): calls %s/%s, call minutes %s/%s, SMS %s/%s',
              u.agent_id, u.period_start, u.limit_state, u.calls, coalesce(u.soft_calls::text, '-'),
              u.call_minutes, coalesce(u.soft_call_minutes::text, '-'), u.sms, coalesce(u.soft_sms::text, '-')) as message,
       null::text as trace_id, null::text as correlation_id,
       jsonb_build_object('table', 'app.usage_limits', 'ids', jsonb_build_array(u.agent_id || ',' || u.period_start),
                          'query', 'ballast usage show ' || u.agent_id) as evidence
  from app.usage_limits u
  join app.agents a on a.agent_id = u.agent_id
 where u.warned_at is not null
   and u.period_end > ($2::timestamptz - make_interval(secs => $3::int)) at time zone 'UTC'
   and $1::numeric is not null;
