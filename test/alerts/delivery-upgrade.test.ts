/**
 * The upgrade test of the alert-delivery migration: alerts written before
 * it are kept and owe nothing (an upgrade pages nobody about old alerts);
 * afterwards, resolving one of them, or opening a new one, owes each sink.
 */
import t from 'tap';
import { databaseBefore } from '../helpers/upgrade.ts';

const MIGRATION = '012_alert_delivery.sql';

t.test(`${MIGRATION}: old alerts are kept and not re-sent; what happens to them afterwards is delivered`, async (t) => {
  const up = await databaseBefore(t, MIGRATION);
  const { db } = up;
  const { rows: [old] } = await db.query(
    `insert into ballast.alerts (rule, severity, message, dedupe_key) values ('dead_letters_present', 'warning', '1 dead letter', 'dl:old') returning id::text`);
  t.same(await up.apply(), [MIGRATION]);
  t.match((await db.query(`select status, occurrences from ballast.alerts where id = $1`, [old.id])).rows, [{ status: 'open', occurrences: 1 }]);
  const owed = async () => (await db.query(`select alert_id::text, event, sink from ballast.alert_deliveries order by alert_id, event, sink`)).rows;
  t.same(await owed(), [], 'the upgrade owes nothing for alerts already open');
  await db.query(`update ballast.alerts set status = 'resolved', resolved_at = now() where id = $1`, [old.id]);
  const { rows: [fresh] } = await db.query(
    `insert into ballast.alerts (rule, severity, message, dedupe_key) values ('search_drift', 'warning', 'drift', 'search:drift') returning id::text`);
  t.same(await owed(), [
    ...['email', 'log', 'webhook'].map((sink) => ({ alert_id: old.id, event: 'resolved', sink })),
    ...['email', 'log', 'webhook'].map((sink) => ({ alert_id: fresh.id, event: 'opened', sink })),
  ]);
});
