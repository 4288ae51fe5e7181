-- The ledger's format checks as domains. A table's CHECK constraint is read
-- back from its stored expression and compiled for every INSERT statement;
-- a domain's check is compiled once per session and only evaluated per row.
-- The ledger takes one INSERT per job that writes (in the job's own
-- transaction), so the two regex checks were about a fifth of its cost.
-- Same rules, same refusal (SQLSTATE 23514), different constraint names.
create domain ballast.trace_id as text check (value ~ '^[0-9a-f]{32}$');
comment on domain ballast.trace_id is 'W3C trace id: 32 lowercase hex digits';
create domain ballast.span_id as text check (value ~ '^[0-9a-f]{16}$');
comment on domain ballast.span_id is 'W3C span id: 16 lowercase hex digits';

-- The success trigger's condition reads trace_id: set it aside while the type changes.
drop trigger job_attempts_succeeded on ballast.job_attempts;
alter table ballast.job_attempts
  drop constraint job_attempts_trace_id_check,
  drop constraint job_attempts_span_id_check,
  alter column trace_id type ballast.trace_id,
  alter column span_id type ballast.span_id;
create trigger job_attempts_succeeded
  after insert or update of status on ballast.job_attempts
  for each row when (new.status = 'succeeded' and (new.trace_id is null or new.replay_of is not null))
  execute function ballast.attempt_succeeded();
