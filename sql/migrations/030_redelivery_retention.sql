-- Re-delivered bodies under retention.
--
-- ingest.redelivery_conflicts (029) keeps raw bodies, personal data as the
-- inbox's are, and had no retention: it outlived the inbox's 30 days. It is
-- now range-partitioned by day, like the inbox, on the time its webhook id's
-- first delivery was received (first_received_at, from ingest.webhook_keys),
-- and archived, verified and purged at 30 days as the inbox is
-- (docs/retention.md).
--
-- - first_received_at is the same for every conflict of one webhook id and
--   never changes, so the key that counts a repeated body, (source,
--   webhook_id, body_sha256), carries it (a partitioned table's unique keys
--   hold the partition column) without changing what it makes unique.
-- - A conflict is written only while its first delivery is still in the
--   inbox (ingest.note_redelivery compares with it), so no conflict can land
--   in a day once the inbox's rows of that day are gone. ballast.retention_hold
--   holds a day of conflicts until then: its rows leave after the first
--   deliveries they differ from, never before, and an archived day cannot
--   change.
-- - Rows, ids, the audit registration (rows still named by id, bodies
--   masked, deletes gated) and 029's grants are kept. The archive task (the
--   worker) now reads the table, to export and hash it, as it reads the
--   inbox's raw bodies; it still cannot write it or call note_redelivery.
--   The keeper (ballast_partition_keeper) owns the table and its partitions.

-- 1. The registry. -------------------------------------------------------------

insert into ballast.partitioned_tables (table_name, partition_column, granularity)
values ('ingest.redelivery_conflicts', 'first_received_at', 'day');

-- 2. The table, partitioned. -------------------------------------------------------

-- What hangs on the old table and is put back on the new one: its triggers
-- (the audit captures with their redaction, the delete gate) and its oid in
-- audit.tracked_tables.
create temp table redelivery_conflicts_old on commit drop as
  select c.oid, array(select pg_get_triggerdef(t.oid) from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal order by t.tgname) as triggers
    from pg_class c where c.oid = 'ingest.redelivery_conflicts'::regclass;
create temp table redelivery_conflicts_rows on commit drop as
  select c.*, k.received_at as first_received_at
    from ingest.redelivery_conflicts c join ingest.webhook_keys k on k.event_id = c.event_id;

drop table ingest.redelivery_conflicts;

create table ingest.redelivery_conflicts (
  id                 bigint generated always as identity,
  source             text not null,
  webhook_id         text not null,
  -- The first delivery, which won: its key outlives its inbox partition (013_partitions).
  event_id           bigint not null references ingest.webhook_keys (event_id),
  -- The differing body as received, held as the inbox holds one (010_ingest_raw):
  -- text when valid UTF-8 without NUL, else the bytes.
  raw_body           text,
  raw_bytes          bytea,
  body_sha256        text not null check (body_sha256 ~ '^[0-9a-f]{64}$'),
  body_bytes         integer not null,
  -- Of the first delivery of this body, kept as the inbox keeps them (no signature).
  headers            jsonb not null default '{}',
  trace_id           text not null check (trace_id ~ '^[0-9a-f]{32}$'),
  span_id            text not null check (span_id ~ '^[0-9a-f]{16}$'),
  correlation_id     text not null,
  received_at        timestamptz not null default now(),
  -- The same differing body again is counted here, not kept again.
  deliveries         integer not null default 1 check (deliveries >= 1),
  last_seen_at       timestamptz not null default now(),
  first_received_at  timestamptz not null,
  constraint redelivery_conflicts_one_raw_body check (num_nonnulls(raw_body, raw_bytes) = 1),
  constraint redelivery_conflicts_pkey primary key (id, first_received_at),
  constraint redelivery_conflicts_body_key unique (source, webhook_id, body_sha256, first_received_at)
) partition by range (first_received_at);
comment on table ingest.redelivery_conflicts is
  're-deliveries of an inbox id whose body differs from the first delivery''s (which won): one row per distinct body, as received; written only by ingest.note_redelivery(); partitioned by day on first_received_at, purged after the inbox day it differs from';
comment on column ingest.redelivery_conflicts.body_sha256 is
  'sha256 (hex) of the body''s bytes as received';
comment on column ingest.redelivery_conflicts.deliveries is
  'how many times this body was delivered under this id; last_seen_at is the latest';
