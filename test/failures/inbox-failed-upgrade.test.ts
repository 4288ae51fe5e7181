/**
 * 031_inbox_failed.sql on a database an older ballast left: an event in
 * flight whose dead letter waits (parked, or scheduled for a replay) becomes
 * `failed` naming it (audited, with the migration's reason); an event whose
 * replay is in flight, whose dead letter was resolved, that finished, or that
 * has none keeps its status. A dead letter whose failed replay left the first
 * failure's outcome takes the last one's. Retention holds a failed event while
 * its dead letter is open.
 */
import t from 'tap';
import type { Db } from '../../lib/db/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '031_inbox_failed.sql';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

async function event(db: Db, webhookId: string, status: string): Promise<{ id: number; correlation_id: string }> {
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, webhook_id, payload) values ('telephony', $1, '{"type": "call.completed"}')
     returning id, correlation_id`, [webhookId]);
  if (status !== 'received') await db.query('update ingest.webhook_events set status = $2 where id = $1', [ev.id, status]);
  return ev;
}

let errors = 0;
/** A failure as the stage runtime records it: the envelope (with its outcome) and the dead letter. */
async function fail(db: Db, outcome: 'permanent' | 'transient', deadLetter: Record<string, unknown>): Promise<string> {
  const permanent = outcome === 'permanent';
  const env = { error_id: `err_${String(++errors).padStart(12, '0')}`, component: 'tasks.normalize_event', severity: 'error', message: 'boom',
    trace_id: TRACE, layer: permanent ? 'L4' : 'L3', error_class: permanent ? 'domain.input_invalid' : 'infra.downstream.unavailable', context: { outcome } };
  const { rows: [r] } = await db.query('select ballast.record_failure($1, null, $2) as id', [env, {
    error_code: permanent ? 'INPUT_INVALID' : 'DOWNSTREAM_CALL_FAILED', error_message: 'boom', retryable: !permanent, ...deadLetter,
    ...(deadLetter.replay_of ? {} : { context: { ...(deadLetter.context as object), outcome, error_class: env.error_class, error_id: env.error_id } }),
  }]);
  return r.id;
}
const firstFailure = (db: Db, task: string, correlationId: string, outcome: 'permanent' | 'transient') => fail(db, outcome, {
  interaction_id: correlationId, failing_function: task, payload_snapshot: { event_id: 1 },
  context: { task, replayable: true, trace_id: TRACE, correlation_id: correlationId },
});
const requeue = (db: Db, id: string) => db.query('select ballast.replay_dead_letter($1, true)', [id]);

t.test(`${MIGRATION}: events with a waiting dead letter become failed; the others keep their status`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  // Parked: the first stage failed for good.
  const parked = await event(db, 'wh_parked', 'received');
  const P = await firstFailure(db, 'normalize_event', parked.correlation_id, 'permanent');
  // Scheduled: a permanent first failure, requeued, whose replay failed transiently (the older ballast kept outcome "permanent").
  const scheduled = await event(db, 'wh_scheduled', 'processing');
  const S = await firstFailure(db, 'segment_interaction', scheduled.correlation_id, 'permanent');
  await requeue(db, S);
  await fail(db, 'transient', { replay_of: S });
  // A replay in flight, a dead letter resolved by hand, a finished event with an open one, and an event without any.
  const replaying = await event(db, 'wh_replaying', 'processing');
  await requeue(db, await firstFailure(db, 'extract_claims', replaying.correlation_id, 'permanent'));
  const resolved = await event(db, 'wh_resolved', 'processing');
  const R = await firstFailure(db, 'summarize_interaction', resolved.correlation_id, 'permanent');
  await db.query(`update ballast.pipeline_failures set resolved_at = now(), resolution_note = 'by hand' where id = $1`, [R]);
  const completed = await event(db, 'wh_completed', 'completed');
  await firstFailure(db, 'detect_striking', completed.correlation_id, 'permanent');
  const plain = await event(db, 'wh_plain', 'received');

  const before = await db.query(`select context from ballast.pipeline_failures where id = $1`, [S]);
  t.match(before.rows[0].context, { outcome: 'permanent', error_class: 'domain.input_invalid' }, 'the older ballast left the first failure\'s outcome');
  await t.rejects(db.query(`update ingest.webhook_events set status = 'failed' where id = $1`, [plain.id]), /webhook_events_status_check/);

  const defs = async () => (await db.query(`select oid::regprocedure::text as fn, pg_get_userbyid(proowner) as owner, prosecdef, proconfig, proacl::text[] as acl
    from pg_proc where oid in ('ballast.record_failure(jsonb, jsonb, jsonb)'::regprocedure, 'app.decision_done()'::regprocedure) order by 1`)).rows;
  const defsBefore = await defs();

  t.same(await up.apply(), [MIGRATION]);
  t.same(await defs(), defsBefore, 'record_failure and decision_done keep their owner, SECURITY DEFINER, search_path and grants');

  const status = async (id: number) => (await db.query('select status, status_reason from ingest.webhook_events where id = $1', [id])).rows[0];
  t.same(await status(parked.id), { status: 'failed',
    status_reason: `dead_letter: normalize_event failed (INPUT_INVALID), parked until an operator acts; dead letter ${P}` });
  t.same(await status(scheduled.id), { status: 'failed',
    status_reason: `dead_letter: segment_interaction failed (DOWNSTREAM_CALL_FAILED), replay scheduled; dead letter ${S}` });
  t.match(await status(replaying.id), { status: 'processing' }, 'a replay in flight: still processing');
  t.match(await status(resolved.id), { status: 'processing' }, 'a resolved dead letter waits for nobody');
  t.match(await status(completed.id), { status: 'completed' });
  t.match(await status(plain.id), { status: 'received' });
  t.match((await db.query(`select context from ballast.pipeline_failures where id = $1`, [S])).rows[0].context,
    { outcome: 'transient', error_class: 'infra.downstream.unavailable', replays: 1 }, 'the last failure\'s outcome and class');
  const { rows: audited } = await db.query(`select entity_id, after_data->>'status' as status from audit.ledger
    where entity_type = 'ingest.webhook_events' and reason like 'migration 031%' order by entity_id::bigint`);
  t.same(audited, [{ entity_id: String(parked.id), status: 'failed' }, { entity_id: String(scheduled.id), status: 'failed' }],
    'each change is audited, with the migration\'s reason');

  // Retention holds a failed event while its dead letter is open.
  const hold = async () => (await db.query(`select ballast.retention_hold('ingest.webhook_events', date_trunc('day', now()), date_trunc('day', now()) + interval '1 day') as h`)).rows[0].h;
  t.equal(await hold(), '5 inbox events not finished (in flight, or failed with an open dead letter)');
  // As `ballast dlq resolve` does it: as the worker, whose rights the trigger runs with.
  await db.query(`begin; set local role ballast_worker;
    update ballast.pipeline_failures set resolved_at = now(), resolution_note = 'given up' where id = '${P}'; commit`);
  t.match(await status(parked.id), { status: 'failed' }, 'resolved by hand: the event stays failed ...');
  t.equal(await hold(), '4 inbox events not finished (in flight, or failed with an open dead letter)', '... and no longer holds its partition');

  // From now on a replay puts the event back in flight.
  await requeue(db, S);
  t.same(await status(scheduled.id), { status: 'processing', status_reason: null });
});
