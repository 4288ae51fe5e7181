-- An audited, partitioned table's partition key never changes.
--
-- PostgreSQL runs an UPDATE that changes a row's partition key as a delete
-- from one partition and an insert into another, and neither the row-level
-- UPDATE capture nor the statement-level INSERT and DELETE captures fire for
-- it: such an update would leave no ledger row. On the inbox it also lost the
-- delivery: the re-insert met the delivery's own key in ingest.webhook_keys
-- and was skipped as a duplicate (UPDATE 0). Nothing in ballast changes a
-- partition key (an inbox row's received_at, an error envelope's created_at, a
-- policy violation's detected_at); this refuses a hand-made one, as 022 does
-- for a dead letter's created_at. Every audited table registered for
-- partitioning gets the trigger; the ledger itself is append-only already.

create function audit.refuse_partition_move() returns trigger
  language plpgsql set search_path = pg_catalog, pg_temp as $$
begin
  raise exception '%: % is the partition key and never changes', audit.table_of(tg_relid), tg_argv[0]
    using errcode = '55000',
          hint = 'an update that moves a row between partitions would escape the audit ledger; insert a corrected row instead';
end $$;
comment on function audit.refuse_partition_move() is
  'trigger: refuses an update that changes an audited, partitioned table''s partition key (tg_argv[0])';
revoke execute on function audit.refuse_partition_move() from public;
-- Creating a partition clones the parent's row triggers, which takes EXECUTE
-- on their functions (as in 013).
grant execute on function audit.refuse_partition_move() to ballast_partition_keeper;

do $$
declare
  r record;
begin
  for r in select p.table_name::regclass as rel, p.partition_column as col
             from ballast.partitioned_tables p join audit.tracked_tables t on t.relid = p.table_name::regclass
            where p.table_name::regclass <> 'ballast.pipeline_failures'::regclass loop
    execute format('create trigger partition_key_fixed before update of %1$I on %2$s for each row
                    when (new.%1$I is distinct from old.%1$I) execute function audit.refuse_partition_move(%3$L)',
                   r.col, r.rel, r.col);
  end loop;
end $$;
