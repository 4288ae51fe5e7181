-- Retention (issue 14, parts 2-4; seed 003 phase 2): policies as data, warm
-- partitions compressed, and archive -> verify -> purge, always in that order.
--
-- 1. ballast.retention_policies: one row per range-partitioned table (a
--    setting: the owner writes it, audited).
-- 2. ballast.archives: one row per exported partition, its manifest; and
--    ballast.archive_runs: one row per step (compress, export, verify, purge,
--    hold, restore) of lib/archive, whether it passed or failed.
-- 3. Functions: a partition's range from the catalog, the content hash of its
--    rows, whether it still holds live work, and the gate: the only way a
--    partition is dropped (ballast.purge_partition) or rewritten compressed
--    (ballast.compress_partition).
-- 4. ballast.cleanup_old_errors goes through the same gate.
-- 5. The archive_failed alert is enabled (sql/alerts/archive_failed.sql).
--
-- A table under retention is range-partitioned on one time column (date,
-- timestamp or timestamptz). Partitions and their bounds are read from the
-- catalog (ballast.partition_ranges, 013), never from their names; a DEFAULT
-- partition is never archived. Detaching and dropping need the table's
-- owner, so the gate's functions are owned by ballast_partition_keeper, which
-- owns the partitioned tables (013).

-- 1. Policies. -------------------------------------------------------------------

create table ballast.retention_policies (
  table_name     text primary key check (table_name ~ '^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$'),
  -- A partition's age is measured from its upper bound: when it stopped taking rows.
  hot_window     interval not null check (hot_window >= interval '0'),
  -- Partitions older than hot_window and younger than hot_window + warm_window are warm: compressed.
  warm_window    interval not null check (warm_window >= interval '0'),
  -- Exported to the store and verified once this old.
  archive_after  interval not null,
  -- Dropped once this old, and only with a verified archive.
  purge_after    interval not null,
  -- Which archive store (lib/archive/store.ts); `local` is the directory BALLAST_ARCHIVE_DIR.
  store          text not null default 'local' check (store ~ '^[a-z][a-z0-9_-]*$'),
  enabled        boolean not null default true,
  updated_at     timestamptz not null default now(),
  updated_by     text not null default coalesce(ballast.setting('actor'), current_user),
  constraint retention_policies_order check (archive_after >= hot_window and purge_after >= archive_after)
);
comment on table ballast.retention_policies is
  'one row per range-partitioned table: hot, warm (compressed), archive_after, purge_after, store (docs/retention.md); written by the owner, audited';

create function ballast.touch_retention_policy() returns trigger
  language plpgsql as $$
begin
  new.updated_at := now();
  new.updated_by := coalesce(ballast.setting('actor'), current_user);
  return new;
end $$;
create trigger retention_policies_touch before update on ballast.retention_policies
  for each row execute function ballast.touch_retention_policy();

-- The shipped defaults (docs/retention.md). A row for a table that is not
-- partitioned (yet) is skipped by the archive task, and says so in its counts.
insert into ballast.retention_policies (table_name, hot_window, warm_window, archive_after, purge_after) values
  ('ingest.webhook_events',     '7 days',  '23 days',  '30 days',  '30 days'),
  ('ballast.job_attempts',      '7 days',  '23 days',  '30 days',  '30 days'),
  ('audit.ledger',              '30 days', '335 days', '365 days', '395 days'),
  ('search.outbox',             '2 days',  '5 days',   '7 days',   '7 days'),
  ('ballast.error_envelopes',   '31 days', '59 days',  '90 days',  '90 days'),
  ('ballast.diagnostic_logs',   '31 days', '59 days',  '90 days',  '90 days'),
  ('ballast.policy_violations', '31 days', '150 days', '181 days', '181 days'),
  ('ballast.maintenance_runs',  '31 days', '59 days',  '90 days',  '90 days'),
  ('search.sync_runs',          '31 days', '59 days',  '90 days',  '90 days'),
  ('search.reconcile_runs',     '31 days', '150 days', '181 days', '181 days');

select audit.enable('ballast.retention_policies', gated => true);
revoke insert, update, delete, truncate on ballast.retention_policies from ballast_worker, ballast_ingest, ballast_forensics;
grant select on ballast.retention_policies to ballast_owner, ballast_worker, ballast_forensics;

-- 2. Archives and their runs. -------------------------------------------------------

