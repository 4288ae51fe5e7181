/**
 * Upgrade test of the receiver's migration (`*_receiver.sql`): the inbox's
 * first-stage job moves from a row trigger (one add_job per row) to a
 * statement trigger (one add_jobs per INSERT). Jobs queued before it are kept
 * as they were, and rows inserted after it get the same job as before: same
 * task, payload, key and max_attempts, one per received row, none for a
 * rejected row or a duplicate delivery.
 */
import fs from 'node:fs';
import t from 'tap';
import { MIGRATIONS_DIR } from '../../lib/db/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const migration = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.endsWith('_receiver.sql'))!;

const INSERT = `insert into ingest.webhook_events (source, webhook_id, raw_body, status, status_reason) values `;
const jobs = `select j.payload, j.key, j.max_attempts, t.identifier from graphile_worker._private_jobs j
  join graphile_worker._private_tasks t on t.id = j.task_id order by j.id`;

t.test(`jobs queued before ${migration} are kept, and rows after it get the same first-stage job`, async (t) => {
  const up = await databaseBefore(t, migration);
  const { db } = up;
  const body = JSON.stringify({ type: 'call.completed' });
  await db.query(`${INSERT} ('telephony', 'up_old', $1, 'received', null)`, [body]);
  const old = (await db.query(jobs)).rows;
  t.equal(old.length, 1);

  t.same(await up.apply(), [migration]);
  t.same((await db.query(jobs)).rows, old, 'the queued job is untouched');
  const { rows: [trigger] } = await db.query(`select tgtype & 1 = 1 as per_row from pg_trigger
    where tgrelid = 'ingest.webhook_events'::regclass and tgname = 'webhook_events_start'`);
  t.same(trigger, { per_row: false }, 'one trigger per statement');
  t.same((await db.query(`select to_regprocedure('ingest.enqueue_first_stage()') as f`)).rows[0], { f: null }, 'the row trigger function is gone');

  await db.query(`${INSERT} ('telephony', 'up_a', $1, 'received', null), ('telephony', 'up_bad', '{', 'rejected', 'body is not valid JSON'),
    ('telephony', 'up_old', $1, 'received', null), ('telephony', 'up_b', $1, 'received', null)`, [body]);
  const { rows: events } = await db.query(`select id, webhook_id, trace_id, span_id, correlation_id from ingest.webhook_events
    where webhook_id in ('up_old', 'up_a', 'up_b') order by id`);
  const all = (await db.query(jobs)).rows;
  t.same(all.map((j) => j.payload), events.map((e) => ({ event_id: Number(e.id), trace_id: e.trace_id, parent_span_id: e.span_id, correlation_id: e.correlation_id })),
    'one job per received row, in id order, with the payload of before; none for the rejected row or the duplicate');
  t.same(all.map((j) => [j.identifier, j.key, j.max_attempts]), events.map((e) => ['normalize_event', `normalize_event:${e.id}`, 10]));
});
