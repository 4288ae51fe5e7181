/**
 * Destructive operations are the owner's, go through the stated-reason gate,
 * and leave audit rows: deleting old error envelopes
 * (`ballast.cleanup_old_errors`, `ballast errors cleanup`) and purging an
 * interaction (`ballast audit purge-interaction`). And the receiver's door to
 * the failure tables (`ingest.record_failure`) cannot forge what a worker
 * would act on.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import t from 'tap';
import pg from 'pg';
import { Db, ROLES, withRole, type DbRole } from '../../lib/db/index.ts';
import { destructiveWrite, DestructiveDisabledError } from '../../lib/audit/index.ts';
import { ROOT } from '../helpers/cluster.ts';
import { testDatabase } from '../helpers/db.ts';

const { db, url } = await testDatabase(t);
const owner = new Db({ connectionString: withRole(url, ROLES.owner), max: 2 });
t.teardown(() => owner.close());
const allowed = { allowDestructive: true };

async function as<T>(role: DbRole, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: withRole(url, role) });
  await c.connect();
  try { return await fn(c); } finally { await c.end(); }
}

let envelopes = 0;
/** An error envelope created `days` ago (inserted as the superuser, who may set created_at). */
async function envelope(days: number): Promise<string> {
  const id = `err_${(++envelopes).toString(16).padStart(12, '0')}`;
  await db.query(`insert into ballast.error_envelopes (error_id, layer, component, error_class, severity, message, context, created_at)
    values ($1, 'L3', 'tasks.segment_interaction', 'infra.db.timeout', 'error', 'timeout for +15555550123', '{"phone": "+15555550123"}',
            now() - make_interval(days => $2))`, [id, days]);
  return id;
}
const exists = async (id: string) => (await db.query('select 1 from ballast.error_envelopes where error_id = $1', [id])).rows.length === 1;

/** Runs the CLI as a real process on this database. */
async function ballast(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/ballast.js'), ...args], {
    cwd: ROOT, env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn', USER: 'ops', BALLAST_ALLOW_DESTRUCTIVE: '0', ...env },
  });
  let out = '';
  child.stdout.on('data', (c) => { out += c; });
  child.stderr.on('data', (c) => { out += c; });
  const [code] = await once(child, 'exit');
  return { code, out };
}

/** A verified archive of the envelopes written a year to `days` days ago (the gate of 014_retention.sql). */
async function verifiedArchiveOfOldEnvelopes(days = 90): Promise<void> {
  await db.query(`insert into ballast.archives (table_name, partition_name, range_from, range_to, store, key, row_count, bytes,
                    file_sha256, content_hash, schema_version, status, exported_at, manifest)
                  values ('ballast.error_envelopes', 'ballast.error_envelopes_test_' || $1, now() - interval '1 year', now() - make_interval(days => $1::int),
                          'local', 'test', 1, 1, 'test', 'test', 'test', 'verified', now(), '{}')`, [days]);
}

t.test('cleanup_old_errors: the owner, with a stated reason, only what a verified archive holds; each deleted envelope leaves an audit row', async (t) => {
  const old = await envelope(100);
  const recent = await envelope(10);
  await t.rejects(owner.atomicWrite((tx) => tx.query('select ballast.cleanup_old_errors(90)')),
    /cleanup_old_errors deletes error envelopes and needs a reason/, 'no reason, no deletion');
  t.ok(await exists(old));
  await t.rejects(destructiveWrite(owner, 'errors cleanup', { reason: 'retention', actor: 'cli:ops', config: { allowDestructive: false } },
    (tx) => tx.query('select ballast.cleanup_old_errors(90)')), DestructiveDisabledError, 'off unless the operator turns it on');
  t.ok(await exists(old));

  const cleanup = () => destructiveWrite(owner, 'errors cleanup', { reason: 'retention: 90 days', actor: 'cli:ops', config: allowed },
    async (tx) => (await tx.query('select ballast.cleanup_old_errors(90) as n')).rows[0].n);
  t.equal(await cleanup(), 0, 'no verified archive holds the old envelope: it is kept (the retention gate)');
  t.ok(await exists(old));
  await verifiedArchiveOfOldEnvelopes();
  t.equal(await cleanup(), 1);
  t.notOk(await exists(old), 'the old envelope is gone');
  t.ok(await exists(recent), 'the recent one stays');
  const { rows } = await db.query(`select actor, db_role, operation, reason, before_data from audit.ledger
    where entity_type = 'ballast.error_envelopes' and entity_id = $1`, [old]);
  t.match(rows, [{ actor: 'cli:ops', db_role: ROLES.owner, operation: 'delete', reason: 'retention: 90 days',
    before_data: { error_id: old, error_class: 'infra.db.timeout', message: /^hmac-sha256:/, context: /^hmac-sha256:/ } }],
  'one audit row: who, why, and the envelope with its free text kept as a hash');
  t.notMatch(JSON.stringify(rows), /5555550123/, 'the deleted text does not live on in the ledger');
});

