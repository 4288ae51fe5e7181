-- Search that never drifts (issue 5; seed 003, phases 4 and 5).
--
-- Postgres is the source of truth; Qdrant is a projection of it. Triggers on
-- the decision tables write a row to search.outbox in the same transaction as
-- the change and wake one debounced `search_sync` job. The sync task drains the
-- outbox into Qdrant; the reconciler diffs search.expected_documents against
-- the collection and enqueues repairs to the same outbox.

create schema search;
comment on schema search is 'transactional outbox to Qdrant, versions, reconciliation runs';

-- One monotonic counter for every indexed entity. A change takes the next
-- value while it holds the entity's row lock, so per entity the versions grow
-- in commit order; the sync task never lets a lower version overwrite a higher.
create sequence search.version_seq;

create function search.point_id(entity text, entity_id bigint) returns uuid
  language sql immutable parallel safe
  as $$ select md5('ballast:' || entity || ':' || entity_id)::uuid $$;
comment on function search.point_id is 'stable Qdrant point id of a decision (same formula in lib/search/points.ts)';

create table search.versions (
  entity     text not null,
  entity_id  bigint not null,
  version    bigint not null,
  changed_at timestamptz not null default now(),
  primary key (entity, entity_id)
);
comment on table search.versions is 'current index version of each live decision (deleted decisions have no row)';

create table search.outbox (
  id            bigint generated always as identity primary key,
  point_id      uuid not null,
  entity        text not null,
  entity_id     bigint,
  op            text not null check (op in ('upsert', 'delete')),
  version       bigint not null,
  reason        text not null default 'change' check (reason in ('change', 'repair', 'backfill')),
  status        text not null default 'pending' check (status in ('pending', 'done', 'superseded', 'dead')),
  attempts      int not null default 0,
  last_error    text,
  available_at  timestamptz not null default now(),
  enqueued_at   timestamptz not null default clock_timestamp(),
  processed_at  timestamptz,
  trace_id      text,
  reconcile_run bigint
);
comment on table search.outbox is 'seed 003 "search_outbox": one row per change to an indexed decision; drained by search_sync';
comment on column search.outbox.op is 'what the trigger saw; the sync task writes whatever Postgres holds when it runs';
comment on column search.outbox.status is 'pending -> done | superseded (a newer row for the same point) | dead (out of attempts; see ops/runbooks/search.md)';
create index outbox_pending_idx on search.outbox (id) where status = 'pending';
create index outbox_dead_idx on search.outbox (id) where status = 'dead';
create index outbox_processed_idx on search.outbox (processed_at);

-- What the index must contain: one document per summary and per claim, with
-- the exact text that is embedded and its hash (the reconciler compares it).
create view search.expected_documents as
select 'summary'::text as entity, s.interaction_id as entity_id,
       search.point_id('summary', s.interaction_id) as point_id,
       i.org_id, s.interaction_id, coalesce(v.version, 0) as version,
       null::text as kind, s.summary as content, md5(s.summary) as content_hash,
       s.trace_id, s.correlation_id, s.produced_by, s.producer_version, s.model_version, s.prompt_version, s.produced_at
  from app.summaries s
  join app.interactions i on i.id = s.interaction_id
  left join search.versions v on v.entity = 'summary' and v.entity_id = s.interaction_id
union all
select 'claim', c.id, search.point_id('claim', c.id),
       i.org_id, c.interaction_id, coalesce(v.version, 0),
       c.kind, c.kind || ': ' || c.text, md5(c.kind || ': ' || c.text),
       c.trace_id, c.correlation_id, c.produced_by, c.producer_version, c.model_version, c.prompt_version, c.produced_at
  from app.claims c
  join app.interactions i on i.id = c.interaction_id
  left join search.versions v on v.entity = 'claim' and v.entity_id = c.id;
comment on view search.expected_documents is 'the index set Postgres expects (reconciler) and the documents the sync task writes';

-- Wakes the sync task. preserve_run_at makes a burst of changes one job that
-- runs as soon as a worker is free, not one job per change. PL/pgSQL, so its
-- plan is kept: it is called once per statement that changes a decision.
create function search.wake_sync(trace text, correlation text) returns void
  language plpgsql as $$
begin
  perform graphile_worker.add_job(
    'search_sync',
    json_build_object('trace_id', trace, 'correlation_id', correlation),
    job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25);
