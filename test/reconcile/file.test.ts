/**
 * The file adapter: a provider's usage export as CSV or JSON, read through
 * the same row mapping as the HTTP adapter; a bad file fails the run with a
 * reason that names the file and the line.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { fileUsageProvider, parseCsv, reconcileUsage } from '../../lib/reconcile/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';

const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ballast-usage-'));
t.teardown(() => fs.rm(dir, { recursive: true, force: true }));
const file = async (name: string, text: string) => { const f = path.join(dir, name); await fs.writeFile(f, text); return f; };

t.test('CSV: quoted fields, CRLF, a byte-order mark and blank lines', async (t) => {
  t.same(parseCsv('\ufeffa,"b ""x""",c\r\n1,"2,3",\r\n\r\n4,5,6', 'f.csv'), [{ a: '1', 'b "x"': '2,3', c: '' }, { a: '4', 'b "x"': '5', c: '6' }]);
  t.throws(() => parseCsv('a,b\n1', 'f.csv'), /f.csv line 2: 1 fields, the header has 2/);
  t.throws(() => parseCsv('a\n"1', 'f.csv'), /not closed/);
  t.throws(() => parseCsv('\ufeff\n', 'f.csv'), /f.csv: empty file/);
});

t.test('wide CSV and record-shaped JSON give the same usage; other days and categories are left out', async (t) => {
  const csv = await file('usage.csv', [
    'usage_day,agent_id,phone_number_sid,phone_number,calls,call_minutes,sms',
    '2026-03-10,agent_a,,,2,3.5,1',
    '2026-03-10,,PN01,,1,2,0',
    '2026-03-11,agent_a,,,9,9,9',
    '2026-03-10,,,+15555550999,0,0,4',
  ].join('\n'));
  const json = await file('usage.json', JSON.stringify({ usage_records: [
    { category: 'calls', count: '2', usage: '3.5', start_date: '2026-03-10', agent_id: 'agent_a' },
    { category: 'sms', count: 1, usage: 1, start_date: '2026-03-10', agent_id: 'agent_a' },
    { category: 'calls-inbound', count: '2', usage: '3.5', start_date: '2026-03-10', agent_id: 'agent_a' },
    { category: 'calls', count: '1', usage: '2', start_date: '2026-03-10', phone_number_sid: 'PN01' },
    { category: 'sms', count: '4', usage: '4', start_date: '2026-03-10', phone_number: '+15555550999' },
    { category: 'calls', count: '9', usage: '9', start_date: '2026-03-11', agent_id: 'agent_a' },
  ] }));
  const total = (u: { agent_id?: string | undefined; number_id?: string | undefined; phone_number?: string | undefined; calls: number; call_minutes: number; sms: number }[]) => {
    const by: Record<string, [number, number, number]> = {};
    for (const x of u) {
      const k = x.agent_id ?? x.number_id ?? x.phone_number!;
      const s = (by[k] ??= [0, 0, 0]);
      s[0] += x.calls; s[1] += x.call_minutes; s[2] += x.sms;
    }
    return by;
  };
  const fromCsv = await fileUsageProvider(csv).dailyUsage('2026-03-10');
  const fromJson = await fileUsageProvider(json).dailyUsage('2026-03-10');
  t.same(total(fromCsv), { agent_a: [2, 3.5, 1], PN01: [1, 2, 0], '+15555550999': [0, 0, 4] });
  t.same(total(fromJson), total(fromCsv));
  t.same(fromCsv[0]!.raw, { usage_day: '2026-03-10', agent_id: 'agent_a', phone_number_sid: '', phone_number: '', calls: '2', call_minutes: '3.5', sms: '1' }, 'the row as read');
});

t.test('a file reconciles like the API: a clean day, and a bad file fails the run with the line', async (t) => {
  const { db } = await testDatabase(t);
  await db.query(`insert into app.agents (agent_id, user_id, phone_number) values ('agent_a', 'u', '+15555550161')`);
  const clean = await file('empty.json', '[]');
  t.match(await reconcileUsage(db, fileUsageProvider(clean), { day: '2026-03-10', triggeredBy: 'test', redactor }),
    { status: 'clean', provider: 'file', source: 'empty.json', agents_compared: 0 });
  // Nothing billed that day: the provider's agent_a usage is all missing in ballast.
  const missing = await file('missing.csv', 'agent_id,calls,call_minutes,sms\nagent_a,1,1.5,0\n');
  const r = await reconcileUsage(db, fileUsageProvider(missing), { day: '2026-03-10', triggeredBy: 'test', redactor });
  t.match(r, { status: 'mismatched', mismatches: 2 });
  t.same((await db.query(`select unit, difference::text from app.reconciliation_mismatches where run_id = $1 order by unit`, [r.run_id])).rows,
    [{ unit: 'call_minutes', difference: '1.5' }, { unit: 'calls', difference: '1' }], 'fractional minutes compare exactly');

  for (const [name, text, why] of [
    ['bad.csv', 'agent_id,calls,call_minutes,sms\nagent_a,one,0,0\n', /bad.csv row 1: calls "one" is not a non-negative number/],
    ['nobody.csv', 'calls,call_minutes,sms\n1,1,0\n', /nobody.csv row 1: names no agent/],
    ['bad.json', '{"rows": []}', /bad.json: expected a list of rows/],
    ['broken.json', '[{', /broken.json: not JSON/],
    ['usage.txt', '', /expected a \.csv or \.json file/],
  ] as const) {
    const f = await file(name, text);
    t.match(await reconcileUsage(db, fileUsageProvider(f), { day: '2026-03-10', triggeredBy: 'test', redactor }),
      { status: 'failed', error: why, mismatches: 0 }, name);
  }
  t.match(await reconcileUsage(db, fileUsageProvider(path.join(dir, 'absent.csv')), { day: '2026-03-10', triggeredBy: 'test', redactor }),
    { status: 'failed', error: /absent.csv: cannot read it: ENOENT/ });
  const { rows } = await db.query(`select status, count(*)::int n from app.reconciliation_runs group by status order by status`);
  t.same(rows, [{ status: 'clean', n: 1 }, { status: 'failed', n: 6 }, { status: 'mismatched', n: 1 }], 'every run ends as a row');
});
