-- Crash recovery: worker heartbeats, and the rescue of a dead worker's jobs
-- and attempts.
--
-- graphile-worker frees the jobs of a worker that died only 4 hours after it
-- locked them. Every worker process now heartbeats a row of its own
-- (ballast.workers). The rescue_dead_workers task (lib/fleet/rescue.ts) finds
-- workers whose heartbeat went stale, frees their jobs with graphile-worker's
-- own force_unlock_workers(), marks their running attempts `abandoned`, and
-- records what became of each job (ballast.rescued_jobs), so failed-job
-- recovery can tell a crash during a job's last attempt from a job that was
-- superseded or had already done its work.

-- 1. A ledger status for an attempt whose worker died while it ran. ----------

alter domain ballast.attempt_status drop constraint attempt_status_check;
alter domain ballast.attempt_status add constraint attempt_status_check
  check (value in ('running', 'succeeded', 'failed', 'abandoned'));
comment on domain ballast.attempt_status is
  'running, succeeded, failed, or abandoned (its worker stopped heartbeating; error says why)';

-- 2. The fleet: one row per worker process. ---------------------------------

create table ballast.workers (
  worker_id      text primary key,
  host           text not null,
  pid            int not null,
  -- graphile-worker locks jobs with the id of its worker pool (`pool-…`), the
  -- locked_by of ballast.queued_jobs; a process has one pool per runner.
  pool_ids       text[] not null default '{}',
  tasks          text[] not null,
  concurrency    int not null,
  beat_ms        int not null check (beat_ms > 0),
  started_at     timestamptz not null default now(),
  last_beat_at   timestamptz not null default now(),
  -- Start of the current run of beats without a gap (a gap: no beat for 3
  -- intervals). A rescue acts only when some worker has beaten without a gap
  -- for the whole grace period: right after a database outage every
  -- heartbeat is stale, and none of those workers is dead.
  beating_since  timestamptz not null default now(),
  stopped_at     timestamptz,
  rescued_at     timestamptz,
  rescue_reason  text,
  check ((rescued_at is null) = (rescue_reason is null))
);
comment on table ballast.workers is
  'one row per worker process, heartbeated while it runs (lib/fleet/heartbeat.ts); written only through ballast.beat_worker, ballast.stop_worker and ballast.rescue_workers';
comment on column ballast.workers.worker_id is 'host:pid:random, the worker_id of its rows in ballast.job_attempts';
comment on column ballast.workers.stopped_at is 'a graceful stop: its jobs were finished or returned';
comment on column ballast.workers.rescued_at is 'declared dead by the rescue: its jobs were freed and its running attempts abandoned';
create index workers_alive_idx on ballast.workers (last_beat_at) where stopped_at is null and rescued_at is null;
create index workers_pool_ids_idx on ballast.workers using gin (pool_ids);

-- 3. What became of each job a rescue freed. --------------------------------

create table ballast.rescued_jobs (
  id           bigint generated always as identity primary key,
  job_id       bigint not null,
  task         text not null,
  attempt      int not null, -- the attempt the dead worker held
  max_attempts int not null,
  worker_id    text not null,
  pool_id      text not null,
  -- retry: freed, runs again; last_attempt: freed, but that was its last
  -- attempt (failed-job recovery writes its dead letter with `reason`);
  -- superseded: add_job replaced it through its job key while it was locked,
  -- the newer job does the work, so it was removed; completed: its attempt had
  -- committed its success before the worker died, so it was removed.
  outcome      text not null check (outcome in ('retry', 'last_attempt', 'superseded', 'completed')),
  reason       text not null,
  trace_id     text,
  rescued_at   timestamptz not null default now()
);
comment on table ballast.rescued_jobs is 'what the rescue of a dead worker did with each job it held (lib/fleet/rescue.ts)';
create index rescued_jobs_job_idx on ballast.rescued_jobs (job_id);
create index rescued_jobs_time_idx on ballast.rescued_jobs (rescued_at desc);

-- 4. The worker's doors. ------------------------------------------------------

/*
 * Has some live worker beaten without a gap for the whole grace period? Only
 * then can a silent worker be told from a database that was away: right
 * after an outage every heartbeat is stale, and none of those workers is
 * dead. The rescue acts only when this holds.
 */
