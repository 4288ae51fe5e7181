/**
 * `ballast usage show|set-limit|set-tier|set-prices`: usage per agent and
 * period, and the operator's settings (the owner's; audited). See docs/usage.md.
 */
import type { Command } from 'commander';
import { parsePeriod, setLimit, setPrices, setTier, tierSnapshots, usageReport, type Limits } from '../../lib/usage/index.ts';
import { withSession } from './context.ts';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
const limit = (soft: string | null, hard: string | null) => `${soft ?? '-'}/${hard ?? '-'}`;

export async function usageShow(agent: string | undefined, opts: { period?: string; prices?: boolean; json?: boolean }) {
  const period = opts.period ? parsePeriod(opts.period) : undefined;
  await withSession(async ({ db }) => {
    const rows = await usageReport(db, { agent, period });
    const prices = opts.prices ? await tierSnapshots(db) : undefined;
    if (opts.json) { console.log(JSON.stringify(prices ? { periods: rows, prices } : rows, null, 2)); return; }
    if (rows.length === 0) console.log(agent ? `no usage recorded for ${agent}${period ? ` in ${period}` : ''}` : 'no usage recorded');
    else console.table(rows.map((r) => ({ agent: r.agent_id, period: r.period_start, tier: r.tier, state: r.limit_state,
      calls: r.calls, 'calls soft/hard': limit(r.soft_calls, r.hard_calls),
      minutes: r.call_minutes, 'minutes soft/hard': limit(r.soft_call_minutes, r.hard_call_minutes),
      sms: r.sms, 'sms soft/hard': limit(r.soft_sms, r.hard_sms),
      total: r.total ?? '0', recomputed: r.recomputed_total ?? '0', quarantined: r.quarantined })));
    const blocked = rows.filter((r) => r.quarantined > 0);
    for (const r of blocked) {
      console.log(`${r.agent_id} ${r.period_start}: ${r.quarantined} event(s) quarantined as usage_blocked` +
        (r.limit_state === 'blocked' ? '; raise the limit first: ballast usage set-limit' : '; replay them: ballast inbox replay --status quarantined --reason usage_blocked --note <why>'));
    }
    if (prices) console.table(prices.map((p) => ({ id: p.id, tier: p.tier, effective_at: iso(p.effective_at), calls: p.price_calls,
      call_minutes: p.price_call_minutes, sms: p.price_sms, currency: p.currency, by: p.created_by })));
  });
}

type LimitValue = number | 'none';
interface LimitOpts { softCalls?: LimitValue; hardCalls?: LimitValue; softMinutes?: LimitValue; hardMinutes?: LimitValue;
  softSms?: LimitValue; hardSms?: LimitValue; period?: string; reason: string }

export async function usageSetLimit(agent: string, opts: LimitOpts) {
  const limits: Limits = {};
  const map: [keyof LimitOpts, keyof Limits][] = [['softCalls', 'soft_calls'], ['hardCalls', 'hard_calls'], ['softMinutes', 'soft_call_minutes'],
    ['hardMinutes', 'hard_call_minutes'], ['softSms', 'soft_sms'], ['hardSms', 'hard_sms']];
  for (const [o, f] of map) {
    const v = opts[o] as LimitValue | undefined;
    if (v !== undefined) limits[f] = v === 'none' ? null : v;
  }
  if (Object.keys(limits).length === 0) throw new Error('name at least one limit: --soft-calls, --hard-calls, --soft-minutes, --hard-minutes, --soft-sms, --hard-sms');
  const period = opts.period ? parsePeriod(opts.period) : undefined;
  await withSession(async ({ db, config }) => {
    const r = await setLimit(db, { agent, limits, period, actor: config.cliActor, reason: opts.reason });
    console.log(`${agent}: limits set from ${r.period} (${Object.entries(limits).map(([k, v]) => `${k}=${v ?? 'none'}`).join(', ')})`);
    for (const p of r.periods) console.log(`  ${p.period_start}  ${p.tier}  ${p.limit_state}  calls ${p.calls}  call minutes ${p.call_minutes}  sms ${p.sms}`);
    if (r.quarantined) console.log(`${r.quarantined} event(s) quarantined as usage_blocked can be recorded now: ballast inbox replay --status quarantined --reason usage_blocked --note <why>`);
  });
}

