/**
 * Tier snapshots (issue 15 part 3): every billed unit names the prices in
 * force at its time; a price change takes effect at a defined instant (by
 * default the next period's start) and never in the past; a tier change
 * takes effect at a period start. An old invoice is unchanged by later
 * changes and recomputes exactly from the snapshots.
 */
import t from 'tap';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { setPrices, setTier } from '../../lib/usage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { startTestWorker } from '../helpers/pipeline.ts';
import { AGENT, addUsageAgent, call, inbox, normalizeEvent, settledEvents, sms, usageRows } from './helpers.ts';

const invoice = async (db: { query: (q: string, v?: unknown[]) => Promise<{ rows: any[] }> }, period: string) =>
  (await db.query(`select total::text, recomputed_total::text, lines::int from app.invoices where agent_id = $1 and period_start = $2`, [AGENT, period])).rows[0];

t.test('a price change applies from its instant on; the old period\'s invoice is unchanged and recomputes from its snapshots', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await startTestWorker(t, url, { stages: [normalizeEvent] });
  const april = new Date('2026-04-20T09:00:00Z');

  await settledEvents(db, await inbox(db, call('2026-04-02T10:00:00Z', 300), sms('2026-04-03T10:00:00Z')));
  const before = await invoice(db, '2026-04-01');
  t.same(before, { total: '0.1079', recomputed_total: '0.1079', lines: 3 }, '5 minutes at 0.02 and an SMS at 0.0079');

  await t.rejects(setPrices(db, { tier: 'standard', prices: { call_minutes: 1 }, effectiveAt: new Date('2026-04-01T00:00:00Z'), actor: 'cli:ops', now: april }),
    /cannot take effect in the past/, 'a price change never reaches back');
  const s = await setPrices(db, { tier: 'standard', prices: { call_minutes: 0.05 }, actor: 'cli:ops', now: april });
  t.match(s, { tier: 'standard', price_calls: '0', price_call_minutes: '0.05', price_sms: '0.0079' }, 'unnamed prices carry over');
  t.equal(new Date(s.effective_at).toISOString(), '2026-05-01T00:00:00.000Z', 'by default from the next period\'s start');

  // A late event of April (after the change was made) is still April's price; May's is the new one.
  await settledEvents(db, await inbox(db, call('2026-04-30T23:59:59Z', 60), call('2026-05-01T00:00:00Z', 60)));
  t.same(await invoice(db, '2026-04-01'), { total: '0.1279', recomputed_total: '0.1279', lines: 5 });
  t.same(await invoice(db, '2026-05-01'), { total: '0.05', recomputed_total: '0.05', lines: 2 });
  const { rows: snaps } = await db.query(
    `select l.period_start::text, s.price_call_minutes::text from app.billing_line_items l join app.tier_snapshots s on s.id = l.tier_snapshot_id
      where l.unit = 'call_minutes' order by l.occurred_at`);
  t.same(snaps.map((r) => `${r.period_start} ${r.price_call_minutes}`), ['2026-04-01 0.02', '2026-04-01 0.02', '2026-05-01 0.05'], 'each line names its snapshot');

  // Prices change again: April and May stand, and recompute to the cent from their snapshots.
  await setPrices(db, { tier: 'standard', prices: { call_minutes: 0.5, sms: 0.5 }, effectiveAt: new Date('2026-05-20T00:00:00Z'), actor: 'cli:ops', now: april });
  t.same(await invoice(db, '2026-04-01'), { total: '0.1279', recomputed_total: '0.1279', lines: 5 }, 'April\'s invoice is unchanged');
  t.same(await invoice(db, '2026-05-01'), { total: '0.05', recomputed_total: '0.05', lines: 2 }, 'May\'s billed lines too');
  const owner = new Db({ connectionString: withRole(url, ROLES.owner), max: 1 });
  t.teardown(() => owner.close());
  await t.rejects(owner.query(`update app.tier_snapshots set price_call_minutes = 1`), /permission denied/, 'not even the owner rewrites a snapshot');
  await t.rejects(owner.query(`delete from app.tier_snapshots`), /permission denied/);
  const { rows: [audited] } = await db.query(`select count(*)::int n from audit.ledger where entity_type = 'app.tier_snapshots' and actor = 'cli:ops'`);
  t.equal(audited.n, 2, 'each price change is in the audit ledger');
});

t.test('a tier change takes effect at a period start after the current one, with the new tier\'s prices', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  await startTestWorker(t, url, { stages: [normalizeEvent] });
  const now = new Date('2026-07-10T12:00:00Z');
  await t.rejects(setTier(db, { agent: AGENT, tier: 'pro', actor: 'cli:ops', now }), /tier pro has no prices in force on 2026-08-01/);
  await setPrices(db, { tier: 'pro', prices: { calls: 0.01, call_minutes: 0.01, sms: 0.001 }, effectiveAt: new Date('2026-08-01T00:00:00Z'), actor: 'cli:ops', now });
  await t.rejects(setTier(db, { agent: AGENT, tier: 'pro', period: '2026-07-01', actor: 'cli:ops', now }), /after the current period/, 'not the current period');
  t.same(await setTier(db, { agent: AGENT, tier: 'pro', actor: 'cli:ops', now }), { period: '2026-08-01', tier: 'pro' });

  await settledEvents(db, await inbox(db, call('2026-07-31T23:00:00Z', 60), call('2026-08-01T00:00:00Z', 60)));
  t.match(await usageRows(db), [{ period_start: '2026-07-01', tier: 'standard' }, { period_start: '2026-08-01', tier: 'pro' }]);
  t.same(await invoice(db, '2026-07-01'), { total: '0.02', recomputed_total: '0.02', lines: 2 });
  t.same(await invoice(db, '2026-08-01'), { total: '0.02', recomputed_total: '0.02', lines: 2 }, 'a call at 0.01 and a minute at 0.01');
  const { rows: [plan] } = await db.query(`select actor, reason from audit.ledger where entity_type = 'app.usage_plans' order by id desc limit 1`);
  t.same(plan, { actor: 'cli:ops', reason: 'usage set-tier agent_usage pro from 2026-08-01' });
});