create function ballast.fleet_heard_for(p_grace interval) returns boolean
  language sql stable set search_path = pg_catalog, pg_temp as $$
  select exists (select 1 from ballast.workers l
                  where l.stopped_at is null and l.rescued_at is null
                    and l.last_beat_at >= now() - make_interval(secs => 3 * l.beat_ms / 1000.0)
                    and l.beating_since <= now() - p_grace) $$;

/*
 * A worker's heartbeat: inserts its row, or refreshes it. Returns the row's
 * rescued_at: not null means the fleet declared this worker dead (it was
 * silent for longer than the grace period) and it must stop; such a row is
 * never revived.
 */
create function ballast.beat_worker(p_worker_id text, p_host text, p_pid int, p_pool_ids text[], p_tasks text[],
                                    p_concurrency int, p_beat_ms int) returns timestamptz
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_rescued timestamptz;
begin
  insert into ballast.workers as w (worker_id, host, pid, pool_ids, tasks, concurrency, beat_ms)
  values (p_worker_id, p_host, p_pid, coalesce(p_pool_ids, '{}'), p_tasks, p_concurrency, p_beat_ms)
  on conflict (worker_id) do update set
    pool_ids = excluded.pool_ids,
    tasks = excluded.tasks,
    concurrency = excluded.concurrency,
    beat_ms = excluded.beat_ms,
    beating_since = case when w.last_beat_at < now() - make_interval(secs => 3 * w.beat_ms / 1000.0)
                         then now() else w.beating_since end,
    last_beat_at = now()
   where w.rescued_at is null and w.stopped_at is null;
  select w.rescued_at into v_rescued from ballast.workers w where w.worker_id = p_worker_id;
  return v_rescued;
end $$;
comment on function ballast.beat_worker(text, text, int, text[], text[], int, int) is
  'a worker''s heartbeat; returns rescued_at, not null when the fleet declared it dead';

/* A graceful stop: the worker finished or returned its jobs. */
create function ballast.stop_worker(p_worker_id text) returns void
  language sql security definer set search_path = pg_catalog, pg_temp as $$
  update ballast.workers set stopped_at = now()
   where worker_id = p_worker_id and stopped_at is null and rescued_at is null $$;

/*
 * Declares dead the workers silent for longer than the grace period (and
 * never less than 3 of their own heartbeat intervals) that have no attempt
 * heartbeating either, at most p_limit of them, and returns them with their
 * pool ids. Nothing happens unless some live worker has beaten without a gap
 * for the whole grace period (ballast.fleet_heard_for).
 * Concurrent rescues each get different workers: the UPDATE re-checks
 * `rescued_at is null` on a row another rescue has just claimed.
 */
create function ballast.rescue_workers(p_grace_seconds numeric, p_limit int)
  returns table (worker_id text, pool_ids text[], last_beat_at timestamptz, reason text)
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  v_grace interval;
begin
  if p_grace_seconds is null or p_grace_seconds <= 0 then
    raise exception 'ballast.rescue_workers: the grace period must be positive, got %', p_grace_seconds using errcode = '22023';
  end if;
  v_grace := make_interval(secs => p_grace_seconds);
  if not ballast.fleet_heard_for(v_grace) then
    return;
  end if;
  return query
  with rescued as (
  update ballast.workers w
     set rescued_at = now(),
         rescue_reason = format('worker %s (pid %s on %s) stopped heartbeating at %s; rescued after %s s of silence',
                                w.worker_id, w.pid, w.host, w.last_beat_at,
                                round(extract(epoch from now() - w.last_beat_at)::numeric, 1))
    from (select d.worker_id from ballast.workers d
           where d.stopped_at is null and d.rescued_at is null
             and d.last_beat_at < now() - greatest(v_grace, make_interval(secs => 3 * d.beat_ms / 1000.0))
             and not exists (select 1 from ballast.job_attempts a
                              where a.status = 'running' and a.worker_id = d.worker_id and a.heartbeat_at >= now() - v_grace)
           order by d.last_beat_at
           limit p_limit) dead
   where w.worker_id = dead.worker_id and w.rescued_at is null and w.stopped_at is null
  returning w.worker_id, w.pool_ids, w.last_beat_at, w.rescue_reason)
  select * from rescued;
end $$;