export async function usageSetTier(agent: string, tier: string, opts: { from?: string }) {
  const period = opts.from ? parsePeriod(opts.from) : undefined;
  await withSession(async ({ db, config }) => {
    const r = await setTier(db, { agent, tier, period, actor: config.cliActor });
    console.log(`${agent}: on tier ${r.tier} from the period ${r.period}`);
  });
}

export async function usageSetPrices(tier: string, opts: { calls?: number; minutes?: number; sms?: number; effectiveAt?: string }) {
  let effectiveAt: Date | undefined;
  if (opts.effectiveAt) {
    effectiveAt = new Date(opts.effectiveAt);
    if (Number.isNaN(effectiveAt.getTime())) throw new Error(`--effective-at takes an ISO 8601 instant, got "${opts.effectiveAt}"`);
  }
  await withSession(async ({ db, config }) => {
    const s = await setPrices(db, { tier, prices: { calls: opts.calls, call_minutes: opts.minutes, sms: opts.sms }, effectiveAt, actor: config.cliActor });
    console.log(`tier ${s.tier} from ${iso(s.effective_at)}: calls ${s.price_calls}, call minutes ${s.price_call_minutes}, sms ${s.price_sms} (snapshot ${s.id})`);
  });
}

/** A limit; "none" stays a string (commander keeps no null option values) and means no limit. */
function count(v: string): number | 'none' {
  if (v === 'none') return v;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`a limit is a whole number >= 0 or "none", got "${v}"`);
  return n;
}
function price(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new Error(`a price is a number >= 0, got "${v}"`);
  return n;
}

/** Adds the `usage` command group. */
export function registerUsageCommands(program: Command): void {
  const usage = program.command('usage').description('usage per agent and period: counters, limits, tiers, prices and invoices (docs/usage.md)');
  usage.command('show')
    .description('per agent and period: tier, limits (soft/hard), counters, limit_state, the invoice total, events quarantined as usage_blocked')
    .argument('[agent]', 'only this agent')
    .option('--period <YYYY-MM>', 'only this period (a UTC month)')
    .option('--prices', 'also the price list (tier snapshots)')
    .option('--json', 'print rows as JSON')
    .action(usageShow);
  usage.command('set-limit')
    .description("set an agent's limits from a period on (the owner's; audited); raising a hard limit unblocks it, and its quarantined events can then be replayed")
    .argument('<agent>', 'agent id')
    .option('--soft-calls <n>', 'calls per period before usage_warning ("none": no limit)', count)
    .option('--hard-calls <n>', 'calls per period before usage_blocked', count)
    .option('--soft-minutes <n>', 'call minutes per period before usage_warning', count)
    .option('--hard-minutes <n>', 'call minutes per period before usage_blocked', count)
    .option('--soft-sms <n>', 'SMS per period before usage_warning', count)
    .option('--hard-sms <n>', 'SMS per period before usage_blocked', count)
    .option('--period <YYYY-MM>', 'the first period they govern (default: the current one)')
    .requiredOption('--reason <text>', 'why (recorded in the audit ledger), e.g. the account owner\'s request')
    .action(usageSetLimit);
  usage.command('set-tier')
    .description("move an agent to a tier from a period start on (default: the next period; the owner's; audited)")
    .argument('<agent>', 'agent id').argument('<tier>', 'tier name (it must have prices: usage set-prices)')
    .option('--from <YYYY-MM>', 'the first period on the new tier (after the current one)')
    .action(usageSetTier);
  usage.command('set-prices')
    .description("a tier's unit prices from an instant on (default: the next period's start); a new tier snapshot; billed lines keep theirs")
    .argument('<tier>', 'tier name (a new one needs all three prices)')
    .option('--calls <price>', 'price per call', price)
    .option('--minutes <price>', 'price per call minute (started minute)', price)
    .option('--sms <price>', 'price per SMS', price)
    .option('--effective-at <timestamp>', 'when they apply (ISO 8601; not in the past)')
    .action(usageSetPrices);
}