create table ballast.archives (
  id               bigint generated always as identity primary key,
  table_name       text not null,
  partition_name   text not null,
  range_from       timestamptz not null,
  range_to         timestamptz not null,
  store            text not null,
  -- The file's key in its store; the manifest is <key>.manifest.json beside it.
  key              text not null,
  row_count        bigint not null,
  bytes            bigint not null,
  file_sha256      text not null,
  -- ballast.archive_hash() of the rows, in the snapshot the file was copied in.
  content_hash     text not null,
  -- The last migration applied when it was exported.
  schema_version   text not null,
  -- audit.ledger only: the ledger ids and the chain hashes of its first and last sealed rows.
  first_ledger_id  bigint,
  last_ledger_id   bigint,
  first_chain_hash text,
  last_chain_hash  text,
  status           text not null default 'exported'
                   check (status in ('exported', 'verified', 'failed', 'purged', 'discarded')),
  exported_at      timestamptz not null,
  verified_at      timestamptz,
  purged_at        timestamptz,
  manifest         jsonb not null
);
comment on table ballast.archives is
  'one row per exported partition: its manifest, and where it stands (exported -> verified -> purged; failed blocks the partition until an operator re-verifies or discards it)';
-- One archive in force per range: a failed one must be discarded before a new export.
create unique index archives_range_idx on ballast.archives (table_name, range_from, range_to) where status <> 'discarded';
create index archives_partition_idx on ballast.archives (partition_name);

create table ballast.archive_runs (
  id              bigint generated always as identity primary key,
  at              timestamptz not null default now(),
  table_name      text not null,
  partition_name  text not null,
  range_from      timestamptz,
  range_to        timestamptz,
  step            text not null check (step in ('compress', 'export', 'verify', 'purge', 'hold', 'restore', 'discard')),
  outcome         text not null check (outcome in ('succeeded', 'failed', 'held')),
  archive_id      bigint references ballast.archives (id),
  rows            bigint,
  bytes           bigint,
  -- Per step: the compression ratio, the hashes compared, why a partition was held.
  detail          jsonb not null default '{}',
  error           text,
  trace_id        text default nullif(current_setting('ballast.trace_id', true), ''),
  constraint archive_runs_error_check check ((outcome = 'failed') = (error is not null))
);
comment on table ballast.archive_runs is
  'one row per step of the archive lifecycle (lib/archive), written whether it passed, failed or was held; archive_failed reads it';
create index archive_runs_partition_idx on ballast.archive_runs (partition_name, id desc);
create index archive_runs_failed_idx on ballast.archive_runs (at desc) where outcome = 'failed';

-- Evidence: the worker adds runs and moves archives along; nobody rewrites a run.
revoke update, delete, truncate on ballast.archive_runs from ballast_worker, ballast_ingest, ballast_forensics;
revoke delete, truncate on ballast.archives from ballast_worker, ballast_ingest, ballast_forensics;
grant select, insert on ballast.archive_runs to ballast_worker;
grant select, insert, update on ballast.archives to ballast_worker;
grant select on ballast.archives, ballast.archive_runs to ballast_owner, ballast_forensics;
-- The archive task (as the worker) exports the audit ledger and reads its
-- chain, and records the schema version (the last migration) in each manifest.
grant select on audit.ledger, audit.chain, public.migrations to ballast_worker;

-- Archived ranges are restored for forensics into their own schema, never into live tables.
create schema if not exists archive_restore;
comment on schema archive_restore is 'archived partitions restored for forensics (`ballast archive restore`); never read by the pipeline';
alter schema archive_restore owner to ballast_owner;
grant usage on schema archive_restore to ballast_forensics;
alter default privileges for role ballast_owner in schema archive_restore grant select on tables to ballast_forensics;

-- 3. Functions. ----------------------------------------------------------------------

/* The partition key column of a table range-partitioned on one column, else null. */
create function ballast.partition_key(parent regclass) returns text
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select a.attname::text
    from pg_partitioned_table p join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
   where p.partrelid = parent and p.partstrat = 'r' and p.partnatts = 1
$$;

/*
 * The columns an archive holds, in the table's order: every column but
 * dropped and generated ones (COPY leaves generated columns out too).
 */
create function ballast.archive_columns(rel regclass) returns text[]
  language sql stable as $$
  select array_agg(a.attname::text order by a.attnum)
    from pg_attribute a
   where a.attrelid = rel and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
$$;

/*
 * Whether a column of type `typ` can go into hash_record_extended as it is:
 * its type (or a domain's base type, or an array's element type) has a
 * default hash operator class. Others (json, xml, point, composites) are
 * hashed through their text form.
 */
create function ballast.hashable(typ oid) returns boolean
  language plpgsql stable set search_path = pg_catalog, pg_temp as $$
declare
  t pg_type;
