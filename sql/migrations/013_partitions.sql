-- Time-partitioned high-volume tables (issue 14, part 1).
--
-- The inbox, the job ledger, the audit ledger, the search outbox, the failure
-- tables and the runs tables become native RANGE-partitioned tables on their
-- time column, by day or by month (ballast.partitioned_tables says which).
-- Old partitions can then be archived and dropped whole (issue 14, parts 2-4)
-- instead of deleted row by row.
--
-- - Every partitioned table has a DEFAULT partition, so no insert ever fails
--   for lack of a partition; the maintain_partitions task creates partitions
--   ahead of time (like pg_partman's premake) and moves any row that landed
--   in the DEFAULT partition into its proper partition.
-- - A partitioned table's unique keys must contain its partition column, so
--   the inbox's idempotency keys ((source, webhook_id), correlation_id) live
--   in ingest.webhook_keys, a plain table that is never purged.
-- - The parents and their partitions are owned by ballast_partition_keeper, a
--   role nobody logs in as: PostgreSQL lets only a table's owner create,
--   attach or detach its partitions, and the keeper acts only through its
--   SECURITY DEFINER functions below. A partition carries only its parent's
--   SELECT grants: every role writes through the parent, whose grants,
--   statement triggers and audit capture apply.
-- - Existing tables are converted in place: rows, grants, triggers, indexes,
--   comments, identity sequences and the views and functions that depend on
--   them are kept.

-- 1. The role that owns partitioned tables. ----------------------------------

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'ballast_partition_keeper') then
    begin
      create role ballast_partition_keeper nologin;
    exception when duplicate_object or unique_violation then
      null; -- created by a concurrent migration of another database
    end;
  end if;
  -- A non-superuser migrator must still alter the tables it used to own.
  if not (select rolsuper from pg_roles where rolname = current_user) then
    begin
      execute format('grant ballast_partition_keeper to %I', current_user);
    exception when others then
      raise notice 'could not grant ballast_partition_keeper to %: %', current_user, sqlerrm;
    end;
  end if;
end $$;
comment on role ballast_partition_keeper is
  'owns the partitioned tables and their partitions; acts only through ballast.maintain_partitions(); never log in as it';
grant usage, create on schema ingest, ballast, audit, search to ballast_partition_keeper;

-- 2. The registry: which tables are partitioned, on what, by what. -----------