t.test('envelopes are deleted through the function: a direct delete is refused, and never escapes the reason', async (t) => {
  const old = await envelope(100);
  await t.rejects(owner.atomicWrite((tx) => tx.query('delete from ballast.error_envelopes where error_id = $1', [old]), { reason: 'by hand' }),
    /only by ballast.cleanup_old_errors/, 'the owner deleting by hand is pointed to the function');
  // The function runs as the owner, so the owner could open its door by hand; even then it needs a reason.
  await t.rejects(owner.atomicWrite(async (tx) => {
    await tx.query(`select set_config('ballast.retention', 'error_envelopes', true)`);
    await tx.query('delete from ballast.error_envelopes where error_id = $1', [old]);
  }), /DELETE on ballast.error_envelopes needs a reason/, 'the gate holds for the owner too');
  for (const role of [ROLES.worker, ROLES.ingest, ROLES.forensics]) {
    await as(role, async (c) => {
      await c.query(`select set_config('ballast.reason', 'x', false)`);
      await t.rejects(c.query('select ballast.cleanup_old_errors(1)'), /permission denied for function cleanup_old_errors/, `${role} cannot call it`);
    });
  }
  t.ok(await exists(old));
});

t.test('`ballast errors cleanup`: off by default, then the owner deletes with --reason, recorded as the operator', async (t) => {
  const old = await envelope(40);
  const off = await ballast(['errors', 'cleanup', '--older-than', '30', '--reason', 'disk']);
  t.not(off.code, 0);
  t.match(off.out, /errors cleanup is a destructive operation and is disabled by default; enable it for this command with BALLAST_ALLOW_DESTRUCTIVE=1/);
  t.ok(await exists(old));
  const noReason = await ballast(['errors', 'cleanup', '--older-than', '30'], { BALLAST_ALLOW_DESTRUCTIVE: '1' });
  t.not(noReason.code, 0);
  t.match(noReason.out, /required option '--reason <text>' not specified/);
  await db.query(`update ballast.archives set status = 'discarded' where table_name = 'ballast.error_envelopes'`);
  await verifiedArchiveOfOldEnvelopes(30);
  const { rows: [due] } = await db.query(`select count(*)::int n from ballast.error_envelopes where created_at < now() - interval '30 days'`);
  const on = await ballast(['errors', 'cleanup', '--older-than', '30', '--reason', 'disk nearly full'], { BALLAST_ALLOW_DESTRUCTIVE: '1' });
  t.equal(on.code, 0, on.out);
  t.match(on.out, new RegExp(`deleted ${due.n} error envelope\\(s\\) older than 30 day\\(s\\)`));
  t.notOk(await exists(old));
  const { rows: [row] } = await db.query(`select actor, db_role, reason from audit.ledger where entity_type = 'ballast.error_envelopes' and entity_id = $1`, [old]);
  t.same(row, { actor: 'cli:ops', db_role: ROLES.owner, reason: 'disk nearly full' });
});

// An interaction with its inbox event, written as the pipeline would.
await db.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ('ag1', 'u', '+15555550142', 'org')`);
async function interaction(ref: string): Promise<number> {
  const { rows: [ev] } = await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload)
    values ('telephony', $1, '{}', '{"type":"x"}') returning id`, [ref]);
  const { rows: [i] } = await db.query(`insert into app.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number,
      to_number, occurred_at, body, trace_id, correlation_id, span_id, produced_by, producer_version)
    values ($1, 'org', 'ag1', 'sms', 'inbound', $2, '+15555550100', '+15555550142', now(), 'hello',
            '0af7651916cd43dd8448eb211c80319c', 'telephony:' || $2, '00f067aa0ba902b7', 'normalize_event', '1.0.0') returning id`, [ev.id, ref]);
  return Number(i.id);
}

