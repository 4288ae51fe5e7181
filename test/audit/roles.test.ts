import t from 'tap';
import pg from 'pg';
import { z } from 'zod';
import { Db, ROLES, withRole, type DbRole } from '../../lib/db/index.ts';
import { rescueDeadWorkers } from '../../lib/fleet/index.ts';
import { defineStage, PermanentError } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const { db, url } = await testDatabase(t);
await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('r1', 'u', '+15550001111')`);
await db.query(`select audit.seal()`);

async function as<T>(role: DbRole, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withRole(url, role) });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}
const denied = /permission denied|append-only|row-level security/;

for (const role of Object.values(ROLES)) {
  t.test(`${role}: the audit ledger cannot be changed`, async (t) => {
    await as(role, async (c) => {
      t.equal((await c.query('select current_user')).rows[0].current_user, role, 'the connection acts as the role');
      await t.rejects(c.query(`update audit.ledger set actor = 'x'`), denied);
      await t.rejects(c.query(`delete from audit.ledger`), denied);
      await t.rejects(c.query(`truncate audit.ledger`), denied);
      await t.rejects(c.query(`delete from audit.chain`), denied);
      // Only the triggers append (as ballast_audit_writer, which no process connects as).
      await t.rejects(c.query(`insert into audit.ledger (actor, db_role, operation, entity_type) values ('x', 'x', 'create', 'forged')`), denied);
      await t.rejects(c.query(`insert into audit.seals (sealed_by, horizon, row_count, head_hash) values ('x', '1', 0, 'x')`), denied);
    });
  });
}

t.test('no role a process acts as can read the redaction key or compute a mask', async (t) => {
  for (const role of Object.values(ROLES)) {
    await as(role, async (c) => {
      await t.rejects(c.query('select * from audit.redaction_key'), denied, `${role} cannot read the key`);
      await t.rejects(c.query(`select audit.redact('{"phone": "+15550001111"}', '{phone}')`), denied, `${role} cannot test a guess`);
    });
  }
  // A rejected event starts no job (the ingest test below counts them).
  const { rows: [ev] } = await db.query(`insert into ingest.webhook_events (source, raw_body, status) values ('telephony', 'x', 'rejected') returning id`);
  await as(ROLES.worker, (c) => c.query(
    `insert into app.unknown_phone (event_id, source, phone_number, trace_id, correlation_id, span_id, produced_by, producer_version)
     values ($1, 'telephony', '+15550003333', '4bf92f3577b34da6a3ce929d0e0e4736', 'c', '00f067aa0ba902b7', 't', '1')`, [ev.id]));
  const { rows: [masked] } = await db.query(`select after_data->>'phone_number' as v from audit.ledger where entity_type = 'app.unknown_phone'`);
  t.match(masked.v, /^hmac-sha256:[0-9a-f]{16}$/, 'yet the trigger masks the worker\'s write with it');
});

t.test('ingest can only insert into the inbox (and read back its acknowledgement)', async (t) => {
  await as(ROLES.ingest, async (c) => {
    const { rows: [ev] } = await c.query(
      `insert into ingest.webhook_events (source, webhook_id, raw_body, payload) values ('telephony', 'wh_role', '{}', '{"type":"x"}') returning id`);
    t.ok(ev.id, 'insert with RETURNING id works, and its trigger enqueued the first stage');
    await t.rejects(c.query('select raw_body from ingest.webhook_events'), denied);
    await t.rejects(c.query(`update ingest.webhook_events set status = 'completed'`), denied);
    await t.rejects(c.query('delete from ingest.webhook_events'), denied);
    await t.rejects(c.query('select * from app.agents'), denied);
    await t.rejects(c.query(`insert into app.agents (agent_id, user_id, phone_number) values ('x', 'u', '+15550002222')`), denied);
    await t.rejects(c.query(`select graphile_worker.add_job('normalize_event', '{}')`), denied);
    // A re-delivered body reaches its table only through the function that compares it with the first.
    const { rows: [re] } = await c.query(`select conflict_id from ingest.note_redelivery('telephony', 'wh_role', '{"type":"y"}', null, '{}',
      '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7')`);
    t.ok(re.conflict_id, 'a differing body is kept through ingest.note_redelivery');
    await t.rejects(c.query('select raw_body from ingest.redelivery_conflicts'), denied, 'and is not read back');
    await t.rejects(c.query(`insert into ingest.redelivery_conflicts (source, webhook_id, event_id, raw_body, body_sha256, body_bytes, trace_id, span_id, correlation_id)
      values ('telephony', 'wh_role', $1, 'forged', repeat('0', 64), 6, '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7', 'c')`, [ev.id]), denied,
      'nor written by hand');
    await t.rejects(c.query(`update ingest.redelivery_conflicts set deliveries = 9`), denied);
  });
  await as(ROLES.worker, async (c) => {
    // The archive task (the worker) exports and hashes them, as it does the inbox's raw bodies; it never writes them.
    await t.rejects(c.query(`update ingest.redelivery_conflicts set deliveries = 9`), denied, 'the worker reads re-delivered bodies, never writes them');
    await t.rejects(c.query(`select * from ingest.note_redelivery('telephony', 'wh_role', '{}', null, '{}', '4bf92f3577b34da6a3ce929d0e0e4736', '00f067aa0ba902b7')`),
      /permission denied for function note_redelivery/);
  });
  await as(ROLES.forensics, async (c) => {
    t.equal((await c.query('select raw_body from ingest.redelivery_conflicts')).rows[0]?.raw_body, '{"type":"y"}', 'forensics reads the kept body');
    await t.rejects(c.query(`delete from ingest.redelivery_conflicts`), denied);
  });
  const { rows } = await db.query(`select count(*)::int n from ballast.queued_jobs where task_identifier = 'normalize_event'`);
  t.equal(rows[0].n, 1, 'the SECURITY DEFINER trigger enqueued the job');
});

t.test('worker runs the pipeline but cannot touch migrations, settings or the audit trail', async (t) => {
  let written = '';
  await as(ROLES.worker, async (c) => {
    await c.query(`select graphile_worker.add_job('segment_interaction', '{"interaction_id": 1}')`);
    const { rows: [ev] } = await c.query(`insert into ingest.webhook_events (source, raw_body, status) values ('telephony', 'x', 'rejected') returning id`);
    written = String(ev.id);
    t.pass('queue and pipeline tables are writable');
    await t.rejects(c.query(`update app.agents set nickname = 'n' where agent_id = 'r1'`), denied, 'agents are provisioned by the owner');
    const sealed = (await c.query('select sealed from audit.seal()')).rows[0];
    t.ok(sealed.sealed >= 1, 'the worker seals through the SECURITY DEFINER function');
    await t.rejects(c.query(`delete from public.migrations`), denied);
    await t.rejects(c.query(`insert into graphile_worker.migrations (id) values (9999)`), denied);
    await t.rejects(c.query(`update ballast.trace_policy set mode = 'strict'`), denied);
    await t.rejects(c.query(`select audit.enable('app.agents')`), denied);
    await t.rejects(c.query('create table app.evil (x int)'), denied);
    await t.rejects(c.query('delete from ballast.error_envelopes'), denied);
    await t.rejects(c.query('update ballast.error_envelopes set severity = severity'), denied);
  });
  const { rows: [row] } = await db.query(`select db_role from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1`, [written]);
  t.equal(row.db_role, ROLES.worker, 'the audit row names the role that acted');
});

t.test('forensics can read everything and change nothing', async (t) => {
  await as(ROLES.forensics, async (c) => {
    for (const q of ['select count(*) from audit.ledger', 'select count(*) from app.interactions', 'select count(*) from ingest.webhook_events',
      'select count(*) from ballast.job_attempts', 'select count(*) from ballast.queued_jobs', 'select count(*) from replay.decisions']) {
      await c.query(q);
    }
    t.pass('reads succeed');
    await t.rejects(c.query(`update app.agents set nickname = 'x'`), denied);
    await t.rejects(c.query(`insert into ingest.webhook_events (source, payload) values ('telephony', '{}')`), denied);
    await t.rejects(c.query(`select graphile_worker.add_job('normalize_event', '{}')`), denied);
    await t.rejects(c.query(`select audit.seal()`), denied);
    await t.rejects(c.query(`update ballast.trace_policy set mode = 'strict'`), denied);
  });
});

t.test('the owner changes settings; the change is audited', async (t) => {
  await as(ROLES.owner, async (c) => {
    await c.query(`begin; select set_config('ballast.actor', 'cli:ops', true); update ballast.trace_policy set mode = 'strict'; commit`);
  });
  const { rows: [row] } = await db.query(`select actor, before_data->>'mode' b, after_data->>'mode' a from audit.ledger where entity_type = 'ballast.trace_policy' order by id desc limit 1`);
  t.same(row, { actor: 'cli:ops', b: 'log_only', a: 'strict' });
});

// ---------------------------------------------------------------------------
// The matrix: what each role may do to each table, and who may execute each
// SECURITY DEFINER function. A new table or function fails these tests until
// it is given its row here.

type Privs = Record<'owner' | 'worker' | 'ingest' | 'forensics', string>;
/** S select, I insert, U update, D delete, T truncate. */
const PIPELINE: Privs = { owner: 'SIUD', worker: 'SIUD', ingest: '', forensics: 'S' };
/** Evidence: the worker may add rows, never rewrite them. */
const APPEND_ONLY: Privs = { owner: 'SIUD', worker: 'SI', ingest: '', forensics: 'S' };
/** Written by the owner only (settings), or only through SECURITY DEFINER functions. */
const OWNER_WRITES: Privs = { owner: 'SIUD', worker: 'S', ingest: '', forensics: 'S' };
/** Written only by the audit triggers (as ballast_audit_writer) or by migrations. */
const READ_ONLY: Privs = { owner: 'S', worker: '', ingest: '', forensics: 'S' };
const TABLES: Record<string, Privs> = {
  // Provisioned by operators (`ballast agents ...`, as the owner); the pipeline reads it.
  'app.agents': OWNER_WRITES,
  'app.claims': PIPELINE,
  'app.conversation_spans': PIPELINE,
  // Purging an interaction is the owner's, with a stated reason (the pipeline never deletes one).
  'app.interactions': { ...PIPELINE, worker: 'SIU' },
  // Usage reconciliation (reconcile_usage task, `reconcile usage` as the worker): runs are opened and closed, mismatches only appended.
  'app.reconciliation_runs': { ...PIPELINE, worker: 'SIU' },
  'app.reconciliation_mismatches': APPEND_ONLY,
  'app.striking_flags': PIPELINE,
  'app.summaries': PIPELINE,
  'app.unknown_phone': PIPELINE,
  // Usage (016_usage): billing lines are evidence (normalize_event adds them,
  // nobody rewrites one); counters are the worker's, never deleted by it;
  // plans are settings; prices are append-only, even for the owner.
  'app.billing_line_items': APPEND_ONLY,
  'app.usage_limits': { ...PIPELINE, worker: 'SIU' },
  'app.usage_plans': OWNER_WRITES,
  'app.tier_snapshots': { owner: 'SI', worker: 'S', ingest: '', forensics: 'S' },
  // The archive task (worker) exports ledger partitions with the chain around them (014_retention).
  'audit.chain': { ...READ_ONLY, worker: 'S' },
  'audit.ledger': { ...READ_ONLY, worker: 'S' },
  'audit.seals': READ_ONLY,
  'audit.tracked_tables': READ_ONLY,
  // Read only by the audit writer (the capture triggers).
  'audit.redaction_key': { owner: '', worker: '', ingest: '', forensics: '' },
  // The evaluate_alerts task (worker) opens, bumps and resolves alerts; `alerts ack|resolve` run as the worker. Only the owner deletes.
  'ballast.alerts': { ...PIPELINE, worker: 'SIU' },
  // The evaluator's memory of conditions not yet held for their rule's "for" duration.
  'ballast.alert_conditions': PIPELINE,
  // What each alert sink still owes (deliver_alerts claims and settles rows), and one row per attempt.
  'ballast.alert_deliveries': { ...PIPELINE, worker: 'SIU' },
  'ballast.alert_delivery_attempts': APPEND_ONLY,
  // Alert rules are settings: `ballast alerts rules --set` (the owner) writes them.
  'ballast.alert_rules': OWNER_WRITES,
  // One row per exported partition; the archive task (worker) moves it along (exported, verified, failed), never deletes it.
  'ballast.archives': { ...PIPELINE, worker: 'SIU' },
  // One row per step of the archive lifecycle: evidence.
  'ballast.archive_runs': APPEND_ONLY,
  'ballast.diagnostic_logs': PIPELINE,
  'ballast.error_envelopes': APPEND_ONLY,
  'ballast.failure_settings': OWNER_WRITES,
  'ballast.job_attempts': APPEND_ONLY,
  'ballast.maintenance_runs': APPEND_ONLY,
  // Which tables are partitioned and how far ahead: a setting, the owner's.
  'ballast.partitioned_tables': OWNER_WRITES,
  'ballast.pipeline_failures': PIPELINE,
  'ballast.policy_violations': OWNER_WRITES,
  // Retention policies are settings: `ballast retention set` (the owner) writes them, audited.
  'ballast.retention_policies': OWNER_WRITES,
  // What the rescue of dead workers did with each job.
  'ballast.rescued_jobs': APPEND_ONLY,
  // One row per restore drill, written by `ballast drill restore` as the owner; a record nobody rewrites.
  'ballast.restore_drills': { owner: 'SI', worker: 'S', ingest: '', forensics: 'S' },
  // The stage registry: `ballast migrate` (the owner) writes it from the stages' declarations.
  'ballast.stages': OWNER_WRITES,
  'ballast.trace_policy': OWNER_WRITES,
  // The fleet's heartbeat rows: written through ballast.beat_worker, stop_worker and rescue_workers only.
  'ballast.workers': OWNER_WRITES,
  'graphile_worker._private_job_queues': PIPELINE,
  'graphile_worker._private_jobs': PIPELINE,
  'graphile_worker._private_known_crontabs': PIPELINE,
  'graphile_worker._private_tasks': PIPELINE,
  'graphile_worker.migrations': OWNER_WRITES,
  // The receiver inserts, and reads back only its acknowledgement columns (a column grant).
  'ingest.webhook_events': { ...PIPELINE, ingest: 'I' },
  // The inbox's idempotency keys, kept for all time: written by its insert trigger (as the owner), never changed but
  // for `rejected`, which its update trigger sets as the keeper when the row leaves `rejected` (032).
  'ingest.webhook_keys': { owner: 'SI', worker: 'S', ingest: '', forensics: 'S' },
  // Re-delivered bodies that differ from the first delivery's: written only through ingest.note_redelivery (as the
  // owner, which inserts a body and counts it again); operators read them, and the owner deletes one with a stated
  // reason (gated); the archive task (the worker) reads them to export them (030_redelivery_retention).
  'ingest.redelivery_conflicts': { owner: 'SIUD', worker: 'S', ingest: '', forensics: 'S' },
  // The archive task records the schema version in each manifest.
  'public.migrations': { ...READ_ONLY, worker: 'S' },
  'replay.decisions': PIPELINE,
  'search.outbox': PIPELINE,
  'search.reconcile_runs': PIPELINE,
  'search.sync_runs': PIPELINE,
  'search.versions': PIPELINE,
};
/** Every settings table: audited, and written by the owner only. */
const SETTINGS = ['ballast.failure_settings', 'ballast.trace_policy'];

t.test('each role has exactly the table privileges of the matrix', async (t) => {
  const { rows } = await db.query<{ tbl: string; role: string; privs: string }>(`
    select format('%I.%I', n.nspname, c.relname) tbl, substr(r.rolname, 9) as role,
           concat(case when has_table_privilege(r.oid, c.oid, 'select') then 'S' end,
                  case when has_table_privilege(r.oid, c.oid, 'insert') then 'I' end,
                  case when has_table_privilege(r.oid, c.oid, 'update') then 'U' end,
                  case when has_table_privilege(r.oid, c.oid, 'delete') then 'D' end,
                  case when has_table_privilege(r.oid, c.oid, 'truncate') then 'T' end) privs
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     cross join pg_roles r
     where c.relkind in ('r', 'p') and not c.relispartition
       and n.nspname in ('app', 'audit', 'ballast', 'graphile_worker', 'ingest', 'public', 'replay', 'search')
       and r.rolname = any ($1)`, [Object.values(ROLES)]);
  const actual: Record<string, Record<string, string>> = {};
  for (const r of rows) (actual[r.tbl] ??= {})[r.role] = r.privs;
  t.same(Object.keys(actual).sort(), Object.keys(TABLES).sort(), 'every table has its row in the matrix');
  for (const [tbl, want] of Object.entries(TABLES)) t.same(actual[tbl], want, tbl);
});

t.test('every settings table is audited and only the owner writes it', async (t) => {
  const { rows: found } = await db.query(`
    select format('%I.%I', n.nspname, c.relname) tbl from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname in ('app', 'ballast', 'ingest', 'replay', 'search')
       and (c.relname ~ '(settings|policy|config)$') order by 1`);
  t.same(found.map((r) => r.tbl), SETTINGS, 'the settings tables are the ones listed');
  const { rows: audited } = await db.query(`select relid::text from audit.tracked_tables where relid::text = any ($1) order by 1`, [SETTINGS]);
  t.same(audited.map((r) => r.relid), SETTINGS, 'each is audited');
  for (const s of SETTINGS) t.same(TABLES[s], OWNER_WRITES, `${s}: only the owner writes`);
  for (const role of [ROLES.worker, ROLES.ingest, ROLES.forensics]) {
    await as(role, async (c) => {
      await t.rejects(c.query('update ballast.failure_settings set replay_max_attempts = 0'), denied, `${role} cannot change failure_settings`);
      await t.rejects(c.query(`update ballast.trace_policy set mode = 'strict'`), denied, `${role} cannot change trace_policy`);
    });
  }
  await as(ROLES.owner, async (c) => {
    await c.query(`begin; select set_config('ballast.actor', 'cli:ops', true); update ballast.failure_settings set replay_max_attempts = 7; commit`);
  });
  const { rows: [row] } = await db.query(`select actor, db_role, before_data->>'replay_max_attempts' b, after_data->>'replay_max_attempts' a
    from audit.ledger where entity_type = 'ballast.failure_settings' order by id desc limit 1`);
  t.same(row, { actor: 'cli:ops', db_role: ROLES.owner, b: '5', a: '7' }, 'the change to failure_settings is in the audit ledger');
});

/**
 * Each SECURITY DEFINER function: the ballast role that owns it (it runs with
 * that role's rights) and every other role granted EXECUTE. Trigger functions
 * need no grant to fire.
 */
type Grantee = DbRole | typeof KEEPER;
interface Definer { owner: 'ballast_owner' | 'ballast_audit_writer' | typeof KEEPER; execute: Grantee[] }
/**
 * Owns the partitioned tables; creating a partition clones the parent's row
 * triggers, which takes EXECUTE on their functions (sql/migrations/013_partitions.sql).
 */
const KEEPER = 'ballast_partition_keeper';
const byOwner = (...execute: Grantee[]): Definer => ({ owner: ROLES.owner, execute });
const byAuditWriter = (...execute: Grantee[]): Definer => ({ owner: 'ballast_audit_writer', execute });
const DEFINER: Record<string, Definer> = {
  'app.decision_done()': byOwner(ROLES.worker),
  'app.enqueue_decisions()': byOwner(),
  'app.enqueue_segmentation()': byOwner(),
  'audit.capture_delete()': byAuditWriter(KEEPER),
  'audit.capture_delete_simple()': byAuditWriter(KEEPER),
  'audit.capture_grant()': byAuditWriter(),
  'audit.capture_insert()': byAuditWriter(KEEPER),
  'audit.capture_insert_simple()': byAuditWriter(KEEPER),
  'audit.capture_truncate()': byAuditWriter(KEEPER),
  'audit.capture_update()': byAuditWriter(KEEPER),
  'audit.capture_update_simple()': byAuditWriter(KEEPER),
  // The audit_seal cron task (worker) and `ballast audit seal` (owner).
  'audit.seal(integer)': byAuditWriter(ROLES.owner, ROLES.worker),
  'ballast.abandon_attempts(numeric)': byOwner(ROLES.worker),
  'ballast.attempt_succeeded()': byOwner(KEEPER),
  // Every worker's heartbeat, and the rescue_dead_workers task (as the worker).
  'ballast.beat_worker(text,text,integer,text[],text[],integer,integer)': byOwner(ROLES.worker),
  // Destructive: the owner alone, with a stated reason.
  'ballast.cleanup_old_errors(integer)': byOwner(),
  'ballast.finish_attempts(json)': byOwner(ROLES.worker),
  'ballast.heartbeat_attempts(json)': byOwner(ROLES.worker),
  // Called by record_failure and replay_dead_letter only.
  'ballast.log_diagnostic(text,text,text,text,text,jsonb)': byOwner(),
  // The maintain_partitions task: creates partitions ahead, as their owner.
  'ballast.maintain_partitions(timestamp with time zone)': { owner: KEEPER, execute: [ROLES.worker] },
  // The retention gate (014): the archive_partitions task rewrites warm partitions compressed, and drops archived
  // ones only after their archive was verified and their rows still match it, as the tables' owner.
  'ballast.compress_partition(regclass,regclass,text)': { owner: KEEPER, execute: [ROLES.worker] },
  'ballast.purge_partition(bigint)': { owner: KEEPER, execute: [ROLES.worker] },
  // Stages, the search sync and failed-job recovery; the receiver has its own door.
  'ballast.record_failure(jsonb,jsonb,jsonb)': byOwner(ROLES.worker),
  'ballast.replay_dead_letter(uuid,boolean)': byOwner(ROLES.worker),
  'ballast.rescue_workers(numeric,integer)': byOwner(ROLES.worker),
  'ballast.stop_worker(text)': byOwner(ROLES.worker),
  // The inbox's insert trigger: claims a delivery's keys in ingest.webhook_keys.
  'ingest.claim_webhook_key()': byOwner(KEEPER),
  'ingest.delivery_status(text,text)': byOwner(ROLES.ingest),
  // The inbox's update trigger: a row that leaves `rejected` (an inbox replay) clears its key's flag, as the keeper,
  // which alone may change it (a column grant); nobody executes it.
  'ingest.key_follows_status()': { owner: KEEPER, execute: [] },
  // The receiver's duplicate path: the first delivery's status, and a differing body kept in ingest.redelivery_conflicts.
  'ingest.note_redelivery(text,text,text,bytea,jsonb,text,text)': byOwner(ROLES.ingest),
  // The inbox's statement trigger: the first stage's jobs, one add_jobs call per INSERT (020).
  'ingest.enqueue_first_stages()': byOwner(),
  'ingest.record_failure(jsonb,jsonb,jsonb)': byOwner(ROLES.ingest),
};

t.test('every SECURITY DEFINER function: a ballast owner, a safe search_path, no PUBLIC, EXECUTE granted exactly as listed', async (t) => {
  // Every grant in the function's ACL, to any role (PUBLIC included), not only to the ballast roles.
  const { rows } = await db.query<{ fn: string; owner: string; superuser: boolean; config: string[] | null; grantees: string[]; can: string[] }>(`
    select p.oid::regprocedure::text fn, o.rolname owner, o.rolsuper superuser, p.proconfig config,
           array(select case when a.grantee = 0 then 'PUBLIC' else pg_get_userbyid(a.grantee) end
                   from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
                  where a.privilege_type = 'EXECUTE' and a.grantee <> p.proowner order by 1)::text[] grantees,
           array(select r.rolname from pg_roles r where r.rolname = any ($1) and r.oid <> p.proowner
                    and has_function_privilege(r.oid, p.oid, 'execute') order by 1)::text[] can
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_roles o on o.oid = p.proowner
     where p.prosecdef and n.nspname not in ('pg_catalog', 'information_schema')`, [Object.values(ROLES)]);
  t.same(rows.map((r) => r.fn).sort(), Object.keys(DEFINER).sort(), 'every SECURITY DEFINER function has its row');
  t.same(rows.filter((r) => r.superuser).map((r) => r.fn), [], 'none is owned by a superuser');
  for (const r of rows) {
    const want = DEFINER[r.fn];
    if (!want) continue;
    t.test(r.fn, async (t) => {
      t.equal(r.owner, want.owner, 'owned by its ballast role');
      t.match(r.config?.find((c) => c.startsWith('search_path=')), /^search_path=pg_catalog, .*pg_temp$/, 'search_path pinned: pg_catalog first, pg_temp last');
      t.same(r.grantees, [...want.execute].sort(), 'EXECUTE granted to exactly the listed roles, and to nobody else (PUBLIC included)');
      t.same(r.can, want.execute.filter((g) => g !== KEEPER).sort(), 'no other ballast role can execute it');
    });
  }
});

t.test('the internet-facing and read-only roles cannot record failures, requeue dead letters, delete envelopes or write diagnostics', async (t) => {
  const { rows: [dl] } = await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, context, payload_snapshot)
    values ('role-test', 'segment_interaction', '{"replayable": true, "task": "segment_interaction"}', '{}') returning id`);
  const forged = JSON.stringify({ interaction_id: 'forged', failing_function: 'segment_interaction', error_code: 'X', error_message: 'forged',
    attempt_count: 1, payload_snapshot: {}, context: { replayable: true, task: 'segment_interaction' }, retryable: true });
  for (const role of [ROLES.ingest, ROLES.forensics]) {
    await as(role, async (c) => {
      await t.rejects(c.query('select ballast.record_failure(null, null, $1::jsonb)', [forged]), /permission denied for function record_failure/, `${role}: record_failure`);
      await t.rejects(c.query('select ballast.replay_dead_letter($1, true)', [dl.id]), /permission denied for function replay_dead_letter/, `${role}: replay_dead_letter`);
      await t.rejects(c.query('select ballast.cleanup_old_errors(1)'), /permission denied for function cleanup_old_errors/, `${role}: cleanup_old_errors`);
      await t.rejects(c.query(`select ballast.log_diagnostic('f', '1', 'error', 'UNEXPECTED', 'forged', '{}')`), /permission denied for function log_diagnostic/, `${role}: log_diagnostic`);
    });
  }
  await as(ROLES.worker, async (c) => {
    await t.rejects(c.query('select ballast.cleanup_old_errors(1)'), /permission denied for function cleanup_old_errors/, 'the worker cannot delete envelopes');
    await t.rejects(c.query(`select ballast.log_diagnostic('f', '1', 'error', 'UNEXPECTED', 'forged', '{}')`), /permission denied for function log_diagnostic/);
  });
  const { rows: [n] } = await db.query(`select count(*)::int n from ballast.pipeline_failures where interaction_id = 'forged' or context ? 'last_replay_job_id'`);
  t.equal(n.n, 0, 'no dead letter was forged or requeued');
});