begin
  select * into t from pg_type where oid = typ;
  if t.typbasetype <> 0 then return ballast.hashable(t.typbasetype); end if;
  if t.typelem <> 0 and t.typlen = -1 then return ballast.hashable(t.typelem); end if;
  if t.typtype = 'e' then return true; end if;
  return t.typtype = 'b' and exists (select 1 from pg_opclass o join pg_am a on a.oid = o.opcmethod
                                      where a.amname = 'hash' and o.opcdefault and o.opcintype = typ);
end $$;

/*
 * The content hash of a set of rows: their count and the sum of a 64-bit
 * hash of each row (hash_record_extended over the typed values, no text
 * conversion), so it is the same in any order and costs one pass with
 * constant memory, however large the partition. `source` is a partitioned
 * table (with `lower_bound`, `upper_bound`: the rows of one partition, read
 * through its parent, whose privileges apply) or a plain table with the same
 * columns (an archive file loaded back). It detects change, not forgery: the
 * file's sha256 and the manifest guard against that.
 */
create function ballast.archive_hash(source regclass, columns text[], lower_bound timestamptz default null, upper_bound timestamptz default null)
  returns table (row_count bigint, content_hash text)
  language plpgsql stable
  set "TimeZone" = 'UTC' set datestyle = 'ISO, YMD' set intervalstyle = 'postgres'
  set extra_float_digits = 1 set bytea_output = 'hex' as $$
declare
  key text;
  filter text := '';
  fields text;
begin
  select string_agg(quote_ident(c.name) || case when ballast.hashable(a.atttypid) then '' else '::text' end, ', ' order by c.ord) into fields
    from unnest(columns) with ordinality c(name, ord)
    join pg_attribute a on a.attrelid = source and a.attname = c.name and not a.attisdropped;
  if fields is null or cardinality(columns) <> (select count(*) from pg_attribute a where a.attrelid = source and a.attname = any (columns)) then
    raise exception 'ballast.archive_hash: % does not have the columns %', source, columns;
  end if;
  if lower_bound is not null then
    key := ballast.partition_key(source);
    if key is null then raise exception 'ballast.archive_hash: % is not range-partitioned on one column', source; end if;
    filter := format(' where %I >= %L::timestamptz and %I < %L::timestamptz', key, lower_bound, key, upper_bound);
  end if;
  return query execute format(
    'select count(*)::bigint, format(''v2:%%s:%%s'', count(*), coalesce(sum(hash_record_extended(row(%s), 0)::numeric), 0)) from %s%s',
    fields, source, filter);
end $$;
comment on function ballast.archive_hash(regclass, text[], timestamptz, timestamptz) is
  'count and order-independent content hash (v2:<count>:<sum of the rows'' 64-bit hash_record_extended>) of a partition''s rows (through its parent) or of a table';

/*
 * Why a partition must not be archived yet, or null: it still holds live
 * work. Inbox rows not finished, outbox rows not synced (or dead), open dead
 * letters, ledger rows not yet sealed into the chain.
 */
create function ballast.retention_hold(parent regclass, lower_bound timestamptz, upper_bound timestamptz)
  returns text language plpgsql stable set "TimeZone" = 'UTC' set search_path = pg_catalog, pg_temp as $$
declare
  key text := ballast.partition_key(parent);
  n bigint;
  cond text;
  what text;
begin
  case parent::text
    when 'ingest.webhook_events' then cond := $c$status in ('received', 'processing')$c$; what := 'inbox events not finished';
    when 'search.outbox' then cond := $c$status in ('pending', 'dead')$c$; what := 'outbox rows not synced (pending or dead)';
    when 'ballast.pipeline_failures' then cond := 'resolved_at is null'; what := 'open dead letters';
    when 'audit.ledger' then
      cond := 'not exists (select 1 from audit.chain c where c.ledger_id = t.id)'; what := 'ledger rows not sealed into the chain';
    else return null;
  end case;
  execute format('select count(*) from %s t where %I >= %L::timestamptz and %I < %L::timestamptz and %s',
                 parent, key, lower_bound, key, upper_bound, cond)
    into n;
  return case when n > 0 then format('%s %s', n, what) end;
end $$;
comment on function ballast.retention_hold(regclass, timestamptz, timestamptz) is
  'why a partition still holds live work (and is held, not archived), or null';

/*
 * The gate: drops a partition only when its archive has been verified and
 * the partition still holds exactly the rows the archive holds (count and
 * content hash, under a lock that keeps writers out of it). Returns the rows
 * dropped. Owned by ballast_partition_keeper, which owns the partitioned
 * tables (013): only a table's owner may detach its partitions.
 */
