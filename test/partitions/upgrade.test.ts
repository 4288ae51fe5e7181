/**
 * The upgrade test of the partitioning migration: every converted table keeps
 * its rows, grants (table, column and sequence), triggers, indexes, comments
 * and identity sequence; what hung on the old tables (views, functions on
 * their row types, foreign keys to the inbox) still works; the audit chain
 * sealed before the upgrade still verifies after it.
 */
import t from 'tap';
import { Db } from '../../lib/db/index.ts';
import { sealLedger, verifyLedger } from '../../lib/audit/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '013_partitions.sql';
const TABLES = ['ingest.webhook_events', 'ballast.job_attempts', 'audit.ledger', 'search.outbox', 'ballast.error_envelopes',
  'ballast.diagnostic_logs', 'ballast.policy_violations', 'ballast.maintenance_runs', 'search.sync_runs', 'search.reconcile_runs'];
const ROLE_NAMES = ['ballast_owner', 'ballast_worker', 'ballast_ingest', 'ballast_forensics', 'ballast_audit_writer'];

/** What must survive the conversion, table by table. */
async function picture(db: Db, ledgerUpTo: string) {
  const out: Record<string, unknown> = {};
  for (const table of TABLES) {
    const { rows: [data] } = await db.query(
      `select count(*)::int as n, md5(coalesce(string_agg(to_jsonb(x)::text, ',' order by to_jsonb(x)::text), '')) as hash from ${table} x
        ${table === 'audit.ledger' ? 'where id <= $1' : 'where $1::bigint is not null'}`, [ledgerUpTo]);
    const { rows: privs } = await db.query(`
      select r.rolname, p.priv, has_table_privilege(r.rolname, $1, p.priv) as can
        from unnest($2::text[]) r(rolname) cross join unnest(array['select', 'insert', 'update', 'delete', 'truncate']) p(priv)
       order by 1, 2`, [table, ROLE_NAMES]);
    const { rows: cols } = await db.query(`
      select a.attname, r.rolname, has_column_privilege(r.rolname, $1, a.attname, 'select') as can
        from pg_attribute a cross join unnest($2::text[]) r(rolname)
       where a.attrelid = $1::regclass and a.attnum > 0 and not a.attisdropped order by 1, 2`, [table, ROLE_NAMES]);
    const { rows: [meta] } = await db.query(`
      select array(select tgname::text from pg_trigger where tgrelid = $1::regclass and not tgisinternal order by 1) as triggers,
             array(select c.relname::text from pg_index i join pg_class c on c.oid = i.indexrelid where i.indrelid = $1::regclass order by 1) as indexes,
             obj_description($1::regclass, 'pg_class') as comment,
             array(select format('%s=%s', attname, col_description($1::regclass, attnum)) from pg_attribute
                    where attrelid = $1::regclass and col_description($1::regclass, attnum) is not null order by 1) as column_comments,
             (select array_agg(format('%s:%s', r, has_sequence_privilege(r, s, 'usage')) order by r)
                from unnest($2::text[]) r,
                     (select pg_get_serial_sequence($1::text, attname) from pg_attribute where attrelid = $1::regclass and attidentity <> '') s(s)) as sequence`,
    [table, ROLE_NAMES]);
    out[table] = { data, privs, cols, meta };
  }
  return out;
}

