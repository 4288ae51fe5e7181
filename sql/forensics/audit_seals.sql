-- name: audit_seals
-- The latest seal runs: how far the chain reaches and its head hash (copy
-- the head somewhere outside the database to anchor it), and what is unsealed.
select s.id, s.sealed_at, s.sealed_by, s.first_seq, s.last_seq, s.row_count, s.head_hash,
       (select count(*) from audit.ledger l where not exists (select 1 from audit.chain c where c.ledger_id = l.id)) as unsealed_now
  from audit.seals s
 order by s.id desc
 limit 10;
