/**
 * Re-delivered bodies (ingest.redelivery_conflicts) under retention, on an
 * injected clock: a day of conflicts is held while the inbox still holds
 * that day's first deliveries (a re-delivery could still add one), and once
 * the inbox's day is purged it is exported, verified and purged by the same
 * pass as every other table (lib/archive, as the worker), after which its
 * bodies are gone and a later re-delivery keeps nothing.
 */
import zlib from 'node:zlib';
import fs from 'node:fs/promises';
import path from 'node:path';
import t from 'tap';
import { DirectoryStore, runRetention } from '../../lib/archive/index.ts';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { archiveDir } from './helpers.ts';

const TABLE = 'ingest.redelivery_conflicts';
const INBOX = 'ingest.webhook_events';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';

const { db, url } = await testDatabase(t);
const worker = new Db({ connectionString: withRole(url, ROLES.worker) });
const ingest = new Db({ connectionString: withRole(url, ROLES.ingest) });
t.teardown(() => Promise.all([worker.close(), ingest.close()]));
const dir = await archiveDir(t);
const stores = new Map([['local', new DirectoryStore(dir)]]);
/** One retention pass over one table's policy, as the archive_partitions task runs it, at `now`. */
const pass = (table: string, now: string) => runRetention(worker, { now: new Date(now), stores, actor: 'test', table });
const steps = async (part: string) => (await db.query(`select step, outcome, detail->>'reason' as reason from ballast.archive_runs
  where partition_name = $1 order by id`, [part])).rows.map((s) => `${s.step}:${s.outcome}${s.reason ? `:${s.reason}` : ''}`);
const note = async (id: string, body: string): Promise<number | null> => (await ingest.query(
  `select conflict_id::int from ingest.note_redelivery('telephony', $1, $2, null, '{}', $3, $4)`, [id, body, TRACE, SPAN])).rows[0].conflict_id;
const day1 = `${TABLE}_p20200301`;
const day2 = `${TABLE}_p20200302`;

// Partitions for the days of the test, as the hourly task makes them ahead.
await db.query(`select ballast.maintain_partitions('2020-03-01T00:00:00Z')`);
// Two first deliveries, on 1 and 2 March 2020, each re-delivered with another body (the first one's twice).
for (const [id, at] of [['wh_1', '2020-03-01T12:00:00Z'], ['wh_2', '2020-03-02T08:00:00Z']]) {
  await db.query(`insert into ${INBOX} (source, webhook_id, raw_body, status, status_reason, received_at)
                  values ('telephony', $1, '{"call_id":"first"}', 'rejected', 'unknown event type', $2)`, [id, at]);
}
const c1 = await note('wh_1', '{"call_id":"second","phone":"+15550001111"}');
const repeat = await note('wh_1', '{"call_id":"second","phone":"+15550001111"}');
const c2 = await note('wh_2', '{"call_id":"other"}');

t.test('each conflict is in the partition of its first delivery\'s day; a repeat counts on its row', async (t) => {
  t.equal(repeat, c1);
  t.same((await db.query(`select id::int, deliveries, tableoid::regclass::text as part from ${TABLE} order by id`)).rows,
    [{ id: c1, deliveries: 2, part: day1 }, { id: c2, deliveries: 1, part: day2 }]);
});

t.test('a day of conflicts is held while the inbox still holds its first deliveries', async (t) => {
  // 1 April: 1 March is 30 days old (archive and purge due), 2 March 29 days.
  const counts = await pass(TABLE, '2020-04-01T00:00:00Z');
  t.match(counts, { held: 1, exported: 0, purged: 0, failed: 0 });
  t.same(await steps(day1), ['hold:held:1 first deliveries still in the inbox (a re-delivery may still add a conflict)']);
  t.same(await steps(day2), [], 'a younger day is left alone: never compressed (it is still written), unlike the inbox\'s');
  t.ok(Number(await note('wh_1', '{"call_id":"third"}')) > Number(c2), 'a re-delivery still lands in the held day');
});

t.test('once the inbox\'s day is purged, the day of conflicts is exported, verified and purged', async (t) => {
  const inbox = await pass(INBOX, '2020-04-01T00:00:00Z');
  t.match(inbox, { purged: 1, failed: 0 }, 'the inbox\'s 1 March goes first');
  t.equal(await note('wh_1', '{"call_id":"fourth"}'), null, 'from now on nothing is compared with 1 March, nothing kept for it');
  const { rows: [before] } = await db.query(`select count(*)::int n, sum(deliveries)::int d from ${TABLE} where first_received_at < '2020-03-02'`);
  t.same(before, { n: 2, d: 3 });

  const counts = await pass(TABLE, '2020-04-02T00:00:00Z');
  t.match(counts, { exported: 1, verified: 1, purged: 1, failed: 0 });
  t.same(await steps(day1), ['hold:held:1 first deliveries still in the inbox (a re-delivery may still add a conflict)',
    'export:succeeded', 'verify:succeeded', 'purge:succeeded'], 'held, then exported, verified and purged, each a row');
  t.equal((await db.query(`select to_regclass($1) is null as gone`, [day1])).rows[0].gone, true, 'the partition is dropped');
  t.same((await db.query(`select id::int from ${TABLE} order by id`)).rows.map((r) => r.id), [c2], '2 March stays (it is younger than 30 days)');

  const { rows: [a] } = await db.query(`select status, row_count, key, manifest from ballast.archives where partition_name = $1`, [day1]);
  t.match(a, { status: 'purged', row_count: 2, manifest: { table: TABLE, partition: day1, row_count: 2,
    range: { from: '2020-03-01T00:00:00.000Z', to: '2020-03-02T00:00:00.000Z' } } });
  const file = zlib.gunzipSync(await fs.readFile(path.join(dir, a.key))).toString();
  t.match(file, /"call_id":"second","phone":"\+15550001111"/, 'the archive holds the bodies as received');
  const { rows: [l] } = await db.query(`select count(*)::int n from audit.ledger where entity_type = $1 and operation = 'delete'`, [TABLE]);
  t.equal(l.n, 0, 'a purge is a dropped partition, not a row delete');
});
