-- Dead letters partitioned by month (issue 14, part 1).
--
-- 013 left ballast.pipeline_failures out: its only time column, failed_at,
-- moves on every failed replay, and a partition key that changes moves the
-- row between partitions. This migration gives each dead letter a time that
-- never changes, created_at, and partitions the table by month on it, in
-- place, as 013 did the others:
--
-- - created_at: when the dead letter was first written. Existing rows get the
--   earliest time known for them: the audit ledger's record of their insert
--   when it is still there, else failed_at. No update may change it
--   afterwards (trigger pipeline_failures_created_at_fixed): a failed replay
--   updates failed_at and leaves the row in its partition.
-- - The primary key becomes (id, created_at), as a partitioned table's unique
--   keys must hold the partition column; ids stay gen_random_uuid() uuids and
--   every reader finds a dead letter by id (nothing uses ON CONFLICT (id) and
--   no foreign key points at it; job_attempts.replay_of is a plain uuid).
-- - Rows, grants, triggers, indexes, comments, the audit registration and
--   the view ballast.unrecorded_failed_jobs are kept; the keeper
--   (ballast_partition_keeper) owns the parent and its partitions.
-- - A retention policy: archived 90 days after a month ends, like the error
--   envelopes a dead letter points at. ballast.retention_hold (014) holds a
--   month while one of its dead letters is open (resolved_at is null).

-- 1. The immutable creation time. ---------------------------------------------

-- Backfilled by an update like any other, so the audit ledger records the
-- migration's change to each row (before: null, after: the time set).
alter table ballast.pipeline_failures add column created_at timestamptz;
update ballast.pipeline_failures f
   set created_at = least(f.failed_at, (select min(l.occurred_at) from audit.ledger l
                                         where l.entity_id = f.id::text and l.entity_type = 'ballast.pipeline_failures'
                                           and l.operation = 'create'));
alter table ballast.pipeline_failures alter column created_at set default now(),
  alter column created_at set not null;
comment on column ballast.pipeline_failures.created_at is
  'when the dead letter was first written; never changes (failed_at moves on each failed replay); the partition key';

-- 2. The registry. ------------------------------------------------------------

insert into ballast.partitioned_tables (table_name, partition_column, granularity)
values ('ballast.pipeline_failures', 'created_at', 'month');

-- 3. Converting the table in place (013's converter, which lived only for 013:
--    the parts this table needs; it has no identity sequence). A fresh
--    install runs 013 and this file in one session: `or replace`. ----------

create or replace function pg_temp.grants(acl aclitem[], owner oid, kind text, target text, cols text default '')
  returns setof text language sql stable as $$
  select format('grant %s%s on %s %s to %s%s', a.privilege_type, cols, kind, target,
                case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end,
                case when a.is_grantable then ' with grant option' else '' end)
    from aclexplode(acl) a where a.grantee <> owner $$;

/**
 * Renames the table away, creates the partitioned table under its name with
 * the same columns, defaults and checks, copies the rows into a partition
 * per period (and a DEFAULT one, as every partitioned table has), then puts
 * back what hung on the old table, read from the catalog: indexes (unique
 * ones with the partition column added), triggers, grants, comments, the
 * audit registration, and the views and functions that depend on the table
 * or its row type. The copy fires no trigger: it is not a new write.
 */
create or replace function pg_temp.partition_in_place(p_table regclass) returns void
  language plpgsql as $$
declare
  reg ballast.partitioned_tables;
  old_oid oid := p_table;
  sch text;
  tbl text;
  qualified text;
  owner oid;
  later text[] := '{}';
  dependents text[] := '{}';
  r record;
  at timestamptz;
  cols text;
  s text;
