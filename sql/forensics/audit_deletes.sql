-- name: audit_deletes
-- All deletes and truncates since a moment, with who did them and why.
-- $1: since (timestamptz), $2: row limit
select l.id, l.occurred_at, l.operation, l.entity_type, l.entity_id, l.actor, l.db_role, l.job,
       l.request_id, l.trace_id, l.reason
  from audit.ledger l
 where l.operation in ('delete', 'truncate') and l.occurred_at >= $1
 order by l.occurred_at desc, l.id desc
 limit $2;