t.test('the worker adds to the job ledger and its violations, and never rewrites them', async (t) => {
  const attempt = (span: string, over: Record<string, unknown> = {}) => JSON.stringify([{
    job_id: 1, task: 't', task_version: '1', queue: null, attempt: 1, max_attempts: 1, trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: span, parent_span_id: null, correlation_id: 'c', worker_id: 'w1', status: 'running', job_created_at: new Date(),
    started_at: new Date(), finished_at: null, error: null, will_retry: null, replay_of: null, ...over,
  }]);
  const row = async (span: string) => (await db.query(`select status, error, heartbeat_at from ballast.job_attempts where span_id = $1`, [span])).rows[0];
  await db.query(`insert into ballast.policy_violations (policy, severity, message) values ('p', 'info', 'evidence')`);
  await as(ROLES.worker, async (c) => {
    const done = { status: 'succeeded', finished_at: new Date() };
    await c.query('select ballast.heartbeat_attempts($1)', [attempt('00000000000000a1')]);
    t.match(await row('00000000000000a1'), { status: 'running' }, 'a heartbeat inserts a running attempt');
    const first = (await row('00000000000000a1')).heartbeat_at;
    await c.query('select ballast.heartbeat_attempts($1)', [attempt('00000000000000a1')]);
    t.ok((await row('00000000000000a1')).heartbeat_at > first, 'and refreshes it while it runs');
    await c.query('select ballast.finish_attempts($1)', [attempt('00000000000000a1', done)]);
    t.match(await row('00000000000000a1'), { status: 'succeeded' }, 'a running attempt is finished');
    await c.query('select ballast.heartbeat_attempts($1)', [attempt('00000000000000a1')]);
    t.match(await row('00000000000000a1'), { status: 'succeeded' }, 'a late heartbeat leaves a finished attempt alone');
    await t.rejects(c.query('select ballast.finish_attempts($1)', [attempt('00000000000000a1', { status: 'failed', finished_at: new Date(), error: 'rewritten' })]),
      /not recorded/, 'a finished attempt is never rewritten');
    await c.query('select ballast.heartbeat_attempts($1)', [attempt('00000000000000a2')]);
    await t.rejects(c.query('select ballast.finish_attempts($1)', [attempt('00000000000000a2', { ...done, worker_id: 'w2' })]),
      /not recorded/, 'another worker cannot finish it');
    await t.rejects(c.query('select ballast.finish_attempts($1)', [attempt('00000000000000a3')]), /not recorded/, 'finishing takes a finished status');
    await c.query('select ballast.finish_attempts($1)', [attempt('00000000000000a4', done)]);
    t.match(await row('00000000000000a4'), { status: 'succeeded' }, 'an attempt that never heartbeated is inserted finished');
    await c.query(`insert into ballast.job_attempts (job_id, task, attempt, max_attempts, trace_id, span_id, worker_id, status, job_created_at, started_at, finished_at)
                   values (1, 't', 1, 1, '0af7651916cd43dd8448eb211c80319c', '00000000000000a5', 'w1', 'succeeded', now(), now(), now())`);
    t.pass('the per-job fast path inserts directly');
    await t.rejects(c.query(`update ballast.job_attempts set error = 'x'`), denied);
    await t.rejects(c.query(`delete from ballast.job_attempts`), denied);
    await t.rejects(c.query(`truncate ballast.job_attempts`), denied);
    await t.rejects(c.query(`update ballast.policy_violations set message = 'x'`), denied);
    await t.rejects(c.query(`delete from ballast.policy_violations`), denied);
    await t.rejects(c.query(`insert into ballast.policy_violations (policy, severity, message) values ('p', 'info', 'forged')`), denied);
  });
  t.match(await row('00000000000000a1'), { status: 'succeeded', error: null }, 'the finished attempt is as it was');
  for (const role of [ROLES.ingest, ROLES.forensics]) {
    await as(role, async (c) => {
      await t.rejects(c.query('select ballast.finish_attempts($1)', [attempt('00000000000000b1', { status: 'succeeded' })]), denied, `${role} cannot finish attempts`);
      await t.rejects(c.query('select ballast.heartbeat_attempts($1)', [attempt('00000000000000b1')]), denied, `${role} cannot insert attempts`);
    });
  }
  const { rows: [pv] } = await db.query(`select count(*)::int n from audit.ledger where entity_type = 'ballast.policy_violations'`);
  t.equal(pv.n, 1, 'policy violations are audited');
});