create function ballast.purge_partition(p_archive_id bigint) returns bigint
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  a ballast.archives;
  parent regclass;
  part regclass;
  h record;
begin
  select * into a from ballast.archives where id = p_archive_id;
  if a.id is null then raise exception 'no archive %', p_archive_id; end if;
  if a.status <> 'verified' then
    raise exception 'archive % of % is %, not verified: its partition is not purged', a.id, a.partition_name, a.status
      using errcode = '42501';
  end if;
  parent := to_regclass(a.table_name);
  select r.partition into part from ballast.partition_ranges(parent) r
   where not r.is_default and r.partition = to_regclass(a.partition_name)
     and r.lower_bound = a.range_from and r.upper_bound = a.range_to;
  if part is null then
    raise exception 'archive %: % is no longer a partition of % from % to %', a.id, a.partition_name, a.table_name, a.range_from, a.range_to;
  end if;
  if (select c.relowner from pg_class c where c.oid = parent) <> (select r.oid from pg_roles r where r.rolname = current_user) then
    raise exception 'archive %: % is owned by %; only its owner may detach a partition', a.id, a.table_name,
      (select pg_get_userbyid(c.relowner) from pg_class c where c.oid = parent)
      using hint = format('ALTER TABLE %s OWNER TO %I (and its partitions)', a.table_name, current_user);
  end if;
  execute format('lock table %s in share mode', part);
  select * into h from ballast.archive_hash(parent, ballast.archive_columns(parent), a.range_from, a.range_to);
  if h.row_count <> a.row_count or h.content_hash <> a.content_hash then
    raise exception 'archive % of %: the partition changed since it was exported (% rows, %; the archive has % rows, %)',
      a.id, a.partition_name, h.row_count, h.content_hash, a.row_count, a.content_hash
      using hint = 'verify it again (`ballast archive verify`): rows written after the export are not in the archive';
  end if;
  execute format('alter table %s detach partition %s', parent, part);
  execute format('drop table %s', part);
  update ballast.archives set status = 'purged', purged_at = now() where id = a.id;
  return h.row_count;
end $$;
comment on function ballast.purge_partition(bigint) is
  'the only way a partition is dropped: its archive verified, its rows unchanged since the export (count and content hash), then DETACH and DROP';
alter function ballast.purge_partition(bigint) owner to ballast_partition_keeper;
revoke execute on function ballast.purge_partition(bigint) from public;
grant execute on function ballast.purge_partition(bigint) to ballast_worker;

/*
 * Rewrites a warm partition with its columns compressed by `method` (lz4
 * where the server has it, else pglz). SET COMPRESSION alone changes only
 * values written later, and a copied value keeps the compression it has, so
 * the rows are copied into a new table through their text form (as COPY
 * would), which compresses every value afresh. PostgreSQL compresses values
 * only in rows over about 2 kB (TOAST_TUPLE_THRESHOLD, fixed at build time):
 * small rows stay as they are. The copy must hash the same as the partition,
 * or nothing changes; it is built with its indexes before the swap, so the
 * parent is locked only to detach, drop, rename and attach. Returns the sizes
 * before and after.
 */
create function ballast.compress_partition(parent regclass, p_partition regclass, method text)
  returns table (bytes_before bigint, bytes_after bigint, row_count bigint)
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  r record;
  cols text[] := ballast.archive_columns(parent);
  casts text;
  nsp name;
  rel name;
  fresh text;
  hb record;
  ha record;
  col record;
  grantee text;
  key text := ballast.partition_key(parent);
