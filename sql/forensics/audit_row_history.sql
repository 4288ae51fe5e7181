-- name: audit_row_history
-- Who changed this row, when, why, and what it looked like before and after.
-- $1: entity type (schema.table, e.g. app.interactions), $2: entity id (the key; composite keys comma-joined)
select l.id, l.occurred_at, l.operation, l.actor, l.db_role, l.job, l.endpoint, l.request_id, l.trace_id,
       l.reason, audit.changed_columns(l.before_data, l.after_data) as changed, l.before_data, l.after_data,
       c.seq as sealed_at_position
  from audit.ledger l
  left join audit.chain c on c.ledger_id = l.id
 where l.entity_type = $1 and l.entity_id = $2
 order by l.id;
