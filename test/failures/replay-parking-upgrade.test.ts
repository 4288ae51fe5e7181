/**
 * 028_replay_parking.sql on a database holding dead letters an older ballast
 * left scheduled after a replay: the one whose last replay failed permanently
 * is parked (audited, with the migration's reason); one whose replay failed
 * transiently, one with a replay enqueued since its failure and one whose
 * envelope does not say keep their schedule. ballast.record_failure keeps its
 * owner, SECURITY DEFINER, search_path and grants, and parks a permanent
 * replay failure from then on.
 */
import t from 'tap';
import type { Db } from '../../lib/db/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '028_replay_parking.sql';
const TABLE = 'ballast.pipeline_failures';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

/** An envelope of a failed attempt of normalize_event; `outcome` as the stage runtime records it. */
const envelope = (n: number, outcome: 'permanent' | 'transient' | null) => ({
  error_id: `err_${String(n).padStart(12, '0')}`, component: 'tasks.normalize_event', severity: 'error', message: 'boom',
  trace_id: TRACE,
  ...(outcome === 'permanent' ? { layer: 'L4', error_class: 'domain.input_invalid' }
    : outcome === 'transient' ? { layer: 'L3', error_class: 'infra.downstream.unavailable' }
      : { layer: 'L5', error_class: 'system.dead_letter_recovered' }),
  context: outcome ? { outcome } : {},
});
const fail = (db: Db, n: number, outcome: 'permanent' | 'transient' | null, deadLetter: Record<string, unknown>) =>
  db.query<{ id: string }>('select ballast.record_failure($1, null, $2) as id', [envelope(n, outcome), deadLetter]).then((r) => r.rows[0]!.id);
/** A permanent first failure (parked), then an operator's requeue, as `ballast dlq requeue` does. */
async function requeuedLetter(db: Db, n: number): Promise<string> {
  const id = await fail(db, n, 'permanent', {
    interaction_id: `case:${n}`, failing_function: 'normalize_event', error_code: 'INPUT_INVALID', error_message: 'no body',
    payload_snapshot: { event_id: n }, context: { task: 'normalize_event', replayable: true, trace_id: TRACE, correlation_id: `c:${n}` },
    retryable: false,
  });
  await db.query('select ballast.replay_dead_letter($1, true)', [id]);
  return id;
}
const replayFailed = (db: Db, n: number, id: string, outcome: 'permanent' | 'transient' | null) => fail(db, n, outcome, {
  replay_of: id, error_code: outcome === 'transient' ? 'DOWNSTREAM_CALL_FAILED' : 'INPUT_INVALID', error_message: 'replay failed',
  retryable: outcome !== 'permanent',
});
const rows = async (db: Db) => (await db.query(`select id, to_jsonb(f) as row from ${TABLE} f order by id`)).rows;
const recordFailureDef = async (db: Db) => (await db.query(`select pg_get_userbyid(proowner) as owner, prosecdef, proconfig, proacl::text[] as acl
  from pg_proc where oid = 'ballast.record_failure(jsonb, jsonb, jsonb)'::regprocedure`)).rows[0];

t.test(`${MIGRATION}: a dead letter whose last replay failed permanently is parked; the others keep their schedule`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  const P = await requeuedLetter(db, 1);
  await replayFailed(db, 11, P, 'permanent');
  const T = await requeuedLetter(db, 2);
  await replayFailed(db, 12, T, 'transient');
  const F = await requeuedLetter(db, 3);
  await replayFailed(db, 13, F, 'permanent');
  await db.query('select ballast.replay_dead_letter($1, true)', [F]); // a replay in flight: its outcome decides
  const N = await requeuedLetter(db, 4);
  await replayFailed(db, 14, N, null);
  const before = await rows(db);
  t.ok(before.every((r) => r.row.next_retry_at), 'the older ballast left all four scheduled');
  const def = await recordFailureDef(db);
  t.match(def, { owner: 'ballast_owner', prosecdef: true, proconfig: ['search_path=pg_catalog, ballast, pg_temp'] });

  t.same(await up.apply(), [MIGRATION]);

  const after = await rows(db);
  const expected = before.map((r) => (r.id === P ? { id: P, row: { ...r.row, next_retry_at: null } } : r));
  t.same(after, expected, 'P parked, nothing else changed');
  t.match((await db.query(`select entity_id, reason from audit.ledger where entity_type = $1 and operation = 'update' and reason like 'migration 028%'`, [TABLE])).rows,
    [{ entity_id: P, reason: 'migration 028: a dead letter whose last replay failed permanently is parked' }], 'audited, with the reason');
  t.same(await recordFailureDef(db), def, 'record_failure keeps its owner, SECURITY DEFINER, search_path and grants');

  // From now on a failed replay is judged by its outcome.
  await replayFailed(db, 23, F, 'permanent');
  await replayFailed(db, 22, T, 'transient');
  const schedule = async (id: string) => (await db.query(`select to_jsonb(f)->'next_retry_at' as at from ${TABLE} f where id = $1`, [id])).rows[0].at;
  t.equal(await schedule(F), null, 'a permanent replay failure parks its dead letter');
  t.equal(await schedule(T), before.find((r) => r.id === T)!.row.next_retry_at, 'a transient one keeps the schedule');
});