begin
  select n.nspname, c.relname, c.relowner into sch, tbl, owner
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = p_table;
  qualified := format('%I.%I', sch, tbl);
  select * into strict reg from ballast.partitioned_tables where ballast.partitioned_tables.table_name = sch || '.' || tbl;
  if exists (select 1 from pg_class where oid = p_table and (relrowsecurity or relkind <> 'r')) then
    raise exception 'partition_in_place: % has row level security or is not a plain table', p_table;
  end if;
  if exists (select 1 from pg_attribute where attrelid = p_table and attidentity <> '') then
    raise exception 'partition_in_place: % has an identity column, which this converter does not carry over', p_table;
  end if;
  if exists (select 1 from pg_constraint where confrelid = p_table) then
    raise exception 'partition_in_place: a foreign key references %', p_table;
  end if;

  -- Views on the table, and functions taking or returning its row type: dropped now, recreated at the end.
  for r in select distinct v.oid, v.relowner, v.relacl, v.reloptions
             from pg_depend d join pg_rewrite w on w.oid = d.objid join pg_class v on v.oid = w.ev_class
            where d.classid = 'pg_rewrite'::regclass and d.refobjid = p_table and v.oid <> p_table loop
    dependents := dependents || format('create view %s%s as %s', r.oid::regclass,
      coalesce(' with (' || array_to_string(r.reloptions, ', ') || ')', ''), pg_get_viewdef(r.oid));
    dependents := dependents || format('alter view %s owner to %I', r.oid::regclass, pg_get_userbyid(r.relowner));
    dependents := dependents || array(select pg_temp.grants(r.relacl, r.relowner, 'table', r.oid::regclass::text));
    dependents := dependents || coalesce(format('comment on view %s is %L', r.oid::regclass, obj_description(r.oid, 'pg_class')), 'select');
    later := array[format('drop view %s', r.oid::regclass)] || later;
  end loop;
  for r in select distinct p.oid, p.proowner, p.proacl from pg_depend d join pg_proc p on p.oid = d.objid
            where d.classid = 'pg_proc'::regclass and d.refobjid = (select reltype from pg_class where oid = p_table) loop
    dependents := dependents || pg_get_functiondef(r.oid);
    dependents := dependents || format('alter function %s owner to %I', r.oid::regprocedure, pg_get_userbyid(r.proowner));
    dependents := dependents || format('revoke all on function %s from public', r.oid::regprocedure);
    dependents := dependents || array(select pg_temp.grants(coalesce(r.proacl, acldefault('f', r.proowner)), r.proowner, 'function', r.oid::regprocedure::text));
    dependents := dependents || coalesce(format('comment on function %s is %L', r.oid::regprocedure, obj_description(r.oid, 'pg_proc')), 'select');
    later := array[format('drop function %s', r.oid::regprocedure)] || later;
  end loop;
  foreach s in array later loop
    execute s;
  end loop;
  later := '{}';

  -- What is put back on the new table once it has the name.
  for r in select i.indexrelid, i.indisunique, i.indisprimary, con.conname, con.contype,
                  array(select quote_ident(a.attname) from unnest(i.indkey) with ordinality k(attnum, ord)
                          join pg_attribute a on a.attrelid = p_table and a.attnum = k.attnum order by k.ord) as keycols
             from pg_index i left join pg_constraint con on con.conindid = i.indexrelid and con.conrelid = p_table
            where i.indrelid = p_table loop
    if r.contype in ('p', 'u') then
      cols := array_to_string(r.keycols, ', ');
      if not quote_ident(reg.partition_column) = any (r.keycols) then
        cols := cols || ', ' || quote_ident(reg.partition_column);
      end if;
      later := later || format('alter table %s add constraint %I %s (%s)', qualified, r.conname,
                               case r.contype when 'p' then 'primary key' else 'unique' end, cols);
    elsif r.indisunique then
      raise exception 'partition_in_place: unique index % on % needs the partition column', r.indexrelid::regclass, p_table;
    else
      later := later || pg_get_indexdef(r.indexrelid);
    end if;
    later := later || coalesce(format('comment on index %s is %L',
                 format('%I.%I', sch, (select relname from pg_class where oid = r.indexrelid)),
                 obj_description(r.indexrelid, 'pg_class')), 'select');
  end loop;
  later := later || array(select pg_get_triggerdef(t.oid) from pg_trigger t where t.tgrelid = p_table and not t.tgisinternal order by t.tgname);
  later := later || array(select pg_temp.grants(c.relacl, owner, 'table', qualified) from pg_class c where c.oid = p_table);
  later := later || array(select pg_temp.grants(a.attacl, owner, 'table', qualified, format(' (%I)', a.attname))
                            from pg_attribute a where a.attrelid = p_table and a.attacl is not null);
  later := later || coalesce(format('comment on table %s is %L', qualified, obj_description(p_table, 'pg_class')), 'select');

  -- The swap.
  execute format('alter table %s rename to %I', qualified, tbl || '_unpartitioned');
  execute format('create table %s (like %I.%I including defaults including constraints including comments including storage
                    including compression including generated) partition by range (%I)',
                 qualified, sch, tbl || '_unpartitioned', reg.partition_column);
  execute format('create table %I.%I partition of %s default', sch, tbl || '_default', qualified);
  for at in execute format('select distinct date_trunc(%L, %I at time zone ''UTC'') at time zone ''UTC'' from %I.%I',
                           reg.granularity, reg.partition_column, sch, tbl || '_unpartitioned') loop
    perform ballast.create_partition(qualified::regclass, at);
  end loop;
  execute format('insert into %s select * from %I.%I', qualified, sch, tbl || '_unpartitioned');
  execute format('drop table %I.%I', sch, tbl || '_unpartitioned');
  -- The schema's default privileges granted the new table more than the old one had.
  for r in select distinct pg_get_userbyid(a.grantee) as grantee
             from pg_class c cross join aclexplode(c.relacl) a
            where c.oid = qualified::regclass and a.grantee not in (0, c.relowner) loop
    execute format('revoke all on table %s from %I', qualified, r.grantee);
  end loop;
  foreach s in array later loop
    execute s;
  end loop;
  foreach s in array dependents loop
    execute s;
  end loop;
  update audit.tracked_tables set relid = qualified::regclass where relid = old_oid;
  -- Ownership last: the keeper owns the parent and every partition.
  execute format('alter table %s owner to ballast_partition_keeper', qualified);
  -- The partitions made above got the schema's default privileges: give them
  -- what create_partition gives, the parent's SELECT grants and nothing else.
  for r in select p.partition from ballast.partition_ranges(qualified::regclass) p loop
    execute format('alter table %s owner to ballast_partition_keeper', r.partition);
    for s in select distinct pg_get_userbyid(a.grantee) from pg_class c cross join aclexplode(c.relacl) a
              where c.oid = r.partition and a.grantee not in (0, c.relowner) loop
      execute format('revoke all on %s from %I', r.partition, s);
    end loop;
    for s in select pg_get_userbyid(a.grantee) from pg_class c cross join aclexplode(c.relacl) a
              where c.oid = qualified::regclass and a.privilege_type = 'SELECT' and a.grantee not in (0, c.relowner) loop
      execute format('grant select on %s to %I', r.partition, s);
    end loop;
  end loop;
