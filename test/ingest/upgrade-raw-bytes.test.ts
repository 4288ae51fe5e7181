/**
 * Upgrade test of the migration that keeps bodies as bytes (`*_ingest_raw.sql`):
 * inbox rows written before it keep their bodies and their ledger history,
 * and after it a body kept as bytes is a rejected row whose bytes and type
 * never reach the audit ledger.
 */
import fs from 'node:fs';
import t from 'tap';
import { MIGRATIONS_DIR } from '../../lib/db/index.ts';
import { databaseBefore } from '../helpers/upgrade.ts';

const migration = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.endsWith('_ingest_raw.sql'))!;

t.test(`rows from before ${migration} keep their bodies, and bytes after it stay out of the ledger`, async (t) => {
  const up = await databaseBefore(t, migration);
  const { db } = up;
  await db.query(`insert into ingest.webhook_events (source, payload) values ('telephony', '{"type":"message.received"}')`);
  await db.query(`insert into ingest.webhook_events (source, raw_body) values ('telephony', '{"type": ')`);
  const before = (await db.query(`select id, status, raw_body, payload from ingest.webhook_events order by id`)).rows;

  t.same(await up.apply(), [migration]);
  t.same((await db.query(`select id, status, raw_body, payload, raw_bytes from ingest.webhook_events order by id`)).rows,
    before.map((r) => ({ ...r, raw_bytes: null })), 'old rows keep their text bodies');

  const bytes = Buffer.from([0x7b, 0xff, 0x00, 0x7d]);
  const { rows: [kept] } = await db.query(
    `insert into ingest.webhook_events (source, webhook_id, raw_bytes, status, status_reason, event_type)
     values ('telephony', 'msg_bytes', $1, 'rejected', 'body is not valid UTF-8', 'x@example.org') returning id, raw_body, raw_bytes`, [bytes]);
  t.equal(kept.raw_body, null);
  t.ok(Buffer.compare(kept.raw_bytes, bytes) === 0);
  const { rows: [audited] } = await db.query(
    `select after_data from audit.ledger where entity_type = 'ingest.webhook_events' and entity_id = $1::text`, [String(kept.id)]);
  t.match(audited.after_data, { raw_bytes: /^hmac-sha256:/, event_type: /^hmac-sha256:/, status_reason: 'body is not valid UTF-8' },
    'the ledger records hashes of the bytes and the type');

  await t.rejects(db.query(`insert into ingest.webhook_events (source, webhook_id, raw_bytes) values ('telephony', 'msg_bytes_received', '\\x7b7d')`),
    { code: '23514' }, 'bytes are only ever kept on a rejected row');
  await t.rejects(db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, raw_bytes, status) values ('telephony', 'msg_both', '{}', '\\x7b7d', 'rejected')`),
    { code: '23514' }, 'a row holds its body in one column');
});