t.test(`${MIGRATION}: rows, grants, triggers and what depends on the tables survive; the chain still verifies`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  // Rows as an older ballast wrote them: two days of inbox, an interaction pointing at one, the ledger's own rows.
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('ag', 'u', '+15550001111')`);
  const { rows: events } = await db.query(`
    insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at)
    values ('telephony', 'wh_old1', '{}', '{"type":"call.completed"}', '2030-03-01T10:00:00Z'),
           ('telephony', 'wh_old2', 'not json', null, '2030-03-02T10:00:00Z')
    returning id, status`);
  await db.query(`
    insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number, occurred_at,
                                  trace_id, correlation_id, span_id, produced_by, producer_version)
    values ($1, 'o', 'ag', 'call', 'inbound', 'p', '+1', '+2', now(), '4bf92f3577b34da6a3ce929d0e0e4736', 'c', '00f067aa0ba902b7', 't', '1')`, [events[0].id]);
  await db.query(`insert into ballast.job_attempts (job_id, task, attempt, max_attempts, trace_id, span_id, worker_id, status, job_created_at, started_at, finished_at)
                  values (1, 't', 1, 1, '4bf92f3577b34da6a3ce929d0e0e4736', '00000000000000a1', 'w', 'succeeded', '2030-03-01', '2030-03-01', '2030-03-01')`);
  await db.query(`select ballast.record_failure('{"error_id":"err_0123456789ab","layer":"L2","component":"c","error_class":"infra.x","severity":"error","message":"m"}', null, null)`);
  await db.query(`insert into ballast.maintenance_runs (task, started_at, finished_at, counts, outcome) values ('t', '2030-03-01', '2030-03-01', '{}', 'succeeded')`);
  await db.query(`insert into search.sync_runs (claimed, upserted, deleted, superseded, failed, dead, duration_ms) values (1, 1, 0, 0, 0, 0, 5)`);
  await db.query(`insert into search.reconcile_runs (collection, triggered_by) values ('c', 'test')`);
  await db.query(`insert into ballast.policy_violations (policy, severity, message) values ('p', 'info', 'm')`);
  await sealLedger(db);
  const { rows: [idsBefore] } = await db.query(`select max(id) as inbox, (select max(id) from audit.ledger) as ledger from ingest.webhook_events`);
  const before = await picture(db, idsBefore.ledger);
  // What the migration changes on purpose: the inbox's unique keys move to ingest.webhook_keys, claimed by a trigger.
  const inbox = before['ingest.webhook_events'] as { meta: { triggers: string[]; indexes: string[]; comment: string } };
  inbox.meta.triggers = [...inbox.meta.triggers, 'webhook_events_key'].sort();
  inbox.meta.indexes = inbox.meta.indexes.filter((i) => !['webhook_events_correlation_key', 'webhook_events_source_webhook_id_key'].includes(i));
  inbox.meta.comment = 'inbox: one row per delivered webhook, partitioned by day on received_at; (source, webhook_id) is unique through ingest.webhook_keys';

  t.same(await up.apply(), [MIGRATION]);

  const after = await picture(db, idsBefore.ledger);
  for (const table of TABLES) t.same(after[table], before[table], `${table}: rows, grants, triggers, indexes, comments and sequence grants kept`);
  const { rows: kinds } = await db.query(`select c.oid::regclass::text as t, c.relkind, pg_get_userbyid(c.relowner) as owner from pg_class c where c.oid = any ($1::regclass[]) order by 1`, [TABLES]);
  t.ok(kinds.every((k) => k.relkind === 'p' && k.owner === 'ballast_partition_keeper'), 'each is partitioned, owned by the keeper');
  const { rows: parts } = await db.query(`select partition::text from ballast.partition_ranges('ingest.webhook_events') order by 1`);
  for (const p of ['ingest.webhook_events_default', 'ingest.webhook_events_p20300301', 'ingest.webhook_events_p20300302']) {
    t.ok(parts.some((r) => r.partition === p), `${p}: old rows got the partitions of their days`);
  }
  t.ok(parts.length >= 3 + 5, 'and the migration made the partitions of today and premake days ahead');
  t.match(await verifyLedger(db), { ok: true }, 'the chain sealed before the upgrade verifies after it');

  const { rows: keys } = await db.query(`select webhook_id, event_id, rejected from ingest.webhook_keys order by webhook_id`);
  t.same(keys, [{ webhook_id: 'wh_old1', event_id: events[0].id, rejected: false }, { webhook_id: 'wh_old2', event_id: events[1].id, rejected: true }],
    'the key table holds every delivery stored before');
  const dup = await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body) values ('telephony', 'wh_old1', '{}') returning id`);
  t.equal(dup.rowCount, 0, 'a delivery stored before the upgrade is still a duplicate');
  const { rows: [fresh] } = await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body) values ('telephony', 'wh_new', '{}') returning id`);
  t.ok(BigInt(fresh.id) > BigInt(idsBefore.inbox), 'ids continue from the old sequence');
  const { rows: [fk] } = await db.query(`select confrelid::regclass::text as t from pg_constraint where conname = 'interactions_event_id_fkey'`);
  t.equal(fk.t, 'ingest.webhook_keys', 'interactions point at the key, which outlives the inbox partition');
  await sealLedger(db);
  const { rows: [ledger] } = await db.query(`select min(id) as id from audit.ledger where id > $1`, [idsBefore.ledger]);
  t.ok(ledger.id, 'the ledger keeps appending after the old rows');
  t.match(await verifyLedger(db), { ok: true });

  for (const view of ['audit.unsealed_window', 'ballast.unrecorded_failed_jobs']) {
    await db.query(`select * from ${view} limit 1`);
    t.pass(`${view} was recreated`);
  }
  const { rows: [fns] } = await db.query(`select has_function_privilege('ballast_forensics', 'ballast.errors_by_correlation(text)', 'execute') as can,
                                                 (select count(*)::int from ballast.errors_by_correlation(null)) as n`);
  t.match(fns, { n: 0 }, 'functions on a converted table\'s row type were recreated');
});