t.test('the stage runtime, acting as the worker, records attempts on every ledger path', async (t) => {
  const { db: own, url: ownUrl } = await testDatabase(t);
  const quick = defineStage({ task: 'role_quick', version: '1.0.0', payload: z.object({}), async run() {} });
  const slow = defineStage({
    task: 'role_slow', version: '1.0.0', payload: z.object({}),
    async run(_p, { write, db: wdb, trace }) {
      // Outlive a heartbeat: the running row exists, and the end finishes it in the stage's transaction.
      await waitFor('the running row', async () => (await wdb.query(`select 1 from ballast.job_attempts where span_id = $1 and status = 'running'`, [trace.span_id])).rows[0]);
      write('select 1');
    },
  });
  const fails = defineStage({ task: 'role_fails', version: '1.0.0', payload: z.object({}), async run() { throw new PermanentError('no'); } });
  await startTestWorker(t, withRole(ownUrl, ROLES.worker), { stages: [quick, slow, fails], heartbeatMs: 50 });
  for (const task of ['role_quick', 'role_slow', 'role_fails']) {
    await own.query(`select graphile_worker.add_job($1, json_build_object('trace_id', '0af7651916cd43dd8448eb211c80319c'))`, [task]);
  }
  const rows = await waitFor('three finished attempts', async () => {
    const { rows } = await own.query(`select task, status from ballast.job_attempts where status <> 'running' order by task`);
    return rows.length === 3 ? rows : null;
  });
  t.same(rows, [{ task: 'role_fails', status: 'failed' }, { task: 'role_quick', status: 'succeeded' }, { task: 'role_slow', status: 'succeeded' }]);
});