end $$;

-- 4. The conversion. --------------------------------------------------------------

-- Putting grants back is no change of privileges: the grant audit sits this out (as in 013).
alter event trigger audit_grants disable;
select pg_temp.partition_in_place('ballast.pipeline_failures');
alter event trigger audit_grants enable;
drop function pg_temp.partition_in_place(regclass);
drop function pg_temp.grants(aclitem[], oid, text, text, text);

comment on table ballast.pipeline_failures is
  'dead letters: permanent failures and exhausted retries; payload_snapshot is redacted; partitioned by month on created_at, which never changes';

-- 5. created_at never changes. ----------------------------------------------------

-- A changed partition key would move the row to another partition (a delete
-- and an insert) and make its month's archive disagree with it. Every update
-- path (record_failure, replay_dead_letter, attempt_succeeded, `dlq resolve`)
-- leaves it alone; this refuses anything else that tries.
create function ballast.dead_letter_created_at_fixed() returns trigger
  language plpgsql set search_path = pg_catalog, pg_temp as $$
begin
  raise exception 'dead letter %: created_at never changes (when it was first written, its partition key)', old.id
    using errcode = '55000', hint = 'failed_at is the time of its last failure';
end $$;
comment on function ballast.dead_letter_created_at_fixed() is
  'trigger: refuses an update that changes created_at (the partition key) of a dead letter';
create trigger pipeline_failures_created_at_fixed before update of created_at on ballast.pipeline_failures
  for each row when (new.created_at is distinct from old.created_at)
  execute function ballast.dead_letter_created_at_fixed();

-- Creating a partition clones the parent's row triggers, which takes EXECUTE
-- on their functions (as in 013).
do $$
declare
  f regprocedure;
begin
  for f in select distinct t.tgfoid::regprocedure from pg_trigger t
            where t.tgrelid = 'ballast.pipeline_failures'::regclass and not t.tgisinternal loop
    execute format('grant execute on function %s to ballast_partition_keeper', f);
  end loop;
end $$;

-- 6. Retention. --------------------------------------------------------------------

-- As long as the error envelopes a dead letter points at (`ballast dlq show`
-- reads them); a month with an open dead letter is held whatever its age.
insert into ballast.retention_policies (table_name, hot_window, warm_window, archive_after, purge_after, verify)
values ('ballast.pipeline_failures', '31 days', '59 days', '90 days', '90 days', 'file');

-- Partitions ahead from the start; the maintain_partitions task keeps them so.
select count(*) from ballast.maintain_partitions(now());
