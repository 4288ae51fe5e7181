-- name: audit_deletes
-- All deletes and truncates since a moment, with who did them and why.
-- $1: since (timestamptz), $2: row limit
-- (Deletes and truncates are the only rows with no after image; saying so
-- lets the planner use ledger_deletes_idx.)
select l.id, l.occurred_at, l.operation, l.entity_type, l.entity_id, l.actor, l.db_role, l.job,
       l.request_id, l.trace_id, l.reason
  from audit.ledger l
 where l.after_data is null and l.operation in ('delete', 'truncate') and l.occurred_at >= $1
 order by l.occurred_at desc, l.id desc
 limit $2;
