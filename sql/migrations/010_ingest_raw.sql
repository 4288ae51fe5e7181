-- Bodies kept exactly as received. The receiver stores a body as text when
-- its bytes are valid UTF-8 without NUL (a UTF8 database keeps such text
-- byte for byte); any other body can never be a JSON event, so it is kept
-- as its bytes in raw_bytes, on a `rejected` row, and answered 400. A row
-- holds its body in exactly one of the two columns.
alter table ingest.webhook_events
  add column raw_bytes bytea,
  alter column raw_body drop not null,
  add constraint webhook_events_one_raw_body check (num_nonnulls(raw_body, raw_bytes) = 1),
  add constraint webhook_events_bytes_rejected check (raw_bytes is null or status = 'rejected');
comment on column ingest.webhook_events.raw_body is
  'the body as received, when it is valid UTF-8 without NUL; else null and the bytes are in raw_bytes';
comment on column ingest.webhook_events.raw_bytes is
  'the body as received, for bodies that are not storable as text (invalid UTF-8, a NUL byte); such rows are rejected';

-- The ledger records that a body was kept, never the bytes. event_type is
-- copied from the body's "type", so it is the sender's free text too (a
-- type naming an e-mail address reached the ledger). status_reason is
-- masked where it is written (normalize_event), so it stays readable here.
select audit.enable('ingest.webhook_events', gated => true,
                    redact => array['raw_body', 'raw_bytes', 'payload', 'headers', 'event_type']);