comment on column ingest.redelivery_conflicts.first_received_at is
  'when the first delivery of this webhook id was received (ingest.webhook_keys.received_at): the same for every conflict of the id, never changes; the partition key';
create index redelivery_conflicts_event_idx on ingest.redelivery_conflicts (event_id);
create index redelivery_conflicts_trace_idx on ingest.redelivery_conflicts (trace_id);
create index redelivery_conflicts_last_seen_idx on ingest.redelivery_conflicts (last_seen_at);
create table ingest.redelivery_conflicts_default partition of ingest.redelivery_conflicts default;

-- Least privilege, as 029 gave it, and the worker reads (the archive task).
-- The schema's default privileges gave the new table more.
revoke all on ingest.redelivery_conflicts from ballast_owner, ballast_worker, ballast_ingest, ballast_forensics;
grant select, insert, update, delete on ingest.redelivery_conflicts to ballast_owner;
grant select on ingest.redelivery_conflicts to ballast_worker, ballast_forensics;
revoke all on sequence ingest.redelivery_conflicts_id_seq from ballast_worker, ballast_ingest, ballast_forensics;
grant usage, select on sequence ingest.redelivery_conflicts_id_seq to ballast_owner;
alter table ingest.redelivery_conflicts owner to ballast_partition_keeper;

-- A partition for each day the inbox holds (a re-delivery may still add a
-- conflict there) and for each day of the rows kept so far; the rows go into
-- them. The copy fires no audit trigger (they are put back below): it is not
-- a new write. Rows whose first delivery's day the inbox has already purged
-- leave on the next retention pass, archived first.
select count(ballast.create_partition('ingest.redelivery_conflicts', d))
  from (select r.lower_bound as d from ballast.partition_ranges('ingest.webhook_events') r where not r.is_default and r.lower_bound is not null
        union
        select date_trunc('day', first_received_at at time zone 'UTC') at time zone 'UTC' from redelivery_conflicts_rows) days;
insert into ingest.redelivery_conflicts (id, source, webhook_id, event_id, raw_body, raw_bytes, body_sha256, body_bytes, headers,
    trace_id, span_id, correlation_id, received_at, deliveries, last_seen_at, first_received_at)
  overriding system value
  select id, source, webhook_id, event_id, raw_body, raw_bytes, body_sha256, body_bytes, headers,
         trace_id, span_id, correlation_id, received_at, deliveries, last_seen_at, first_received_at
    from redelivery_conflicts_rows;
select setval('ingest.redelivery_conflicts_id_seq', coalesce((select max(id) from redelivery_conflicts_rows), 0) + 1, false);

-- The triggers and the audit registration back on the table. The partitions'
-- grants restate the parent's, no change of privileges: the grant audit sits them out (as in 022).
alter event trigger audit_grants disable;
do $$
declare
  s text;
  p regclass;
  grantee text;
begin
  for s in select unnest(triggers) from redelivery_conflicts_old loop
    execute s;
  end loop;
  update audit.tracked_tables set relid = 'ingest.redelivery_conflicts'::regclass
   where relid::oid = (select oid from redelivery_conflicts_old);
  -- The keeper owns every partition; each has the parent's SELECT grants and nothing else (as create_partition gives).
  for p in select r.partition from ballast.partition_ranges('ingest.redelivery_conflicts') r loop
    execute format('alter table %s owner to ballast_partition_keeper', p);
    for grantee in select distinct pg_get_userbyid(a.grantee) from pg_class c cross join aclexplode(c.relacl) a
                    where c.oid = p and a.grantee not in (0, c.relowner) loop
      execute format('revoke all on %s from %I', p, grantee);
    end loop;
    execute format('grant select on %s to ballast_worker, ballast_forensics', p);
  end loop;
end $$;
alter event trigger audit_grants enable;
-- An update that changed first_received_at would move the row between partitions, out of the ledger's sight (026, 027).
select audit.fix_partition_key('ingest.redelivery_conflicts');
-- Creating a partition clones the parent's row triggers, which takes EXECUTE on their functions (as in 013).
do $$
declare
  f regprocedure;
begin
  for f in select distinct t.tgfoid::regprocedure from pg_trigger t
            where t.tgrelid = 'ingest.redelivery_conflicts'::regclass and not t.tgisinternal loop
    execute format('grant execute on function %s to ballast_partition_keeper', f);
  end loop;
