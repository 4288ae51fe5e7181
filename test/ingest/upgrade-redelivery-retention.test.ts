/**
 * Upgrade test of the migration that puts re-delivered bodies under retention
 * (`*_redelivery_retention.sql`): conflicts kept before it (text and bytes, a
 * repeated body counted) keep their ids and rows, and land in the partition
 * of their first delivery's day; the grants stay as they were but for the
 * worker's read (the archive task), the audit registration and the delete
 * gate stay, and the receiver's function still counts a repeat on its old
 * row and keeps a new body after the old ids.
 */
import fs from 'node:fs';
import pg from 'pg';
import t from 'tap';
import { MIGRATIONS_DIR, ROLES, withRole, type Db, type DbRole } from '../../lib/db/index.ts';
import { BALLAST_ROLES, databaseBefore, tableShape } from '../helpers/upgrade.ts';

const migration = fs.readdirSync(MIGRATIONS_DIR).find((f) => f.endsWith('_redelivery_retention.sql'))!;
const TABLE = 'ingest.redelivery_conflicts';
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const denied = /permission denied/;
/** A pool or a client. */
interface Queryable { query(text: string, values?: unknown[]): Promise<{ rows: any[] }> }

/** What must survive the conversion. */
async function picture(db: Db) {
  const { rows: data } = await db.query(`select to_jsonb(c) - 'first_received_at' as row from ${TABLE} c order by id`);
  const { rows: [more] } = await db.query<{ dangling: number; fn: string }>(`
    select (select count(*)::int from audit.tracked_tables where relid::oid not in (select oid from pg_class)) as dangling,
           (select pg_get_userbyid(p.proowner) || ':' || p.prosecdef from pg_proc p where p.oid = 'ingest.note_redelivery'::regproc) as fn`);
  return { data, ...await tableShape(db, TABLE), ...more! };
}

