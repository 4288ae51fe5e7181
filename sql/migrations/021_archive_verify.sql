-- How deep the nightly archive verification goes, per table (lib/archive/verify.ts,
-- docs/retention.md "Verification"):
--   file  the file is read back from the store, its sha256 recomputed, its rows
--         counted and their shape checked, and the count and content hash compared
--         with the live partition (again under a lock before the purge);
--   rows  as file, and the file is also loaded into a temp table of the real column
--         types and PostgreSQL rehashes the rows: proof that the file restores into
--         exactly the archived rows, at about two COPYs' cost.
-- `ballast archive verify` goes to `rows` unless told otherwise. The audit ledger
-- ships with `rows`: its archive is the one a chain verification reads back.
alter table ballast.retention_policies
  add column verify text not null default 'file' check (verify in ('file', 'rows'));
comment on column ballast.retention_policies.verify is
  'how deep the archive_partitions task verifies an export before a purge: file (sha256, row count and shape, live count and hash) or rows (also reloads the rows and rehashes them)';

update ballast.retention_policies set verify = 'rows' where table_name = 'audit.ledger';
