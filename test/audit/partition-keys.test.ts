/**
 * 026_partition_keys: an UPDATE that changes an audited, partitioned table's
 * partition key moves the row between partitions, which no capture trigger
 * sees; it is refused, with a clear error, and every other update of the
 * same rows is audited as before. Before 026 such an update of an inbox row
 * lost the delivery: its re-insert met the delivery's own key and was
 * skipped as a duplicate.
 */
import t from 'tap';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '026_partition_keys.sql';

t.test(`${MIGRATION}: partition keys of audited tables never change; other updates are audited as before`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  for (const [table, at] of [['ingest.webhook_events', '2030-03-01'], ['ingest.webhook_events', '2030-01-20'],
    ['ballast.policy_violations', '2030-03-01'], ['ballast.policy_violations', '2030-04-10']]) {
    await db.query(`select ballast.create_partition($1, $2)`, [table, at]);
  }
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at)
                  values ('telephony', 'wh_026', '{"a":1}', '{"type":"call.completed"}', '2030-03-01T10:00:00Z')`);
  await db.query(`insert into ballast.policy_violations (policy, severity, message, detected_at) values ('p_026', 'info', 'm', '2030-03-01T10:00:00Z')`);
  const move = (sql: string) => db.atomicWrite((tx) => tx.query(sql), { actor: 'test:026', reason: 'move it' });
  const moveInbox = `update ingest.webhook_events set received_at = '2030-01-20T10:00:00Z' where webhook_id = 'wh_026'`;
  const movePolicy = `update ballast.policy_violations set detected_at = '2030-04-10T10:00:00Z' where policy = 'p_026'`;
  const ledgerRows = async () => Number((await db.query(`select count(*) from audit.ledger`)).rows[0].count);

  let before = await ledgerRows();
  await move(movePolicy);
  t.equal(await ledgerRows(), before, 'before 026 a move to another partition was made and left no ledger row (the gap)');
  await move(`update ballast.policy_violations set detected_at = '2030-03-01T10:00:00Z' where policy = 'p_026'`);
  // Worse on the inbox: the row's re-insert meets its own delivery key and is skipped as a duplicate.
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at)
                  values ('telephony', 'wh_026_lost', '{"a":2}', '{"type":"call.completed"}', '2030-03-01T10:00:00Z')`);
  const lost = await move(`update ingest.webhook_events set received_at = '2030-01-20T10:00:00Z' where webhook_id = 'wh_026_lost'`);
  t.equal(lost.rowCount, 0, 'before 026 the inbox move reported no row updated...');
  t.equal((await db.query(`select count(*)::int as n from ingest.webhook_events where webhook_id = 'wh_026_lost'`)).rows[0].n, 0,
    '...and the raw delivery was gone, with no ledger row');
  before = await ledgerRows();

  t.same(await up.apply(), [MIGRATION]);
  before = await ledgerRows(); // the migration's own GRANT and REVOKE are in the ledger

  const { rows: triggers } = await db.query(`select tgrelid::regclass::text as rel from pg_trigger
                                              where tgname = 'partition_key_fixed' and tgparentid = 0 order by 1`);
  t.same(triggers.map((r) => r.rel), ['ballast.policy_violations', 'ingest.webhook_events'],
    'every table registered for partitioning whose updates are audited gets the trigger, but the dead letters (022 fixed theirs)');
  await t.rejects(move(moveInbox), { code: '55000', message: 'ingest.webhook_events: received_at is the partition key and never changes' });
  await t.rejects(move(movePolicy),
    { code: '55000', message: /ballast.policy_violations: detected_at is the partition key/ });
  t.equal(await ledgerRows(), before, 'nothing moved, nothing recorded');

  const { rows: [{ received_at: at }] } = await db.query(`select received_at from ingest.webhook_events where webhook_id = 'wh_026'`);
  await move(`update ingest.webhook_events set status = 'completed', received_at = $$${at.toISOString()}$$ where webhook_id = 'wh_026'`);
  t.equal(await ledgerRows(), before + 1, 'an update that names the key but keeps its value goes through, audited');

  // A partition made after the migration gets the trigger too (cloned from the parent).
  await db.query(`select ballast.create_partition('ingest.webhook_events', '2031-06-01T00:00:00Z')`);
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at)
                  values ('telephony', 'wh_026b', '{}', '{}', '2031-06-02T00:00:00Z')`);
  await t.rejects(move(`update ingest.webhook_events set received_at = '2031-06-03T00:00:00Z' where webhook_id = 'wh_026b'`), { code: '55000' },
    'a move inside one partition is refused as well: the key never changes');
});
