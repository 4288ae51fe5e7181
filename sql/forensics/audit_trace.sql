-- name: audit_trace
-- Everything one trace touched, in order: every audited change its stages,
-- requests and operators made.
-- $1: trace_id
-- $2: since (trace_window.sql; null reads every partition)
select l.id, l.occurred_at, l.operation, l.entity_type, l.entity_id, l.actor, l.job, l.span_id,
       l.reason, audit.changed_columns(l.before_data, l.after_data) as changed
  from audit.ledger l
 where l.trace_id = $1 and l.occurred_at >= coalesce($2::timestamptz, '-infinity')
 order by l.id;