create table ballast.partitioned_tables (
  table_name       text primary key check (table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'),
  partition_column text not null,
  granularity      text not null check (granularity in ('day', 'month')),
  premake          int not null default 4 check (premake between 1 and 366)
);
comment on table ballast.partitioned_tables is
  'the time-partitioned tables: partition column, day or month partitions, and how many future partitions maintain_partitions keeps ahead';
comment on column ballast.partitioned_tables.table_name is
  'schema.table of the parent; partitions are <table>_pYYYYMMDD or <table>_pYYYYMM and <table>_default in the same schema, but read bounds from the catalog (ballast.partition_ranges), not from names';
comment on column ballast.partitioned_tables.premake is
  'partitions kept ahead of the current one (pg_partman''s premake); a setting, changed by the owner and audited';

insert into ballast.partitioned_tables (table_name, partition_column, granularity) values
  ('ingest.webhook_events',     'received_at',   'day'),
  ('ballast.job_attempts',      'started_at',    'day'),
  ('audit.ledger',              'occurred_at',   'day'),
  ('search.outbox',             'enqueued_at',   'day'),
  ('ballast.error_envelopes',   'created_at',    'month'),
  ('ballast.diagnostic_logs',   'window_start',  'month'),
  ('ballast.policy_violations', 'detected_at',   'month'),
  ('ballast.maintenance_runs',  'started_at',    'month'),
  ('search.sync_runs',          'at',            'month'),
  ('search.reconcile_runs',     'started_at',    'month');

-- Not partitioned: ballast.pipeline_failures (dead letters). It is small, a
-- row lives until it is resolved whatever its age, and its only time column,
-- failed_at, moves on every failed replay (a partition key that changes moves
-- the row between partitions, as a delete and an insert).

select audit.enable('ballast.partitioned_tables', gated => true);
revoke all on ballast.partitioned_tables from ballast_worker, ballast_ingest, ballast_forensics;
grant select on ballast.partitioned_tables to ballast_worker, ballast_forensics;

-- 3. Reading partitions from the catalog. ------------------------------------

/**
 * The partitions of a partitioned table and their bounds, read from the
 * catalog (never from names). lower/upper are null for MINVALUE/MAXVALUE;
 * the DEFAULT partition has is_default and null bounds.
 */
create function ballast.partition_ranges(p_parent regclass)
  returns table (partition regclass, lower_bound timestamptz, upper_bound timestamptz, is_default boolean)
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select c.oid::regclass,
         case when m[1] ~ '^''' then trim(both '''' from m[1])::timestamptz end,
         case when m[2] ~ '^''' then trim(both '''' from m[2])::timestamptz end,
         b = 'DEFAULT'
    from pg_inherits i
    join pg_class c on c.oid = i.inhrelid
    cross join lateral pg_get_expr(c.relpartbound, c.oid) b
    left join lateral regexp_match(b, '^FOR VALUES FROM \((.*)\) TO \((.*)\)$') m on true
   where i.inhparent = p_parent
   order by 4, 2 nulls first $$;
comment on function ballast.partition_ranges(regclass) is
  'the partitions of a time-partitioned table with their [lower, upper) bounds from pg_get_expr(relpartbound); the DEFAULT partition last';

/** The [lower, upper) period of a partition holding `p_at`: a UTC day or a UTC month. */
create function ballast.partition_period(p_granularity text, p_at timestamptz, out lower_bound timestamptz, out upper_bound timestamptz)
  language sql immutable set search_path = pg_catalog, pg_temp as $$
  select date_trunc(p_granularity, p_at at time zone 'UTC') at time zone 'UTC',
         (date_trunc(p_granularity, p_at at time zone 'UTC')
          + case p_granularity when 'day' then interval '1 day' else interval '1 month' end) at time zone 'UTC' $$;

/**
 * Creates the partition of `p_parent` for the period holding `p_at`, unless a
 * partition already covers any of it; rows of that period waiting in the
 * DEFAULT partition are moved into it (pg_partman's partition_data_time).
 * Moving is not a new write: the triggers of both partitions are off while
 * rows move (within this transaction, which holds their locks), so no audit
 * row, job or idempotency check fires twice. Returns the rows moved, or null
 * when no partition was created. Internal: called by maintain_partitions and
 * by this migration.
 */
create function ballast.create_partition(p_parent regclass, p_at timestamptz)
  returns bigint language plpgsql set search_path = pg_catalog, pg_temp as $$
declare
  reg ballast.partitioned_tables;
  per record;
  schema_name text;
  parent_name text;
  part_name text;
  dflt regclass;
  has_rows boolean := false;
  moved bigint := 0;
  grantee text;
begin
  select n.nspname, c.relname into schema_name, parent_name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = p_parent;
  select * into strict reg from ballast.partitioned_tables
   where table_name = schema_name || '.' || parent_name;
  per := ballast.partition_period(reg.granularity, p_at);
  if exists (select 1 from ballast.partition_ranges(p_parent) r
              where not r.is_default
                and coalesce(r.lower_bound < per.upper_bound, true) and coalesce(r.upper_bound > per.lower_bound, true)) then
    return null;
  end if;
  part_name := parent_name || '_p'
    || to_char(per.lower_bound at time zone 'UTC', case reg.granularity when 'day' then 'YYYYMMDD' else 'YYYYMM' end);
  select r.partition into dflt from ballast.partition_ranges(p_parent) r where r.is_default;
  if dflt is not null then
    execute format('select exists (select 1 from %s where %I >= %L and %I < %L)',
                   dflt, reg.partition_column, per.lower_bound, reg.partition_column, per.upper_bound) into has_rows;
  end if;
  if has_rows then
    execute format('create temp table ballast_moving (like %s) on commit drop', p_parent);
    execute format('alter table %s disable trigger user', dflt);
    execute format('with d as (delete from %s where %I >= %L and %I < %L returning *) insert into pg_temp.ballast_moving select * from d',
                   dflt, reg.partition_column, per.lower_bound, reg.partition_column, per.upper_bound);
    execute format('alter table %s enable trigger user', dflt);
  end if;
  execute format('create table %I.%I partition of %s for values from (%L) to (%L)',
                 schema_name, part_name, p_parent, per.lower_bound, per.upper_bound);
  execute format('alter table %I.%I owner to %I', schema_name, part_name,
                 (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = p_parent));
  -- Reads may go to a partition directly (archive exports, forensics); writes
  -- go through the parent, where the statement-level audit triggers fire.
  for grantee in select pg_get_userbyid(a.grantee) from pg_class c cross join aclexplode(c.relacl) a
                  where c.oid = p_parent and a.privilege_type = 'SELECT' and a.grantee not in (0, c.relowner) loop
    execute format('grant select on %I.%I to %I', schema_name, part_name, grantee);
  end loop;
  if has_rows then
    execute format('alter table %I.%I disable trigger user', schema_name, part_name);
    execute format('insert into %I.%I overriding system value select * from pg_temp.ballast_moving', schema_name, part_name);
    get diagnostics moved = row_count;
    execute format('alter table %I.%I enable trigger user', schema_name, part_name);
    drop table pg_temp.ballast_moving;
  end if;
  return moved;
end $$;
comment on function ballast.create_partition(regclass, timestamptz) is
  'internal: creates the partition of the period holding p_at (if none covers it) and moves that period''s rows out of the DEFAULT partition';
revoke execute on function ballast.create_partition(regclass, timestamptz) from public;

/**
 * The partition-ahead step, for every registered table: creates the
 * partitions of the period holding p_now and of the next `premake` periods,
 * and gives every row waiting in a DEFAULT partition a partition of its own.
 * p_now is the caller's clock (tasks/maintain_partitions.ts passes its
 * injectable one). One caller at a time.
 */
create function ballast.maintain_partitions(p_now timestamptz)
  returns table (table_name text, created int, moved bigint)
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  reg ballast.partitioned_tables;
  parent regclass;
  dflt regclass;
  at timestamptz;
  periods timestamptz[];
  m bigint;
begin
  perform pg_advisory_xact_lock(hashtext('ballast.maintain_partitions'));
  for reg in select * from ballast.partitioned_tables r order by r.table_name loop
    parent := reg.table_name::regclass;
    table_name := reg.table_name;
    created := 0;
    moved := 0;
    select r.partition into dflt from ballast.partition_ranges(parent) r where r.is_default;
    if dflt is not null then
      -- Read the periods first: the DEFAULT partition cannot be altered while a cursor reads it.
      execute format('select coalesce(array_agg(distinct date_trunc(%L, %I at time zone ''UTC'') at time zone ''UTC''), ''{}'') from %s',
                     reg.granularity, reg.partition_column, dflt) into periods;
      foreach at in array periods loop
        m := ballast.create_partition(parent, at);
        if m is not null then
          created := created + 1;
          moved := moved + m;
        end if;
      end loop;
    end if;
    at := (ballast.partition_period(reg.granularity, p_now)).lower_bound;
    for i in 0..reg.premake loop
      m := ballast.create_partition(parent, at);
      if m is not null then
        created := created + 1;
        moved := moved + m;
      end if;
      at := (ballast.partition_period(reg.granularity, at)).upper_bound;
    end loop;
    return next;
  end loop;
end $$;
comment on function ballast.maintain_partitions(timestamptz) is
  'the maintain_partitions task''s door: partitions for the period of p_now and premake periods ahead, and DEFAULT rows moved into their partitions';

-- 4. The inbox's idempotency keys, kept for all time. ------------------------

create table ingest.webhook_keys (
  source         text not null,
  webhook_id     text not null,
  event_id       bigint not null unique,
  correlation_id text not null unique,
  trace_id       text not null,
  received_at    timestamptz not null,
  -- A rejected delivery stays rejected: a duplicate of it is refused the same way after its row is purged.
  rejected       boolean not null,
  primary key (source, webhook_id)
);
comment on table ingest.webhook_keys is
  'one row per delivery ever stored in the inbox: the keys that must stay unique across partitions, written by the inbox''s insert trigger, never purged';
comment on column ingest.webhook_keys.received_at is
  'the inbox row''s partition key: finds its row (and its partition) without scanning all partitions';

-- `ballast trace` resolves an id through these (sql/forensics/resolve_trace.sql, trace_window.sql).
create index webhook_keys_trace_idx on ingest.webhook_keys (trace_id);
create index webhook_keys_webhook_id_idx on ingest.webhook_keys (webhook_id);

insert into ingest.webhook_keys (source, webhook_id, event_id, correlation_id, trace_id, received_at, rejected)
select source, webhook_id, id, correlation_id, trace_id, received_at, status = 'rejected' from ingest.webhook_events;

/**
 * Claims the delivery's keys before its inbox row is written (BEFORE INSERT,
 * after webhook_events_defaults filled them in). A key already claimed, in
 * any partition or in none any more, skips the row: the insert returns no
 * row, as ON CONFLICT DO NOTHING did, and the caller reads the first
 * delivery with ingest.delivery_status(). A concurrent delivery of the same
 * key waits for the first one's transaction, as a unique index would.
 */
create function ingest.claim_webhook_key() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  insert into ingest.webhook_keys (source, webhook_id, event_id, correlation_id, trace_id, received_at, rejected)
  values (new.source, new.webhook_id, new.id, new.correlation_id, new.trace_id, new.received_at, new.status = 'rejected')
  on conflict (source, webhook_id) do nothing;
  if found then
    return new;
  end if;
  return null;
end $$;
comment on function ingest.claim_webhook_key() is
  'inbox insert trigger: claims (source, webhook_id), correlation_id and id in ingest.webhook_keys; skips the row of a duplicate delivery';
alter function ingest.claim_webhook_key() owner to ballast_owner;
revoke execute on function ingest.claim_webhook_key() from public;
revoke all on ingest.webhook_keys from ballast_owner, ballast_worker, ballast_ingest, ballast_forensics;
grant select, insert on ingest.webhook_keys to ballast_owner;
grant select on ingest.webhook_keys to ballast_worker, ballast_forensics;

-- What points at an inbox row points at its key, which outlives the row's partition.
alter table app.interactions drop constraint interactions_event_id_fkey,
  add constraint interactions_event_id_fkey foreign key (event_id) references ingest.webhook_keys (event_id);
alter table app.unknown_phone drop constraint unknown_phone_event_id_fkey,
  add constraint unknown_phone_event_id_fkey foreign key (event_id) references ingest.webhook_keys (event_id);
-- The keys' table holds these now.
alter table ingest.webhook_events drop constraint webhook_events_source_webhook_id_key;
drop index ingest.webhook_events_correlation_key;

-- 5. Converting a table in place. ---------------------------------------------
--
-- The old table is renamed away, a partitioned table takes its name, its
-- rows move into a partition per period, and then what hung on the old table
-- is put back on the new one from the catalog: indexes (unique ones with the
-- partition column added), triggers, grants (table, column and identity
-- sequence), comments, the audit registration, and the views and functions
-- that depend on the table or its row type. This function lives only for
-- this migration.

create function pg_temp.grants(acl aclitem[], owner oid, kind text, target text, cols text default '')
  returns setof text language sql stable as $$
  select format('grant %s%s on %s %s to %s%s', a.privilege_type, cols, kind, target,
                case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end,
                case when a.is_grantable then ' with grant option' else '' end)
    from aclexplode(acl) a where a.grantee <> owner $$;

create function pg_temp.partition_in_place(p_table regclass) returns void
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
  seq text;
  seq_oid oid;
  seq_last bigint;
  seq_called boolean;
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

  select pg_get_serial_sequence(qualified, a.attname) into seq
    from pg_attribute a where a.attrelid = p_table and a.attidentity <> '';
  if seq is not null then
    seq_oid := seq::regclass;
    execute format('select last_value, is_called from %s', seq) into seq_last, seq_called;
    later := later || array(select pg_temp.grants(c.relacl, owner, 'sequence', seq) from pg_class c where c.oid = seq_oid);
  end if;

  -- The swap.
  execute format('alter table %s rename to %I', qualified, tbl || '_unpartitioned');
  if seq is not null then
    execute format('alter sequence %s rename to %I', seq, (select relname from pg_class where oid = seq_oid) || '_unpartitioned');
  end if;
  execute format('create table %s (like %I.%I including defaults including constraints including comments including storage
                    including compression including generated including identity) partition by range (%I)',
                 qualified, sch, tbl || '_unpartitioned', reg.partition_column);
  execute format('create table %I.%I partition of %s default', sch, tbl || '_default', qualified);
  for at in execute format('select distinct date_trunc(%L, %I at time zone ''UTC'') at time zone ''UTC'' from %I.%I',
                           reg.granularity, reg.partition_column, sch, tbl || '_unpartitioned') loop
    perform ballast.create_partition(qualified::regclass, at);
  end loop;
  execute format('insert into %s overriding system value select * from %I.%I', qualified, sch, tbl || '_unpartitioned');
  if seq is not null then
    execute format('select setval(%L, %s, %L)', pg_get_serial_sequence(qualified, (select a.attname from pg_attribute a
                     where a.attrelid = qualified::regclass and a.attidentity <> '')), seq_last, seq_called);
  end if;
  execute format('drop table %I.%I', sch, tbl || '_unpartitioned');
  if seq is not null and seq::regclass is null then
    raise exception 'partition_in_place: % lost its identity sequence name %', p_table, seq;
  end if;
  -- The schema's default privileges granted the new table and sequence more than the old ones had.
  for r in select distinct c.oid::regclass as rel, pg_get_userbyid(a.grantee) as grantee, c.relkind
             from pg_class c cross join aclexplode(c.relacl) a
            where c.oid in (qualified::regclass, coalesce(seq::regclass, qualified::regclass)) and a.grantee not in (0, c.relowner) loop
    execute format('revoke all on %s %s from %I', case r.relkind when 'S' then 'sequence' else 'table' end, r.rel, r.grantee);
  end loop;
  foreach s in array later loop
    execute s;
  end loop;
  foreach s in array dependents loop
    execute s;
  end loop;
  update audit.tracked_tables set relid = qualified::regclass where relid = old_oid;
  -- Ownership last: the keeper owns the parent, its identity sequence and every partition.
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

-- 6. The conversions. ----------------------------------------------------------

-- Putting grants back is no change of privileges: the grant audit (an event
-- trigger that writes to audit.ledger, itself being converted) sits this out.
alter event trigger audit_grants disable;
select pg_temp.partition_in_place(table_name::regclass)
  from ballast.partitioned_tables order by table_name;
alter event trigger audit_grants enable;

create trigger webhook_events_key before insert on ingest.webhook_events
  for each row execute function ingest.claim_webhook_key();
comment on table ingest.webhook_events is
  'inbox: one row per delivered webhook, partitioned by day on received_at; (source, webhook_id) is unique through ingest.webhook_keys';

-- 7. What relied on a unique key that now contains the partition column. -----

-- A duplicate delivery is answered from its key, also once its inbox row's
-- partition has been archived and dropped (then its status is 'purged').
create or replace function ingest.delivery_status(p_source text, p_webhook_id text)
  returns table (id bigint, status text, status_reason text, trace_id text)
  language sql stable security definer set search_path = pg_catalog, ingest, pg_temp as $$
  select k.event_id, coalesce(e.status, case when k.rejected then 'rejected' else 'purged' end),
         e.status_reason, k.trace_id
    from ingest.webhook_keys k
    left join ingest.webhook_events e on e.id = k.event_id and e.received_at = k.received_at
   where k.source = p_source and k.webhook_id = p_webhook_id $$;

-- An attempt's rows (running, then finished) share its span and its start,
-- the partition key: the start of the first row wins, so a late heartbeat or
-- finish whose clock read another start still lands on the same row. The
-- lookup is bounded to a day either side, so it reads two or three daily
-- partitions, not all of them.
create or replace function ballast.finish_attempts(p_rows json) returns void
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  n bigint;
begin
  insert into ballast.job_attempts as a (job_id, task, task_version, queue, attempt, max_attempts, trace_id, span_id,
      parent_span_id, correlation_id, worker_id, status, job_created_at, started_at, finished_at, error, will_retry,
      replay_of, heartbeat_at)
  select r.job_id, r.task, r.task_version, r.queue, r.attempt, r.max_attempts, r.trace_id, r.span_id,
         r.parent_span_id, r.correlation_id, r.worker_id, r.status, r.job_created_at,
         coalesce((select x.started_at from ballast.job_attempts x
                    where x.span_id = r.span_id and x.started_at between r.started_at - interval '1 day' and r.started_at + interval '1 day'),
                  r.started_at),
         r.finished_at, r.error, r.will_retry, r.replay_of, coalesce(r.finished_at, now())
    from json_populate_recordset(null::ballast.job_attempts, p_rows) r
   where r.status <> 'running'
  on conflict (span_id, started_at) do update set
    status = excluded.status,
    finished_at = excluded.finished_at,
    heartbeat_at = excluded.heartbeat_at,
    error = excluded.error,
    will_retry = excluded.will_retry
   where a.status = 'running' and a.worker_id = excluded.worker_id;
  get diagnostics n = row_count;
  if n <> json_array_length(p_rows) then
    raise exception 'ballast.finish_attempts: % of % attempt(s) not recorded: still running, already finished, or started by another worker',
      json_array_length(p_rows) - n, json_array_length(p_rows)
      using errcode = '42501';
  end if;
end $$;

create or replace function ballast.heartbeat_attempts(p_rows json) returns void
  language sql security definer set search_path = pg_catalog, pg_temp as $$
  insert into ballast.job_attempts as a (job_id, task, task_version, queue, attempt, max_attempts, trace_id, span_id,
      parent_span_id, correlation_id, worker_id, status, job_created_at, started_at, replay_of, heartbeat_at)
  select r.job_id, r.task, r.task_version, r.queue, r.attempt, r.max_attempts, r.trace_id, r.span_id,
         r.parent_span_id, r.correlation_id, r.worker_id, 'running', r.job_created_at,
         coalesce((select x.started_at from ballast.job_attempts x
                    where x.span_id = r.span_id and x.started_at between r.started_at - interval '1 day' and r.started_at + interval '1 day'),
                  r.started_at),
         r.replay_of, now()
    from json_populate_recordset(null::ballast.job_attempts, p_rows) r
  on conflict (span_id, started_at) do update set heartbeat_at = now()
   where a.status = 'running' and a.worker_id = excluded.worker_id $$;

-- An envelope is recorded once, whatever month its retry lands in.
create or replace function ballast.record_failure(p_envelope jsonb, p_diagnostic jsonb, p_dead_letter jsonb)
  returns uuid language plpgsql security definer set search_path = pg_catalog, ballast, pg_temp as $$
declare
  dl_id uuid;
begin
  if p_envelope is not null then
    insert into ballast.error_envelopes (error_id, "timestamp", layer, component, error_class, severity, message,
        correlation_id, decision_id, run_id, agent_id, tenant_id, trace_id, span_id, input_hash,
        exception_type, exception_chain, context)
    select e.error_id, coalesce(e."timestamp", now()), e.layer, e.component, e.error_class, e.severity, e.message,
        e.correlation_id, e.decision_id, e.run_id, e.agent_id, e.tenant_id, e.trace_id, e.span_id, e.input_hash,
        e.exception_type, coalesce(e.exception_chain, '[]'), coalesce(e.context, '{}')
      from jsonb_populate_record(null::ballast.error_envelopes, p_envelope) e
     where not exists (select 1 from ballast.error_envelopes x where x.error_id = e.error_id)
    on conflict do nothing;
  end if;
  if p_diagnostic is not null then
    perform ballast.log_diagnostic(p_diagnostic->>'function_name', p_diagnostic->>'function_version',
      p_diagnostic->>'log_level', p_diagnostic->>'code', p_diagnostic->>'message', p_diagnostic->'metadata');
  end if;
  if p_dead_letter is not null then
    if p_dead_letter->>'replay_of' is not null then
      update ballast.pipeline_failures
         set error_code = p_dead_letter->>'error_code',
             error_message = p_dead_letter->>'error_message',
             http_status = (p_dead_letter->>'http_status')::int,
             failed_at = now(),
             context = coalesce(context, '{}') || jsonb_build_object('last_error_id', p_envelope->>'error_id',
                                                                     'last_replay_failed_at', now())
       where id = (p_dead_letter->>'replay_of')::uuid
      returning id into dl_id;
    end if;
    if dl_id is null and p_dead_letter->'context'->>'job_id' is not null then
      -- the sweeper and a slow runtime write must not both add one
      select f.id into dl_id from ballast.pipeline_failures f
       where f.context->>'job_id' = p_dead_letter->'context'->>'job_id' and f.resolved_at is null;
    end if;
    if dl_id is null then
      insert into ballast.pipeline_failures (interaction_id, failing_function, caller_function, http_status,
          error_code, error_message, attempt_count, payload_snapshot, context, next_retry_at)
      values (p_dead_letter->>'interaction_id', p_dead_letter->>'failing_function',
          coalesce(p_dead_letter->>'caller_function',
                   (select a.task from ballast.job_attempts a where a.span_id = p_dead_letter->>'parent_span_id')),
          (p_dead_letter->>'http_status')::int, p_dead_letter->>'error_code', p_dead_letter->>'error_message',
          coalesce((p_dead_letter->>'attempt_count')::int, 1), p_dead_letter->'payload_snapshot',
          p_dead_letter->'context',
          case when (p_dead_letter->>'retryable')::boolean then now() + ballast.replay_delay(1) end)
      returning id into dl_id;
    end if;
  end if;
  return dl_id;
end $$;

-- Row triggers fire on the partition a row is in: the audit names the
-- partitioned table it belongs to, as it did before, never a partition.
create function audit.table_of(p_relid oid) returns text
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.oid = coalesce(pg_partition_root(p_relid), p_relid) $$;
comment on function audit.table_of(oid) is
  'schema.table of a relation, or of the partitioned table a partition belongs to: what audit rows and messages name';

create or replace function audit.capture_update() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  b jsonb := to_jsonb(old);
  a jsonb := to_jsonb(new);
  i audit.tx_identity;
  op audit.operation := 'update';
begin
  if a = b then
    return null;
  end if;
  if tg_nargs <> 3 then
    if audit.is_completion(b, a) then
      op := 'complete';
    end if;
  end if;
  i := audit.tx_identity();
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason)
  values (coalesce(a ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
          i.request_id, i.trace_id, i.span_id, i.correlation_id, op,
          audit.table_of(tg_relid), coalesce(a ->> tg_argv[2], audit.key_of(a, tg_argv[0]::text[])),
          audit.redact(b, tg_argv[1]::text[]), audit.redact(a, tg_argv[1]::text[]), i.reason);
  return null;
end $$;

create or replace function audit.capture_update_simple() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  b jsonb := to_jsonb(old);
  a jsonb := to_jsonb(new);
  i audit.tx_identity;
  op audit.operation := 'update';
begin
  if a = b then
    return null;
  end if;
  if tg_nargs <> 3 then
    if audit.is_completion(b, a) then
      op := 'complete';
    end if;
  end if;
  i := audit.tx_identity();
  insert into audit.ledger (org_id, actor, db_role, job, endpoint, application_name, request_id, trace_id, span_id,
                            correlation_id, operation, entity_type, entity_id, before_data, after_data, reason)
  values (coalesce(a ->> 'org_id', i.org_id), i.actor, i.db_role, i.job, i.endpoint, i.application_name,
          i.request_id, i.trace_id, i.span_id, i.correlation_id, op,
          audit.table_of(tg_relid), a ->> tg_argv[2], b, a, i.reason);
  return null;
end $$;

create or replace function audit.require_reason() returns trigger
  language plpgsql as $$
begin
  if ballast.setting('reason') is null then
    raise exception '% on % needs a reason', tg_op, audit.table_of(tg_relid)
      using errcode = '42501',
            hint = 'state one for the transaction: select set_config(''ballast.reason'', ''<why>'', true); '
                   'from code: db.atomicWrite(fn, { reason })';
  end if;
  return case when tg_level = 'ROW' then old else null end;
end $$;

create or replace function audit.refuse_change() returns trigger
  language plpgsql as $$
begin
  raise exception '% is append-only: % refused', audit.table_of(tg_relid), tg_op
    using errcode = '42501', hint = 'audit rows are never changed or removed';
end $$;

-- 8. Who may do what. ---------------------------------------------------------

-- Creating a partition clones the parent's row triggers, which takes EXECUTE
-- on their functions (trigger functions; called directly they only raise).
do $$
declare
  f regprocedure;
begin
  for f in select distinct t.tgfoid::regprocedure from pg_trigger t join ballast.partitioned_tables p on t.tgrelid = p.table_name::regclass
            where not t.tgisinternal loop
    execute format('grant execute on function %s to ballast_partition_keeper', f);
  end loop;
end $$;
alter function ballast.maintain_partitions(timestamptz) owner to ballast_partition_keeper;
revoke execute on function ballast.maintain_partitions(timestamptz) from public;
grant execute on function ballast.maintain_partitions(timestamptz) to ballast_worker;
grant execute on function ballast.create_partition(regclass, timestamptz) to ballast_partition_keeper;
grant select on ballast.partitioned_tables to ballast_partition_keeper;

-- 9. An alert when the task falls behind, and partitions ahead from the start. --

insert into ballast.alert_rules (name, severity, threshold, window_seconds, for_seconds, enabled, auto_resolve, description) values
  ('partitions_behind', 'warning', 2, 3600, 0, true, true,
   'a time-partitioned table has fewer than <threshold> partitions ahead of the current day or month: maintain_partitions has not run (docs/retention.md)');

-- A fresh install (or this upgrade) starts with its partitions ahead; the
-- maintain_partitions task keeps them so from now on.
select count(*) from ballast.maintain_partitions(now());