t.test('the worker heartbeats and rescues through its functions, and cannot revive a worker or rewrite a rescue', async (t) => {
  const { db: own, url: ownUrl } = await testDatabase(t);
  const beat = (c: pg.Client, id: string, pool: string) =>
    c.query(`select ballast.beat_worker($1, 'h', 1, $2, '{t}', 1, 100)`, [id, [pool]]);
  const c = new pg.Client({ connectionString: withRole(ownUrl, ROLES.worker) });
  await c.connect();
  t.teardown(() => c.end());
  await beat(c, 'w-live', 'pool-live');
  await beat(c, 'w-dead', 'pool-dead');
  const { rows: [job] } = await own.query(`select id::text from graphile_worker.add_job('t', '{}')`);
  await own.query(`update graphile_worker._private_jobs set attempts = 1, locked_by = 'pool-dead', locked_at = now() where id = $1`, [job.id]);
  await own.query(`update ballast.workers set last_beat_at = now() - interval '1 hour' where worker_id = 'w-dead'`);
  await own.query(`update ballast.workers set beating_since = now() - interval '1 hour' where worker_id = 'w-live'`);
  await beat(c, 'w-live', 'pool-live');

  await t.rejects(c.query(`update ballast.workers set last_beat_at = now() where worker_id = 'w-dead'`), denied, 'a worker cannot fake another\'s heartbeat by hand');
  await t.rejects(c.query(`insert into ballast.workers (worker_id, host, pid, tasks, concurrency, beat_ms) values ('x', 'h', 1, '{}', 1, 1)`), denied);
  await t.rejects(c.query(`delete from ballast.workers`), denied);

  const workerDb = new Db({ connectionString: withRole(ownUrl, ROLES.worker), max: 2 });
  t.teardown(() => workerDb.close());
  const r = await rescueDeadWorkers(workerDb, { graceSeconds: 30 });
  t.match(r, { workers: 1, jobs: 1, retry: 1 }, 'the rescue runs as the worker');
  t.match((await own.query(`select locked_by from ballast.queued_jobs where id = $1`, [job.id])).rows[0], { locked_by: null });
  await beat(c, 'w-dead', 'pool-dead');
  t.match((await own.query(`select rescued_at, last_beat_at < now() - interval '1 minute' as stale from ballast.workers where worker_id = 'w-dead'`)).rows[0],
    { rescued_at: Date, stale: true }, 'a late beat does not revive a rescued worker');
  await t.rejects(c.query(`update ballast.rescued_jobs set outcome = 'retry'`), denied, 'what a rescue did is never rewritten');
  await t.rejects(c.query(`delete from ballast.rescued_jobs`), denied);
  for (const role of [ROLES.ingest, ROLES.forensics]) {
    await as(role, async (x) => {
      await t.rejects(x.query(`select ballast.beat_worker('x', 'h', 1, '{}', '{}', 1, 100)`), denied, `${role} cannot heartbeat`);
      await t.rejects(x.query(`select * from ballast.rescue_workers(30, 10)`), denied, `${role} cannot rescue`);
      await t.rejects(x.query(`select ballast.abandon_attempts(30)`), denied, `${role} cannot abandon attempts`);
    });
  }
});