end $$;

-- 3. The receiver's door, with the new column. --------------------------------------

/**
 * The receiver's answer to a re-delivery: the first delivery's status (as
 * ingest.delivery_status gives it) and, when the re-delivered body's bytes
 * differ from the first delivery's raw body, the id of the row that keeps
 * them (the same body again only counts). conflict_id is null for an
 * identical body, and when the first body is no longer held (its partition
 * was purged: nothing to compare with). No row for an unknown key.
 */
create or replace function ingest.note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea,
    p_headers jsonb, p_trace_id text, p_span_id text)
  returns table (id bigint, status text, status_reason text, trace_id text, conflict_id bigint)
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_body bytea := coalesce(p_raw_bytes, convert_to(p_raw_body, 'UTF8'));
  v_first bytea;
  v_first_at timestamptz;
  v_conflict bigint;
  v record;
begin
  select d.id, d.status, d.status_reason, d.trace_id into v
    from ingest.delivery_status(p_source, p_webhook_id) d;
  if not found then
    return;
  end if;
  select coalesce(e.raw_bytes, convert_to(e.raw_body, 'UTF8')), k.received_at into v_first, v_first_at
    from ingest.webhook_keys k
    join ingest.webhook_events e on e.id = k.event_id and e.received_at = k.received_at
   where k.source = p_source and k.webhook_id = p_webhook_id;
  if v_first is not null and v_first <> v_body then
    insert into ingest.redelivery_conflicts as c (source, webhook_id, event_id, raw_body, raw_bytes, body_sha256, body_bytes,
        headers, trace_id, span_id, correlation_id, first_received_at)
    values (p_source, p_webhook_id, v.id, p_raw_body, case when p_raw_body is null then p_raw_bytes end,
            encode(sha256(v_body), 'hex'), octet_length(v_body), coalesce(p_headers, '{}'), p_trace_id, p_span_id,
            p_source || ':' || p_webhook_id, v_first_at)
    on conflict on constraint redelivery_conflicts_body_key
      do update set deliveries = c.deliveries + 1, last_seen_at = now()
    returning c.id into v_conflict;
  end if;
  id := v.id;
  status := v.status;
  status_reason := v.status_reason;
  trace_id := v.trace_id;
  conflict_id := v_conflict;
  return next;
end $$;

-- 4. Holding a day of conflicts while its first deliveries are in the inbox. -----------

/*
 * Why a partition must not be archived yet, or null: it still holds live
 * work. Inbox rows not finished, outbox rows not synced (or dead), open dead
 * letters, ledger rows not yet sealed into the chain, and re-delivered bodies
 * whose first deliveries are still in the inbox (a re-delivery may still add
 * or count a conflict in that range).
 */
create or replace function ballast.retention_hold(parent regclass, lower_bound timestamptz, upper_bound timestamptz)
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
    when 'ingest.redelivery_conflicts' then
      -- Counted in the inbox, not here: a first delivery with no conflict yet may still get one.
      select count(*) into n from ingest.webhook_events e where e.received_at >= lower_bound and e.received_at < upper_bound;
      return case when n > 0 then format('%s first deliveries still in the inbox (a re-delivery may still add a conflict)', n) end;
    else return null;
  end case;
  execute format('select count(*) from %s t where %I >= %L::timestamptz and %I < %L::timestamptz and %s',
                 parent, key, lower_bound, key, upper_bound, cond)
    into n;
  return case when n > 0 then format('%s %s', n, what) end;
end $$;
comment on function ballast.retention_hold(regclass, timestamptz, timestamptz) is
  'why a partition still holds live work (and is held, not archived), or null';

-- 5. Retention, as the inbox's. --------------------------------------------------------

-- Archived and purged at 30 days. No warm window: a day of conflicts is still
-- written (re-deliveries of that day's ids) while it would be warm, and
-- rewriting a partition that is written races the writers; its rows are
-- small and few besides (PostgreSQL compresses only rows over about 2 kB).
insert into ballast.retention_policies (table_name, hot_window, warm_window, archive_after, purge_after, verify)
values ('ingest.redelivery_conflicts', '30 days', '0', '30 days', '30 days', 'file');

-- Partitions ahead from the start; the maintain_partitions task keeps them so.
select count(*) from ballast.maintain_partitions(now());
