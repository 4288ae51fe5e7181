-- Re-deliveries whose body differs from the first delivery's.
--
-- The inbox is idempotent on (source, webhook_id): the first delivery wins
-- and a re-delivery is answered "duplicate" (ingest.delivery_status). A
-- sender that re-renders its body on retry, or sends a changed event under an
-- old id, used to have the new body dropped without trace. It is now kept,
-- exactly as received, in ingest.redelivery_conflicts, and the answer names
-- the row. The comparison runs only on the duplicate path
-- (ingest.note_redelivery), so a first delivery costs what it did.
--
-- The receiver's role may not read raw bodies (007_roles), so the comparison
-- and the insert happen in a SECURITY DEFINER function, its only door: the
-- receiver has no privilege on the table itself.

create table ingest.redelivery_conflicts (
  id              bigint generated always as identity primary key,
  source          text not null,
  webhook_id      text not null,
  -- The first delivery, which won: its key outlives its inbox partition (013_partitions).
  event_id        bigint not null references ingest.webhook_keys (event_id),
  -- The differing body as received, held as the inbox holds one (010_ingest_raw):
  -- text when valid UTF-8 without NUL, else the bytes.
  raw_body        text,
  raw_bytes       bytea,
  body_sha256     text not null check (body_sha256 ~ '^[0-9a-f]{64}$'),
  body_bytes      integer not null,
  -- Of the first delivery of this body, kept as the inbox keeps them (no signature).
  headers         jsonb not null default '{}',
  trace_id        text not null check (trace_id ~ '^[0-9a-f]{32}$'),
  span_id         text not null check (span_id ~ '^[0-9a-f]{16}$'),
  correlation_id  text not null,
  received_at     timestamptz not null default now(),
  -- The same differing body again is counted here, not kept again.
  deliveries      integer not null default 1 check (deliveries >= 1),
  last_seen_at    timestamptz not null default now(),
  constraint redelivery_conflicts_one_raw_body check (num_nonnulls(raw_body, raw_bytes) = 1),
  constraint redelivery_conflicts_body_key unique (source, webhook_id, body_sha256)
);
comment on table ingest.redelivery_conflicts is
  're-deliveries of an inbox id whose body differs from the first delivery''s (which won): one row per distinct body, as received; written only by ingest.note_redelivery()';
comment on column ingest.redelivery_conflicts.body_sha256 is
  'sha256 (hex) of the body''s bytes as received';
comment on column ingest.redelivery_conflicts.deliveries is
  'how many times this body was delivered under this id; last_seen_at is the latest';
create index redelivery_conflicts_event_idx on ingest.redelivery_conflicts (event_id);
create index redelivery_conflicts_trace_idx on ingest.redelivery_conflicts (trace_id);
create index redelivery_conflicts_last_seen_idx on ingest.redelivery_conflicts (last_seen_at);

/**
 * The receiver's answer to a re-delivery: the first delivery's status (as
 * ingest.delivery_status gives it) and, when the re-delivered body's bytes
 * differ from the first delivery's raw body, the id of the row that keeps
 * them (the same body again only counts). conflict_id is null for an
 * identical body, and when the first body is no longer held (its partition
 * was purged: nothing to compare with). No row for an unknown key.
 */
create function ingest.note_redelivery(p_source text, p_webhook_id text, p_raw_body text, p_raw_bytes bytea,
    p_headers jsonb, p_trace_id text, p_span_id text)
  returns table (id bigint, status text, status_reason text, trace_id text, conflict_id bigint)
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_body bytea := coalesce(p_raw_bytes, convert_to(p_raw_body, 'UTF8'));
  v_first bytea;
  v_conflict bigint;
  v record;
begin
  select d.id, d.status, d.status_reason, d.trace_id into v
    from ingest.delivery_status(p_source, p_webhook_id) d;
  if not found then
    return;
  end if;
  select coalesce(e.raw_bytes, convert_to(e.raw_body, 'UTF8')) into v_first
    from ingest.webhook_keys k
    join ingest.webhook_events e on e.id = k.event_id and e.received_at = k.received_at
   where k.source = p_source and k.webhook_id = p_webhook_id;
  if v_first is not null and v_first <> v_body then
    insert into ingest.redelivery_conflicts as c (source, webhook_id, event_id, raw_body, raw_bytes, body_sha256, body_bytes,
        headers, trace_id, span_id, correlation_id)
    values (p_source, p_webhook_id, v.id, p_raw_body, case when p_raw_body is null then p_raw_bytes end,
            encode(sha256(v_body), 'hex'), octet_length(v_body), coalesce(p_headers, '{}'), p_trace_id, p_span_id,
            p_source || ':' || p_webhook_id)
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
comment on function ingest.note_redelivery(text, text, text, bytea, jsonb, text, text) is
  'the receiver''s duplicate path: the first delivery''s status, and the ingest.redelivery_conflicts row keeping a differing body';

-- Least privilege: the table is written through note_redelivery() only (as
-- the owner, which upserts); forensics reads it; the worker has no use for it.
-- The owner may delete a row (an erasure request, a settled case), and the
-- audit gate below makes that take a stated reason. The table is not
-- partitioned and has no retention policy (docs/retention.md says why).
revoke all on ingest.redelivery_conflicts from ballast_owner, ballast_worker, ballast_ingest, ballast_forensics;
grant select, insert, update, delete on ingest.redelivery_conflicts to ballast_owner;
grant select on ingest.redelivery_conflicts to ballast_forensics;
revoke all on sequence ingest.redelivery_conflicts_id_seq from ballast_worker, ballast_ingest, ballast_forensics;
grant usage, select on sequence ingest.redelivery_conflicts_id_seq to ballast_owner;
alter function ingest.note_redelivery(text, text, text, bytea, jsonb, text, text) owner to ballast_owner;
revoke execute on function ingest.note_redelivery(text, text, text, bytea, jsonb, text, text) from public;
grant execute on function ingest.note_redelivery(text, text, text, bytea, jsonb, text, text) to ballast_ingest;

-- Audited like the inbox: the ledger records that a body was kept and counted, never the body.
select audit.enable('ingest.redelivery_conflicts', gated => true, redact => array['raw_body', 'raw_bytes', 'headers']);
