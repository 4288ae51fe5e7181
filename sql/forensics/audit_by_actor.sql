-- name: audit_by_actor
-- What one actor (worker:<id>, cli:<user>, a database role) changed, newest first.
-- $1: actor, $2: since (timestamptz), $3: row limit
select l.id, l.occurred_at, l.operation, l.entity_type, l.entity_id, l.job, l.trace_id, l.reason
  from audit.ledger l
 where (l.actor = $1 or l.db_role = $1) and l.occurred_at >= $2
 order by l.id desc
 limit $3;
