/**
 * Upgrade test of the migration that lets inbox replay take rejected events
 * (`*_replay_rejected.sql`): rejected rows and their receiver dead letters
 * written before it are replayed after it, as the worker, by the new
 * ingest.replay_events (the old signature is gone; the same roles may run
 * it): a text body is parsed and started, its dead letter resolved and its
 * key cleared; a body kept as bytes stays exactly as it was; a completed
 * event replays as before.
 */
import fs from 'node:fs';
import pg from 'pg';
import t from 'tap';
import { MIGRATIONS_DIR, ROLES, withRole } from '../../lib/db/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const migration = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.endsWith('_replay_rejected.sql'))!;
const BODY = '{"type":"message.received","data":{"message_id":"m1"}}';

t.test(`rejected rows from before ${migration} are replayed after it, or stay as they were`, async (t) => {
  const up = await databaseBefore(t, migration);
  const { db } = up;
  const insert = async (sql: string, values: unknown[] = []) => Number((await db.query(sql, values)).rows[0].id);
  const text = await insert(`insert into ingest.webhook_events (source, webhook_id, raw_body, status, status_reason)
    values ('telephony', 'up_text', $1, 'rejected', 'unsupported content type text/plain') returning id`, [BODY]);
  await db.query(`insert into ballast.pipeline_failures (interaction_id, failing_function, caller_function, http_status, error_code, context)
    values ('event:' || $1, 'ingest.receiver', 'telephony', 415, 'INPUT_INVALID', jsonb_build_object('correlation_id', 'telephony:up_text', 'replayable', false))`, [text]);
  const bytes = await insert(`insert into ingest.webhook_events (source, webhook_id, raw_bytes, status, status_reason)
    values ('telephony', 'up_bytes', '\\x7bff7d', 'rejected', 'body is not valid UTF-8') returning id`);
  const done = await insert(`insert into ingest.webhook_events (source, webhook_id, payload) values ('telephony', 'up_done', $1) returning id`, [BODY]);
  await db.query(`update ingest.webhook_events set status = 'completed' where id = $1`, [done]);
  await db.query(`delete from graphile_worker._private_jobs`);
  const row = async (id: number) => (await db.query(`select to_jsonb(e) - 'status' - 'status_reason' - 'processed_at' as rest, status, status_reason,
    (select rejected from ingest.webhook_keys k where k.event_id = e.id) as key_rejected from ingest.webhook_events e where e.id = $1`, [id])).rows[0];
  const bytesBefore = await row(bytes);

  t.same(await up.apply(), [migration]);

  const { rows: fns } = await db.query(`select p.oid::regprocedure::text as fn,
      array(select r from unnest(array['ballast_owner', 'ballast_worker', 'ballast_ingest', 'ballast_forensics']) r
             where has_function_privilege(r, p.oid, 'execute') order by 1)::text[] as can
    from pg_proc p where p.proname = 'replay_events'`);
  t.same(fns, [{ fn: 'ingest.replay_events(bigint[],text,text)', can: ['ballast_owner', 'ballast_worker'] }],
    'one function, the new signature, for the same roles');

  const worker = new pg.Client({ connectionString: withRole(up.url, ROLES.worker) });
  await worker.connect();
  t.teardown(() => worker.end());
  await t.rejects(worker.query(`select * from ingest.replay_events(array[$1::bigint], 'cli:ops', ' ')`, [text]), /needs a note/);
  await worker.query(`begin`);
  await worker.query(`select set_config('ballast.actor', 'cli:ops', true), set_config('ballast.reason', 'inbox replay: after the upgrade', true)`);
  const { rows: outcomes } = await worker.query(`select event_id::int, outcome, reason from ingest.replay_events($1, 'cli:ops', 'after the upgrade')`,
    [[text, bytes, done]]);
  await worker.query(`commit`);
  t.same(outcomes, [
    { event_id: text, outcome: 'replayed', reason: null },
    { event_id: bytes, outcome: 'rejected', reason: 'its body is kept as bytes, not as UTF-8 text; only a text body can be replayed' },
    { event_id: done, outcome: 'replayed', reason: null },
  ]);

  t.match((await db.query(`select status, status_reason, payload, event_type, raw_body from ingest.webhook_events where id = $1`, [text])).rows[0],
    { status: 'received', status_reason: null, payload: JSON.parse(BODY), event_type: 'message.received', raw_body: BODY }, 'the text body is parsed');
  t.same((await db.query(`select rejected from ingest.webhook_keys where event_id = $1`, [text])).rows, [{ rejected: false }], 'its key follows');
  t.match((await db.query(`select resolved_at, resolution_note from ballast.pipeline_failures where interaction_id = 'event:' || $1`, [text])).rows,
    [{ resolved_at: Date, resolution_note: 'inbox replay: after the upgrade (by cli:ops)' }], 'its dead letter is resolved with the note');
  t.same(await row(bytes), bytesBefore, 'the bytes row, and its key, are as they were');
  t.equal((await db.query(`select status from ingest.webhook_events where id = $1`, [done])).rows[0].status, 'received', 'a completed event replays as before');
  t.same((await db.query(`select (payload->>'event_id')::int as id from graphile_worker._private_jobs j
      join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = 'normalize_event' order by 1`)).rows,
    [{ id: text }, { id: done }], 'the first stage is enqueued for the two replayed');
});
