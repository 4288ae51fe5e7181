-- audit.enable() gives a partitioned table the partition_key_fixed trigger
-- itself, so a table of yours that you partition and audit is covered as
-- ballast's own are (026): an UPDATE that changes a partition key is run by
-- PostgreSQL as a delete plus an insert that no capture trigger sees, so it is
-- refused rather than left out of the ledger.
--
-- audit.fix_partition_key(target) (re)creates the trigger on a partitioned
-- table for the columns of its partition key and of every sub-partitioned
-- partition's (a row moving between two leaves of one partition escapes the
-- ledger the same way). A table partitioned by an expression cannot have a
-- primary key, so audit.enable() never reaches one; it is refused here too.
-- audit.enable() is restated whole (a forward migration can only replace a
-- function), with one line added: the call to fix_partition_key.

create function audit.fix_partition_key(target regclass) returns void
  language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
  cols text[];
begin
  if exists (select from pg_partition_tree(target) t join pg_partitioned_table p on p.partrelid = t.relid
              where 0 = any (p.partattrs::int2[])) then
    raise exception 'audit: % is partitioned by an expression, so a row''s partition key cannot be guarded', target;
  end if;
  select array_agg(attname order by first_level, first_ord) into cols
    from (select a.attname::text as attname, min(t.level) as first_level, min(k.ord) as first_ord
            from pg_partition_tree(target) t
            join pg_partitioned_table p on p.partrelid = t.relid
            cross join lateral unnest(p.partattrs::int2[]) with ordinality as k(attnum, ord)
            join pg_attribute a on a.attrelid = p.partrelid and a.attnum = k.attnum
           group by a.attname) keycols;
  execute format('drop trigger if exists partition_key_fixed on %s', target);
  if cols is null then
    return; -- not partitioned
  end if;
  execute format('create trigger partition_key_fixed before update of %1$s on %2$s for each row
                  when ((%3$s) is distinct from (%4$s)) execute function audit.refuse_partition_move(%5$L)',
                 (select string_agg(quote_ident(c), ', ') from unnest(cols) c), target,
                 (select string_agg('new.' || quote_ident(c), ', ') from unnest(cols) c),
                 (select string_agg('old.' || quote_ident(c), ', ') from unnest(cols) c),
                 array_to_string(cols, ', '));
end $$;
comment on function audit.fix_partition_key(regclass) is
  'gives an audited, partitioned table the partition_key_fixed trigger (refuses an UPDATE of a partition key at any level); called by audit.enable';
revoke execute on function audit.fix_partition_key(regclass) from public;

create or replace function audit.enable(target regclass, gated boolean default false, redact text[] default '{}')
  returns void language plpgsql as $$
declare
  keys text[];
  args text;
  form text;
begin
  select array_agg(a.attname::text order by k.ord) into keys
    from pg_index i
    cross join lateral unnest(i.indkey) with ordinality as k(attnum, ord)
    join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum
   where i.indrelid = target and i.indisprimary;
  if keys is null then
    raise exception 'audit.enable: % has no primary key to name its rows', target;
  end if;
  redact := coalesce(redact, '{}');
  args := format('%L, %L, %L', keys::text, redact::text, case when cardinality(keys) = 1 then keys[1] else '' end);
  form := case when cardinality(keys) = 1 and cardinality(redact) = 0 then '_simple' else '' end;
  execute format('drop trigger if exists audit_insert on %s', target);
  execute format('drop trigger if exists audit_update on %s', target);
  execute format('drop trigger if exists audit_delete on %s', target);
  execute format('drop trigger if exists audit_truncate on %s', target);
  execute format('drop trigger if exists audit_gate_delete on %s', target);
  execute format('drop trigger if exists audit_gate_truncate on %s', target);
  execute format('create trigger audit_insert after insert on %s referencing new table as audit_new
                    for each statement execute function audit.capture_insert%s(%s)', target, form, args);
  execute format('create trigger audit_update after update on %s
                    for each row execute function audit.capture_update%s(%s%s)',
                 target, form, args, case when audit.can_complete(target) then ', ''completes''' else '' end);
  execute format('create trigger audit_delete after delete on %s referencing old table as audit_old
                    for each statement execute function audit.capture_delete%s(%s)', target, form, args);
  execute format('create trigger audit_truncate after truncate on %s
                    for each statement execute function audit.capture_truncate()', target);
  if gated then
    execute format('create trigger audit_gate_delete before delete on %s
                      for each row execute function audit.require_reason()', target);
    execute format('create trigger audit_gate_truncate before truncate on %s
                      for each statement execute function audit.require_reason()', target);
  end if;
  perform audit.fix_partition_key(target);
  insert into audit.tracked_tables (relid, gated, key_columns, redact_columns)
  values (target, gated, keys, redact)
  on conflict (relid) do update set gated = excluded.gated, key_columns = excluded.key_columns,
    redact_columns = excluded.redact_columns, enabled_at = now(), enabled_by = excluded.enabled_by;
end $$;

-- Tables audited before this migration: every partitioned one gets the
-- trigger (026's are made again, the same), but the dead letters, whose
-- created_at has its own trigger since 022.
select audit.fix_partition_key(t.relid)
  from audit.tracked_tables t join pg_class c on c.oid = t.relid
 where c.relkind = 'p' and t.relid <> 'ballast.pipeline_failures'::regclass;