end $$;

-- Schedules a sync at `at` (rows waiting out a retry backoff, repairs).
create function search.schedule_sync(at timestamptz, trace text, correlation text) returns void
  language sql as $$
  select graphile_worker.add_job(
    'search_sync',
    json_build_object('trace_id', trace, 'correlation_id', correlation),
    run_at => at, job_key => 'search_sync', job_key_mode => 'preserve_run_at', max_attempts => 25);
$$;

-- Statement-level: one outbox insert and one wake per statement, however many rows.
create function search.capture_changes() returns trigger
  language plpgsql as $$
declare
  entity constant text := tg_argv[0];
  key_col constant text := tg_argv[1];
  trace text;
  corr text;
begin
  if tg_op = 'DELETE' then
    execute format(
      'with gone as (delete from search.versions v using old_rows o where v.entity = $1 and v.entity_id = o.%I returning v.entity_id)
       insert into search.outbox (point_id, entity, entity_id, op, version, trace_id)
       select search.point_id($1, o.%I), $1, o.%I, ''delete'', nextval(''search.version_seq''), o.trace_id from old_rows o order by o.%I',
      key_col, key_col, key_col, key_col) using entity;
    execute 'select trace_id, correlation_id from old_rows limit 1' into trace, corr;
  else
    execute format(
      'with changed as (
         insert into search.versions as v (entity, entity_id, version)
         select $1, n.%I, nextval(''search.version_seq'') from new_rows n order by n.%I
         on conflict (entity, entity_id) do update set version = excluded.version, changed_at = now()
         returning v.entity_id, v.version)
       insert into search.outbox (point_id, entity, entity_id, op, version, trace_id)
       select search.point_id($1, c.entity_id), $1, c.entity_id, ''upsert'', c.version, n.trace_id
         from changed c join new_rows n on n.%I = c.entity_id',
      key_col, key_col, key_col) using entity;
    execute 'select trace_id, correlation_id from new_rows limit 1' into trace, corr;
  end if;
  if trace is not null then
    perform search.wake_sync(coalesce(ballast.setting('trace_id'), trace), coalesce(ballast.setting('correlation_id'), corr));
  end if;
  return null;
end $$;

create trigger summaries_search_insert after insert on app.summaries
  referencing new table as new_rows for each statement execute function search.capture_changes('summary', 'interaction_id');
create trigger summaries_search_update after update on app.summaries
  referencing new table as new_rows for each statement execute function search.capture_changes('summary', 'interaction_id');
create trigger summaries_search_delete after delete on app.summaries
  referencing old table as old_rows for each statement execute function search.capture_changes('summary', 'interaction_id');
create trigger claims_search_insert after insert on app.claims
  referencing new table as new_rows for each statement execute function search.capture_changes('claim', 'id');
create trigger claims_search_update after update on app.claims
  referencing new table as new_rows for each statement execute function search.capture_changes('claim', 'id');
create trigger claims_search_delete after delete on app.claims
  referencing old table as old_rows for each statement execute function search.capture_changes('claim', 'id');

-- One row per reconciliation (seed 003 phase 5 metrics: drift and repair outcomes).
create table search.reconcile_runs (
  id           bigint generated always as identity primary key,
  started_at   timestamptz not null default now(),
  finished_at  timestamptz,
  duration_ms  int,
  collection   text not null,
  status       text not null default 'running' check (status in ('running', 'clean', 'repaired', 'partial', 'failed')),
  expected     bigint not null default 0,
  actual       bigint not null default 0,
  missing      bigint not null default 0,
  stale        bigint not null default 0,
  orphaned     bigint not null default 0,
  repaired     bigint not null default 0,
  unrepaired   bigint not null default 0,
  error        text,
  trace_id     text,
  triggered_by text not null
);
comment on table search.reconcile_runs is 'reconciliation runs: drift found and repairs enqueued; unrepaired > 0 means the repair bound was hit';

-- One row per sync batch: what was written, how long it took.
create table search.sync_runs (
  id           bigint generated always as identity primary key,
  at           timestamptz not null default now(),
  claimed      int not null,
  upserted     int not null,
  deleted      int not null,
  superseded   int not null,
  failed       int not null,
  dead         int not null,
  duration_ms  int not null,
  error        text,
  trace_id     text
);
create index sync_runs_at_idx on search.sync_runs (at);