begin
  if method not in ('lz4', 'pglz') then raise exception 'compression method % is not lz4 or pglz', method; end if;
  select * into r from ballast.partition_ranges(parent) pr
   where pr.partition = p_partition and not pr.is_default and pr.lower_bound is not null and pr.upper_bound is not null;
  if r.partition is null then raise exception '% is not a bounded range partition of %', p_partition, parent; end if;
  select n.nspname, c.relname into nsp, rel
    from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.oid = p_partition;
  fresh := format('%I.%I', nsp, left(rel, 56) || '_cmp');
  execute format('lock table %s in share mode', p_partition);
  bytes_before := pg_total_relation_size(p_partition);
  select * into hb from ballast.archive_hash(parent, cols, r.lower_bound, r.upper_bound);
  -- Built whole beside the partition, its indexes included, while writers to
  -- other partitions go on: the parent is locked only for the swap below.
  execute format('create table %s (like %s including defaults including constraints including storage including indexes)',
                 fresh, p_partition);
  for col in select a.attname from pg_attribute a
              where a.attrelid = p_partition and a.attnum > 0 and not a.attisdropped and a.attlen = -1
                and a.attstorage in ('x', 'm') loop
    execute format('alter table %s alter column %I set compression %s', fresh, col.attname, method);
  end loop;
  select string_agg(format('(%I::text)::%s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' order by a.attnum) into casts
    from pg_attribute a
   where a.attrelid = parent and a.attnum > 0 and not a.attisdropped and a.attgenerated = '';
  execute format('insert into %s (%s) overriding system value select %s from %s', fresh,
                 (select string_agg(quote_ident(c), ', ') from unnest(cols) c), casts, p_partition);
  select * into ha from ballast.archive_hash(fresh::regclass, cols);
  if ha.row_count <> hb.row_count or ha.content_hash <> hb.content_hash then
    raise exception 'compressing %: the rewritten rows hash %, the original %; nothing changed', p_partition, ha.content_hash, hb.content_hash;
  end if;
  -- A check matching the bounds lets ATTACH skip its validating scan; the indexes match the parent's, so none is built.
  execute format('alter table %s add constraint ballast_compress_bounds check (%I is not null and %I >= %L and %I < %L)',
                 fresh, key, key, r.lower_bound, key, r.upper_bound);
  -- The new partition is read as the old one was (013 grants SELECT on partitions).
  for grantee in select pg_get_userbyid(a.grantee) from pg_class c cross join aclexplode(c.relacl) a
                  where c.oid = p_partition and a.privilege_type = 'SELECT' and a.grantee not in (0, c.relowner) loop
    execute format('grant select on %s to %I', fresh, grantee);
  end loop;
  execute format('alter table %s detach partition %s', parent, p_partition);
  execute format('drop table %s', p_partition);
  execute format('alter table %s rename to %I', fresh, rel);
  fresh := format('%I.%I', nsp, rel);
  execute format('alter table %s attach partition %s for values from (%L) to (%L)', parent, fresh, r.lower_bound, r.upper_bound);
  execute format('alter table %s drop constraint ballast_compress_bounds', fresh);
  bytes_after := pg_total_relation_size(fresh::regclass);
  row_count := ha.row_count;
  return next;
end $$;
comment on function ballast.compress_partition(regclass, regclass, text) is
  'rewrites a warm partition with lz4 (or pglz) TOAST compression, through the text form of its rows, checked by content hash; returns sizes before and after';
alter function ballast.compress_partition(regclass, regclass, text) owner to ballast_partition_keeper;
revoke execute on function ballast.compress_partition(regclass, regclass, text) from public;
grant execute on function ballast.compress_partition(regclass, regclass, text) to ballast_worker;
-- What the gate reads and writes, as the keeper.
grant select, update on ballast.archives to ballast_partition_keeper;

-- 4. cleanup_old_errors through the same gate. ------------------------------------

-- Deletes only envelopes whose range has a verified archive: what it deletes
-- can be restored. Anything older without one stays, and the function says so.
create or replace function ballast.cleanup_old_errors(retention_days int default 90) returns int
  language plpgsql security definer set search_path = pg_catalog, ballast, pg_temp as $$
declare
  n int;
  kept bigint;
begin
  if retention_days < 1 then raise exception 'retention_days must be at least 1'; end if;
  if ballast.setting('reason') is null then
    raise exception 'ballast.cleanup_old_errors deletes error envelopes and needs a reason'
      using errcode = '42501',
            hint = 'state one for the transaction: select set_config(''ballast.reason'', ''<why>'', true); '
                   'or run `ballast errors cleanup --reason <why>`';
  end if;
  perform set_config('ballast.retention', 'error_envelopes', true);
  delete from ballast.error_envelopes e
   where e.created_at < now() - make_interval(days => retention_days)
     and exists (select 1 from ballast.archives a
                  where a.table_name = 'ballast.error_envelopes' and a.status in ('verified', 'purged')
                    and e.created_at >= a.range_from and e.created_at < a.range_to);
  get diagnostics n = row_count;
  perform set_config('ballast.retention', '', true);
  select count(*) into kept from ballast.error_envelopes e where e.created_at < now() - make_interval(days => retention_days);
  if kept > 0 then
    raise notice '% error envelope(s) older than % days kept: no verified archive covers them (`ballast archive list`)', kept, retention_days;
  end if;
  return n;
end $$;

-- 5. The archive_failed alert. -------------------------------------------------------

update ballast.alert_rules
   set enabled = true,
       description = 'an archive step (export, verify, purge) failed and has not passed since; the partition stays, nothing is purged until it does (ops/runbooks/retention.md)'
 where name = 'archive_failed';