t.test('purging an interaction: the owner alone, with a reason, audited', async (t) => {
  const id = await interaction('msg_purge_1');
  await as(ROLES.worker, async (c) => {
    await c.query(`select set_config('ballast.reason', 'cleanup', false)`);
    await t.rejects(c.query('delete from app.interactions where id = $1', [id]), /permission denied for table interactions/,
      'the worker cannot delete an interaction, even with a reason');
  });
  await t.rejects(owner.atomicWrite((tx) => tx.query('delete from app.interactions where id = $1', [id])),
    /DELETE on app.interactions needs a reason/, 'the owner needs a reason too');

  const off = await ballast(['audit', 'purge-interaction', String(id), '--reason', 'GDPR erasure request 42']);
  t.not(off.code, 0);
  t.match(off.out, /purge-interaction is a destructive operation and is disabled by default/);
  const on = await ballast(['audit', 'purge-interaction', String(id), '--reason', 'GDPR erasure request 42'], { BALLAST_ALLOW_DESTRUCTIVE: '1' });
  t.equal(on.code, 0, on.out);
  t.match(on.out, new RegExp(`purged interaction ${id}`));
  t.equal((await db.query('select count(*)::int n from app.interactions where id = $1', [id])).rows[0].n, 0);
  const { rows } = await db.query(`select actor, db_role, operation, reason, before_data->>'body' as body from audit.ledger
    where entity_type = 'app.interactions' and entity_id = $1 and operation = 'delete'`, [String(id)]);
  t.match(rows, [{ actor: 'cli:ops', db_role: ROLES.owner, operation: 'delete', reason: 'GDPR erasure request 42', body: /^hmac-sha256:/ }]);
});

t.test('the receiver\'s door records its own failures, and nothing a worker would act on', async (t) => {
  const { rows: [rejected] } = await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload, status, status_reason)
    values ('telephony', 'msg_bad', '{"type":', null, 'rejected', 'body is not valid JSON') returning id`);
  const { rows: [received] } = await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload)
    values ('telephony', 'msg_ok', '{}', '{"type":"x"}') returning id`);
  const { rows: [real] } = await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, error_message, context)
    values ('42', 'segment_interaction', 'the real failure', '{"replayable": true, "task": "segment_interaction", "job_id": "7"}') returning id`);
  const env = { error_id: 'err_00000000abcd', layer: 'L2', component: 'ingest.receiver', error_class: 'infra.ingest.malformed_body',
    severity: 'error', message: 'body is not valid JSON' };
  const diag = { function_name: 'ingest.receiver', function_version: '1.0.0', log_level: 'error', code: 'INPUT_INVALID', message: 'bad body' };
  const letter = (over: Record<string, unknown> = {}) => ({ interaction_id: `event:${rejected.id}`, failing_function: 'ingest.receiver',
    error_code: 'INPUT_INVALID', error_message: 'body is not valid JSON', attempt_count: 1, payload_snapshot: { event_id: rejected.id },
    context: { event_id: rejected.id }, retryable: false, ...over });
  const door = (c: pg.Client, e: unknown, d: unknown, l: unknown) =>
    c.query('select ingest.record_failure($1::jsonb, $2::jsonb, $3::jsonb) as id', [e && JSON.stringify(e), d && JSON.stringify(d), l && JSON.stringify(l)]);

  await as(ROLES.ingest, async (c) => {
    const { rows: [r] } = await door(c, env, diag, letter({
      // What a forger would add: replay it as a job of its choosing, soon, and overwrite a real dead letter.
      retryable: true, replay_of: real.id, context: { event_id: rejected.id, replayable: true, task: 'segment_interaction', job_id: '7' },
    }));
    t.ok(r.id, 'the receiver records its envelope, diagnostic and dead letter');
    const { rows: [dl] } = await db.query('select * from ballast.pipeline_failures where id = $1', [r.id]);
    t.not(dl.id, real.id, 'a new dead letter, not the real one rewritten');
    t.match(dl, { interaction_id: `event:${rejected.id}`, next_retry_at: null, context: { replayable: false } }, 'never scheduled, never replayable');
    t.notOk('task' in dl.context || 'job_id' in dl.context, 'it names no task and no job');
    t.match((await db.query('select * from ballast.pipeline_failures where id = $1', [real.id])).rows[0], { error_message: 'the real failure' });

    const refused = /ingest\.record_failure: the receiver records/;
    await t.rejects(door(c, { ...env, component: 'tasks.segment_interaction', layer: 'L3', error_class: 'infra.db.timeout' }, null, null), refused,
      'an envelope of another component');
    await t.rejects(door(c, null, { ...diag, function_name: 'segment_interaction' }, null), refused, 'a diagnostic of another function');
    await t.rejects(door(c, null, null, letter({ failing_function: 'segment_interaction' })), refused, 'a dead letter of another function');
    await t.rejects(door(c, null, null, letter({ interaction_id: '42' })), refused, 'a dead letter not keyed by its event');
    await t.rejects(door(c, null, null, letter({ interaction_id: `event:${received.id}` })), /is not a rejected event/, 'a dead letter for an event it accepted');
  });
  const { rows: [n] } = await db.query(`select count(*)::int n from ballast.pipeline_failures`);
  t.equal(n.n, 2, 'the refused calls wrote nothing');
});