t.test('the worker raises and acknowledges alerts but never deletes one or changes a rule; both are audited', async (t) => {
  // Migrations that enable a rule are audited too; this test's rows come after them.
  const { rows: [{ since }] } = await db.query('select coalesce(max(id), 0) as since from audit.ledger');
  await as(ROLES.worker, async (c) => {
    const { rows: [a] } = await c.query(`insert into ballast.alerts (rule, severity, message, dedupe_key) values ('dead_letters_present', 'warning', 'm', 'roles:1') returning id`);
    await c.query(`update ballast.alerts set status = 'acknowledged', acknowledged_at = now() where id = $1`, [a.id]);
    await t.rejects(c.query(`delete from ballast.alerts`), denied);
    await t.rejects(c.query(`update ballast.alert_rules set threshold = 0`), denied, 'rules are the owner\'s');
    await t.rejects(c.query(`insert into ballast.alert_rules (name, severity, threshold, description) values ('x', 'info', 1, 'x')`), denied);
  });
  for (const role of [ROLES.ingest, ROLES.forensics]) {
    await as(role, async (c) => {
      await t.rejects(c.query(`update ballast.alerts set status = 'resolved'`), denied, `${role} cannot resolve alerts`);
      await t.rejects(c.query(`update ballast.alert_rules set enabled = false`), denied, `${role} cannot change rules`);
    });
  }
  await as(ROLES.owner, (c) => c.query(`begin; select set_config('ballast.actor', 'cli:ops', true); update ballast.alert_rules set threshold = 600 where name = 'stuck_attempts'; commit`));
  const { rows } = await db.query(`select entity_type, db_role from audit.ledger where entity_type in ('ballast.alerts', 'ballast.alert_rules') and id > $1 order by id`, [since]);
  t.match(rows, [{ entity_type: 'ballast.alerts', db_role: ROLES.worker }, { entity_type: 'ballast.alerts', db_role: ROLES.worker },
    { entity_type: 'ballast.alert_rules', db_role: ROLES.owner }]);
});