/*
 * Marks `abandoned` every running attempt whose own heartbeat is older than
 * the grace period and whose worker is not alive: declared dead, stopped, or
 * with no row at all (a worker from before heartbeats). An attempt of a live
 * worker is never touched, however slow. `will_retry` says whether its job
 * is still queued with attempts left. Nothing happens unless some live worker
 * has beaten without a gap for the whole grace period (ballast.fleet_heard_for).
 * Returns how many.
 */
create function ballast.abandon_attempts(p_grace_seconds numeric) returns int
  language plpgsql security definer set search_path = pg_catalog, pg_temp as $$
declare
  n int;
begin
  if p_grace_seconds is null or p_grace_seconds <= 0 then
    raise exception 'ballast.abandon_attempts: the grace period must be positive, got %', p_grace_seconds using errcode = '22023';
  end if;
  if not ballast.fleet_heard_for(make_interval(secs => p_grace_seconds)) then
    return 0;
  end if;
  update ballast.job_attempts a
     set status = 'abandoned',
         finished_at = now(),
         error = coalesce(w.rescue_reason,
                          case when w.stopped_at is not null then format('worker %s stopped at %s while this attempt ran', a.worker_id, w.stopped_at)
                               else format('worker %s has no heartbeat row; the attempt''s last heartbeat was at %s', a.worker_id, a.heartbeat_at) end),
         will_retry = exists (select 1 from ballast.queued_jobs j where j.id = a.job_id and j.attempts < j.max_attempts)
    from ballast.job_attempts r
    left join ballast.workers w on w.worker_id = r.worker_id
   where a.span_id = r.span_id
     and r.status = 'running'
     and r.heartbeat_at < now() - make_interval(secs => p_grace_seconds)
     and (w.worker_id is null or w.rescued_at is not null or w.stopped_at is not null);
  get diagnostics n = row_count;
  return n;
end $$;

alter function ballast.beat_worker(text, text, int, text[], text[], int, int) owner to ballast_owner;
alter function ballast.stop_worker(text) owner to ballast_owner;
alter function ballast.rescue_workers(numeric, int) owner to ballast_owner;
alter function ballast.abandon_attempts(numeric) owner to ballast_owner;
revoke execute on function ballast.beat_worker(text, text, int, text[], text[], int, int), ballast.stop_worker(text),
  ballast.rescue_workers(numeric, int), ballast.abandon_attempts(numeric) from public;
-- Every worker heartbeats; the rescue_dead_workers task runs as the worker.
grant execute on function ballast.beat_worker(text, text, int, text[], text[], int, int), ballast.stop_worker(text),
  ballast.rescue_workers(numeric, int), ballast.abandon_attempts(numeric) to ballast_worker;

-- The fleet's rows change only through the functions above; what a rescue
-- did is evidence: the worker appends, never rewrites.
revoke insert, update, delete, truncate on ballast.workers from ballast_worker, ballast_ingest, ballast_forensics;
revoke update, delete, truncate on ballast.rescued_jobs from ballast_worker, ballast_ingest, ballast_forensics;
grant select on ballast.workers, ballast.rescued_jobs to ballast_owner, ballast_worker, ballast_forensics;

-- 5. Failed-job recovery: never a dead letter for a job that did its work. --

-- Jobs graphile-worker holds as failed for good, with no dead letter: the
-- crash window between "the job failed" and "the dead letter was written",
-- and a crash during a job's last attempt (its rescue says why). Not failures:
-- a job superseded through its job_key while it ran (graphile-worker sets its
-- attempts to max_attempts so it never retries; the newer job does the work),
-- seen by the rescue, or by its last ledger row saying "will retry" for an
-- earlier attempt; and a job whose attempt succeeded in the ledger (its
-- worker died before graphile-worker heard of the success).
create or replace view ballast.unrecorded_failed_jobs as
select j.*
  from ballast.queued_jobs j
 where j.attempts >= j.max_attempts
   and j.locked_at is null
   and not exists (select 1 from ballast.pipeline_failures f
                    where f.context->>'job_id' = j.id::text or f.id::text = j.payload->>'replay_of')
   and not exists (select 1 from (select a.attempt, a.will_retry from ballast.job_attempts a
                                   where a.job_id = j.id order by a.attempt desc limit 1) last
                    where last.will_retry and last.attempt < j.attempts - 1)
   and not exists (select 1 from ballast.job_attempts a where a.job_id = j.id and a.status = 'succeeded')
   and not exists (select 1 from ballast.rescued_jobs r where r.job_id = j.id and r.outcome in ('superseded', 'completed'));