t.test(`conflicts kept before ${migration} keep their ids and rows, and the receiver's path works on them`, async (t) => {
  const up = await databaseBefore(t, migration);
  const { db } = up;
  const as = async <T>(role: DbRole, fn: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: withRole(up.url, role) });
    await c.connect();
    try { return await fn(c); } finally { await c.end(); }
  };
  // First deliveries on two fixed days (before any partition: in the inbox's DEFAULT one).
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_body, payload, received_at)
                  values ('telephony', 'up_text', '{"call_id":"c1"}', '{"call_id":"c1"}', '2019-10-05T10:00:00Z')`);
  await db.query(`insert into ingest.webhook_events (source, webhook_id, raw_bytes, status, status_reason, received_at)
                  values ('telephony', 'up_bytes', '\\x7bff7d', 'rejected', 'body is not valid UTF-8', '2019-10-07T23:59:59Z')`);
  const note = (c: Queryable, id: string, body: string | null, raw: Buffer | null) => c.query(
    `select id, conflict_id from ingest.note_redelivery('telephony', $1, $2, $3, '{"x-try":"2"}', $4, $5)`, [id, body, raw, TRACE, SPAN]);
  const { rows: [a] } = await note(db, 'up_text', '{"call_id":"c2"}', null);
  await note(db, 'up_text', '{"call_id":"c2"}', null);
  const { rows: [b] } = await note(db, 'up_bytes', null, Buffer.from([0x7b, 0xfe, 0x7d]));
  t.ok(a.conflict_id && b.conflict_id, 'two conflicts kept before the migration, one counted twice');
  const before = await picture(db);

  t.same(await up.apply(), [migration]);

  const after = await picture(db);
  t.same(after.data, before.data, 'every row kept, with its id, its count and its bodies');
  const worker = (p: { rolname: string; priv: string }) => p.rolname === 'ballast_worker' && p.priv === 'select';
  t.same(after.privs.filter((p) => !worker(p)), before.privs.filter((p) => !worker(p)), 'the grants kept');
  t.same(after.privs.filter(worker).map((p) => p.can), [true], 'and the worker reads (the archive task exports it)');
  t.same(after.indexes, before.indexes, 'the indexes kept (by name)');
  const keyTrigger = `CREATE TRIGGER partition_key_fixed BEFORE UPDATE OF first_received_at ON ${TABLE} FOR EACH ROW `
    + `WHEN ((new.first_received_at IS DISTINCT FROM old.first_received_at)) EXECUTE FUNCTION audit.refuse_partition_move('first_received_at')`;
  t.same(after.triggers, [...before.triggers, keyTrigger].sort(), 'the audit triggers kept (rows named by id, bodies masked), and the key fixed');
  t.same(after.columnComments.filter((c) => !c.startsWith('first_received_at=')), before.columnComments, 'the comments kept, one added');
  t.equal(after.audit, before.audit, 'the audit registration kept');
  t.equal(after.dangling, 0, 'no registration left on the dropped table');
  t.equal(after.fn, before.fn, 'the receiver\'s function: same owner, still SECURITY DEFINER');

  const { rows: [kind] } = await db.query(`select c.relkind, pg_get_userbyid(c.relowner) as owner, ballast.partition_key(c.oid) as key,
      (select pg_get_constraintdef(x.oid) from pg_constraint x where x.conrelid = c.oid and x.contype = 'p') as pk
    from pg_class c where c.oid = $1::regclass`, [TABLE]);
  t.same(kind, { relkind: 'p', owner: 'ballast_partition_keeper', key: 'first_received_at', pk: 'PRIMARY KEY (id, first_received_at)' });
  t.same((await db.query(`select partition_column, granularity from ballast.partitioned_tables where table_name = $1`, [TABLE])).rows,
    [{ partition_column: 'first_received_at', granularity: 'day' }], 'registered: maintain_partitions keeps days ahead');
  t.same((await db.query(`select hot_window::text, warm_window::text, archive_after::text, purge_after::text, verify, enabled
    from ballast.retention_policies where table_name = $1`, [TABLE])).rows,
  [{ hot_window: '30 days', warm_window: '00:00:00', archive_after: '30 days', purge_after: '30 days', verify: 'file', enabled: true }],
  'a retention policy: archived and purged at 30 days, as the inbox');
  const { rows: placed } = await db.query(`select c.id, to_json(c.first_received_at)#>>'{}' as first, c.tableoid::regclass::text as part,
      (select pg_get_userbyid(p.relowner) from pg_class p where p.oid = c.tableoid) as owner from ${TABLE} c order by c.id`);
  t.same(placed, [
    { id: a.conflict_id, first: '2019-10-05T10:00:00+00:00', part: `${TABLE}_p20191005`, owner: 'ballast_partition_keeper' },
    { id: b.conflict_id, first: '2019-10-07T23:59:59+00:00', part: `${TABLE}_p20191007`, owner: 'ballast_partition_keeper' },
  ], 'each in the partition of its first delivery\'s day, from the inbox\'s key');
  const { rows: partPrivs } = await db.query(`select distinct r.rolname, has_table_privilege(r.rolname, p.partition, 'select') as s,
      has_table_privilege(r.rolname, p.partition, 'insert,update,delete,truncate') as w
    from ballast.partition_ranges($1) p cross join unnest($2::text[]) r(rolname) order by 1`, [TABLE, BALLAST_ROLES.slice(0, 4)]);
  t.same(partPrivs, [
    { rolname: 'ballast_forensics', s: true, w: false }, { rolname: 'ballast_ingest', s: false, w: false },
    { rolname: 'ballast_owner', s: false, w: false }, { rolname: 'ballast_worker', s: true, w: false },
  ], 'every partition: the parent\'s readers, no writer (writes go through the parent)');

  // The receiver's path after the upgrade, as its own role.
  const ingest = await as(ROLES.ingest, async (c) => ({
    repeat: (await note(c, 'up_text', '{"call_id":"c2"}', null)).rows[0],
    fresh: (await note(c, 'up_text', '{"call_id":"c3"}', null)).rows[0],
    same: (await note(c, 'up_bytes', null, Buffer.from([0x7b, 0xff, 0x7d]))).rows[0],
    read: await c.query(`select count(*) from ${TABLE}`).then(() => 'read', (e: Error) => e.message),
  }));
  t.equal(Number(ingest.repeat.conflict_id), a.conflict_id, 'a repeat is counted on the row kept before the migration');
  t.ok(Number(ingest.fresh.conflict_id) > Number(b.conflict_id), 'a new body gets an id after the old ones');
  t.equal(ingest.same.conflict_id, null, 'an identical body: no conflict');
  t.match(ingest.read, denied, 'the receiver still cannot read the bodies');
  const { rows: counted } = await db.query(`select id, deliveries, tableoid::regclass::text as part from ${TABLE} where webhook_id = 'up_text' order by id`);
  t.same(counted, [{ id: a.conflict_id, deliveries: 3, part: `${TABLE}_p20191005` }, { id: ingest.fresh.conflict_id, deliveries: 1, part: `${TABLE}_p20191005` }],
    'both in the first delivery\'s day');
  const { rows: ledger } = await db.query(`select entity_id, operation::text, after_data->>'raw_body' as body from audit.ledger
    where entity_type = $1 and entity_id = $2 order by id`, [TABLE, String(ingest.fresh.conflict_id)]);
  t.match(ledger, [{ entity_id: String(ingest.fresh.conflict_id), operation: 'create', body: /^hmac-sha256:/ }], 'audited by id, its body masked');

  await as(ROLES.worker, async (c) => {
    await t.rejects(c.query(`update ${TABLE} set deliveries = 9`), denied, 'the worker reads, never writes');
    await t.rejects(c.query(`select * from ingest.note_redelivery('telephony', 'up_text', 'x', null, '{}', $1, $2)`, [TRACE, SPAN]), denied);
  });
  await as(ROLES.forensics, async (c) => {
    t.equal((await c.query(`select raw_body from ${TABLE} where id = $1`, [a.conflict_id])).rows[0].raw_body, '{"call_id":"c2"}', 'forensics reads');
  });
  await t.rejects(db.query(`update ${TABLE} set first_received_at = now() where id = $1`, [a.conflict_id]), { code: '55000' },
    'the partition key never changes');
  await t.rejects(db.query(`delete from ${TABLE} where id = $1`, [a.conflict_id]), /reason/, 'a delete takes a stated reason');
});
