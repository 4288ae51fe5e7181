-- Webhook inbox (seed 001, "Webhook Handling"): the raw body is kept before
-- any processing; (source, webhook_id) is the idempotency key; an insert
-- starts the pipeline, whether it comes from the receiver or from psql.

create schema ingest;
comment on schema ingest is 'raw inbound events, kept before processing';

create table ingest.webhook_events (
  id              bigint generated always as identity primary key,
  source          text not null check (source ~ '^[a-z0-9][a-z0-9_-]*$'),
  webhook_id      text not null check (length(webhook_id) between 1 and 200),
  event_type      text,
  received_at     timestamptz not null default now(),
  raw_body        text not null,
  payload         jsonb,
  headers         jsonb not null default '{}',
  trace_id        text not null check (trace_id ~ '^[0-9a-f]{32}$'),
  span_id         text not null check (span_id ~ '^[0-9a-f]{16}$'),
  correlation_id  text not null,
  status          text not null default 'received'
                  check (status in ('received', 'rejected', 'processing', 'completed', 'quarantined')),
  status_reason   text,
  stages_done     text[] not null default '{}',
  processed_at    timestamptz,
  unique (source, webhook_id)
);
comment on table ingest.webhook_events is 'inbox: one row per delivered webhook; unique (source, webhook_id)';
comment on column ingest.webhook_events.status is
  'received -> processing -> completed | quarantined; rejected = kept but never started (e.g. malformed JSON)';
create index webhook_events_trace_idx on ingest.webhook_events (trace_id);
create index webhook_events_correlation_idx on ingest.webhook_events (correlation_id);
create index webhook_events_open_idx on ingest.webhook_events (received_at) where status in ('received', 'processing');
-- One event per correlation id: a decision stage finds its event by it (app.decision_done()).
create unique index webhook_events_correlation_key on ingest.webhook_events (correlation_id);

-- Fills what a plain SQL insert leaves out, so
--   insert into ingest.webhook_events (source, payload) values ('telephony', '{...}')
-- is a complete, traced event.
create function ingest.fill_event_defaults() returns trigger
  language plpgsql as $$
begin
  new.webhook_id     := coalesce(new.webhook_id, 'sql_' || replace(gen_random_uuid()::text, '-', ''));
  new.raw_body       := coalesce(new.raw_body, new.payload::text);
  if new.payload is null and new.status = 'received' then
    begin
      new.payload := new.raw_body::jsonb;
    exception when others then
      new.status := 'rejected';
      new.status_reason := coalesce(new.status_reason, 'body is not valid JSON');
    end;
  end if;
  new.event_type     := coalesce(new.event_type, new.payload->>'type');
  new.trace_id       := coalesce(new.trace_id, ballast.setting('trace_id'), ballast.new_trace_id());
  new.span_id        := coalesce(new.span_id, ballast.new_span_id());
  new.correlation_id := coalesce(new.correlation_id, new.source || ':' || new.webhook_id);
  return new;
end $$;
create trigger webhook_events_defaults before insert on ingest.webhook_events
  for each row execute function ingest.fill_event_defaults();

-- The first stage. The job carries the event's trace; job_key makes a
-- repeated enqueue for the same event replace, not duplicate, a waiting job.
-- Security definer (owned by ballast_owner, 007_roles): the receiver's role
-- may insert an event but has no rights on the queue.
create function ingest.enqueue_first_stage() returns trigger
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
begin
  perform graphile_worker.add_job(
    'normalize_event',
    json_build_object('event_id', new.id, 'trace_id', new.trace_id,
                      'parent_span_id', new.span_id, 'correlation_id', new.correlation_id),
    job_key => 'normalize_event:' || new.id,
    max_attempts => 10);
  return null;
end $$;
create trigger webhook_events_start after insert on ingest.webhook_events
  for each row when (new.status = 'received')
  execute function ingest.enqueue_first_stage();

-- The receiver answers a re-delivery with the stored event's id and status.
-- Its role may insert into the inbox but not read it, so this one narrow
-- lookup is a security-definer function.
create function ingest.delivery_status(p_source text, p_webhook_id text)
  returns table (id bigint, status text, status_reason text, trace_id text)
  language sql stable security definer set search_path = pg_catalog, ingest, pg_temp as $$
  select e.id, e.status, e.status_reason, e.trace_id from ingest.webhook_events e
   where e.source = p_source and e.webhook_id = p_webhook_id $$;
