/**
 * Upgrade test of the migration that keeps differing re-delivered bodies
 * (`*_redelivery_conflicts.sql`): inbox rows stored before it, as text and as
 * bytes, are what a re-delivery after it is compared with; the inbox rows and
 * their keys are untouched, and the new table is audited with its bodies masked.
 */
import fs from 'node:fs';
import t from 'tap';
import { MIGRATIONS_DIR } from '../../lib/db/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const migration = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.endsWith('_redelivery_conflicts.sql'))!;
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

t.test(`deliveries stored before ${migration} are what later re-deliveries are compared with`, async (t) => {
  const up = await databaseBefore(t, migration);
  const { db } = up;
  const text = '{"type":"call.completed","call_id":"c1"}';
  const bytes = Buffer.from([0x7b, 0xff, 0x7d]);
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload) values ('telephony', 'up_text', $1::text, $1::text::jsonb)`, [text]);
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_bytes, status, status_reason)
                  values ('telephony', 'up_bytes', $1, 'rejected', 'body is not valid UTF-8')`, [bytes]);
  const inbox = `select id, webhook_id, raw_body, raw_bytes, status from ingest.webhook_events order by id`;
  const keys = `select * from ingest.webhook_keys order by event_id`;
  const before = { inbox: (await db.query(inbox)).rows, keys: (await db.query(keys)).rows };

  t.same(await up.apply(), [migration]);
  t.same({ inbox: (await db.query(inbox)).rows, keys: (await db.query(keys)).rows }, before, 'inbox rows and keys untouched');

  const note = (id: string, body: string | null, raw: Buffer | null) => db.query(
    `select id, status, conflict_id from ingest.note_redelivery('telephony', $1, $2, $3, '{}', $4, $5)`, [id, body, raw, TRACE, SPAN]);
  const [textEvent, bytesEvent] = before.inbox;
  t.same((await note('up_text', text, null)).rows, [{ id: textEvent.id, status: 'received', conflict_id: null }], 'the same text: no conflict');
  t.same((await note('up_bytes', null, bytes)).rows, [{ id: bytesEvent.id, status: 'rejected', conflict_id: null }], 'the same bytes: no conflict');
  t.same((await note('up_none', text, null)).rows, [], 'an unknown id: nothing');
  const { rows: [a] } = await note('up_text', '{"type":"call.completed","call_id":"c2"}', null);
  const { rows: [b] } = await note('up_bytes', null, Buffer.from([0x7b, 0xfe, 0x7d]));
  t.ok(a.conflict_id && b.conflict_id && a.conflict_id !== b.conflict_id, 'differing bodies are kept');
  const { rows } = await db.query(`select event_id, raw_body, raw_bytes, deliveries from ingest.redelivery_conflicts order by id`);
  t.same(rows, [
    { event_id: textEvent.id, raw_body: '{"type":"call.completed","call_id":"c2"}', raw_bytes: null, deliveries: 1 },
    { event_id: bytesEvent.id, raw_body: null, raw_bytes: Buffer.from([0x7b, 0xfe, 0x7d]), deliveries: 1 },
  ]);
  const { rows: [tracked] } = await db.query(`select gated, redact_columns from audit.tracked_tables where relid = 'ingest.redelivery_conflicts'::regclass`);
  t.same(tracked, { gated: true, redact_columns: ['raw_body', 'raw_bytes', 'headers'] }, 'audited like the inbox');
  await t.rejects(db.query('delete from ingest.redelivery_conflicts'), /reason/, 'a delete takes a stated reason');
  await t.rejects(db.query(`insert into ingest.redelivery_conflicts (source, webhook_id, event_id, raw_body, raw_bytes, body_sha256, body_bytes,
      trace_id, span_id, correlation_id) values ('telephony', 'up_text', $1, 'x', '\\x78', repeat('0', 64), 1, $2, $3, 'c')`, [textEvent.id, TRACE, SPAN]),
    { code: '23514' }, 'a row holds its body in one column');
});
