/**
 * What operators change about usage (`ballast usage set-limit|set-tier|set-prices`),
 * as the owner, each in one audited transaction (016_usage): an agent's
 * limits, its tier from a later period on, and a tier's prices from a later
 * instant on. Nothing here rewrites a billed line: lines keep the tier
 * snapshot that priced them, so an old invoice recomputes exactly.
 */
import type { Db, Tx } from '../db/index.ts';
import { nextPeriod, periodOf } from './periods.ts';

/** The limits a plan and a period carry; `null` = no limit for that unit. */
export const LIMIT_FIELDS = ['soft_calls', 'hard_calls', 'soft_call_minutes', 'hard_call_minutes', 'soft_sms', 'hard_sms'] as const;
export type LimitField = (typeof LIMIT_FIELDS)[number];
export type Limits = Partial<Record<LimitField, number | null>>;

export interface SetLimitOptions {
  agent: string;
  limits: Limits;
  /** The first period the limits govern (`YYYY-MM-01`). @defaultValue the period of `now` */
  period?: string;
  /** Recorded in the audit ledger with the change. */
  actor: string;
  reason?: string;
  /** @defaultValue `new Date()` */
  now?: Date;
}

export interface SetLimitResult {
  period: string;
  /** The agent's periods from `period` on, after the change. */
  periods: { period_start: string; tier: string; limit_state: string; calls: number; call_minutes: number; sms: number }[];
  /** Events of those periods still quarantined as usage_blocked (a replay records them once the period is no longer blocked). */
  quarantined: number;
}

/**
 * Sets some of an agent's limits from `period` on: its plan for that period
 * (made from the plan in force if there is none), its later plans, and its
 * usage rows of that period and later, whose limit_state follows at once.
 * Raising a hard limit is how an operator unblocks an agent.
 */
export async function setLimit(db: Db, opts: SetLimitOptions): Promise<SetLimitResult> {
  const fields = Object.keys(opts.limits) as LimitField[];
  if (fields.length === 0) throw new Error('name at least one limit to set');
  for (const f of fields) {
    if (!(LIMIT_FIELDS as readonly string[]).includes(f)) throw new Error(`unknown limit ${f} (limits: ${LIMIT_FIELDS.join(', ')})`);
    const v = opts.limits[f];
    if (v !== null && (!Number.isInteger(v) || v! < 0)) throw new Error(`${f} must be a whole number >= 0 or none, got ${v}`);
  }
  const period = opts.period ?? periodOf(opts.now ?? new Date());
  const values = LIMIT_FIELDS.map((f) => (f in opts.limits ? opts.limits[f] : undefined));
  const given = LIMIT_FIELDS.map((f) => f in opts.limits);
  return db.atomicWrite(async (tx) => {
    await assertAgent(tx, opts.agent);
    await ensurePlan(tx, opts.agent, period);
    // $3: which fields were given; $4: their values (a given null clears a limit).
    const assign = LIMIT_FIELDS.map((f, i) => `${f} = case when ($3::boolean[])[${i + 1}] then ($4::bigint[])[${i + 1}] else ${f} end`).join(', ');
    try {
      await tx.query(`update app.usage_plans set ${assign} where agent_id = $1 and effective_from >= $2`, [opts.agent, period, given, values]);
      await tx.query(`update app.usage_limits set ${assign} where agent_id = $1 and period_start >= $2`, [opts.agent, period, given, values]);
    } catch (e) {
      if ((e as { code?: string }).code === '23514') throw new Error(`a soft limit may not exceed its hard limit (${(e as Error).message})`);
      throw e;
    }
    const { rows: periods } = await tx.query(
      `select period_start::text, tier, limit_state, calls::float8 as calls, call_minutes::float8 as call_minutes, sms::float8 as sms
         from app.usage_limits where agent_id = $1 and period_start >= $2 order by period_start`, [opts.agent, period]);
    const { rows: [q] } = await tx.query(
      `select count(*)::int as n from ingest.webhook_events
        where status = 'quarantined' and status_reason = any ($1::text[])`,
      [periods.filter((p) => p.limit_state !== 'blocked').map((p) => `usage_blocked: ${opts.agent} ${p.period_start}`)]);
    return { period, periods, quarantined: q.n };
  }, { actor: opts.actor, reason: opts.reason ?? `usage set-limit ${opts.agent}` });
}

export interface SetTierOptions {
  agent: string;
  tier: string;
  /** The first period on the new tier; a later period than `now`'s. @defaultValue the period after `now`'s */
  period?: string;
  actor: string;
  now?: Date;
}

/**
 * Moves an agent to `tier` from a period start on (by default the next
 * one): a period's tier is fixed when the period begins, so a month is never
 * billed on two tiers. The tier must have prices in force at that start.
 */
export async function setTier(db: Db, opts: SetTierOptions): Promise<{ period: string; tier: string }> {
  const current = periodOf(opts.now ?? new Date());
  const period = opts.period ?? nextPeriod(current);
  if (period <= current) throw new Error(`a tier change takes effect at a period start after the current period (${current}); the earliest is ${nextPeriod(current)}`);
  return db.atomicWrite(async (tx) => {
    await assertAgent(tx, opts.agent);
    const { rows: [priced] } = await tx.query(
      `select (app.tier_snapshot_at($1, $2::date::timestamp at time zone 'UTC')).id`, [opts.tier, period]);
    if (!priced?.id) throw new Error(`tier ${opts.tier} has no prices in force on ${period}: set them first (ballast usage set-prices ${opts.tier} ...)`);
    await ensurePlan(tx, opts.agent, period);
    await tx.query(`update app.usage_plans set tier = $3 where agent_id = $1 and effective_from = $2`, [opts.agent, period, opts.tier]);
    return { period, tier: opts.tier };
  }, { actor: opts.actor, reason: `usage set-tier ${opts.agent} ${opts.tier} from ${period}` });
}

export interface Prices { calls?: number; call_minutes?: number; sms?: number }

export interface SetPricesOptions {
  tier: string;
  prices: Prices;
  /** From when they apply; not in the past. @defaultValue the start of the period after `now`'s */
  effectiveAt?: Date;
  actor: string;
  now?: Date;
}

/**
 * A new tier snapshot: `tier`'s prices from `effectiveAt` on. Prices not
 * given are the tier's latest; a new tier needs all three. Snapshots are
 * never changed, and none takes effect in the past, so every billed line
 * keeps the prices it was billed at.
 */
export async function setPrices(db: Db, opts: SetPricesOptions): Promise<{ id: string; tier: string; effective_at: Date; price_calls: string; price_call_minutes: string; price_sms: string }> {
  const now = opts.now ?? new Date();
  const effectiveAt = opts.effectiveAt ?? new Date(`${nextPeriod(periodOf(now))}T00:00:00Z`);
  if (effectiveAt.getTime() < now.getTime()) throw new Error(`prices cannot take effect in the past (${effectiveAt.toISOString()}): lines already billed keep theirs`);
  if (!/^[a-z][a-z0-9_]*$/.test(opts.tier)) throw new Error(`a tier name is lowercase letters, digits and _, got "${opts.tier}"`);
  for (const [k, v] of Object.entries(opts.prices)) {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new Error(`the ${k} price must be a number >= 0, got ${v}`);
  }
  return db.atomicWrite(async (tx) => {
    const { rows: [latest] } = await tx.query(
      `select price_calls, price_call_minutes, price_sms from app.tier_snapshots where tier = $1 order by effective_at desc limit 1`, [opts.tier]);
    const pick = (given: number | undefined, prior: string | undefined, name: string) => {
      if (given !== undefined) return String(given);
      if (prior === undefined) throw new Error(`tier ${opts.tier} is new: give all three prices (missing ${name})`);
      return prior;
    };
    const { rows: [s] } = await tx.query(
      `insert into app.tier_snapshots (tier, effective_at, price_calls, price_call_minutes, price_sms)
       values ($1, $2, $3, $4, $5) on conflict (tier, effective_at) do nothing
       returning id::text, tier, effective_at, price_calls::text, price_call_minutes::text, price_sms::text`,
      [opts.tier, effectiveAt, pick(opts.prices.calls, latest?.price_calls, 'calls'),
        pick(opts.prices.call_minutes, latest?.price_call_minutes, 'call_minutes'), pick(opts.prices.sms, latest?.price_sms, 'sms')]);
    if (!s) throw new Error(`tier ${opts.tier} already has prices from ${effectiveAt.toISOString()}; snapshots are never changed: pick another instant`);
    return s;
  }, { actor: opts.actor, reason: `usage set-prices ${opts.tier}` });
}

async function assertAgent(tx: Tx, agent: string): Promise<void> {
  const { rows } = await tx.query('select 1 from app.agents where agent_id = $1', [agent]);
  if (!rows.length) throw new Error(`no agent ${agent}`);
}

/** A plan row at `period`, copied from the plan in force then (or the defaults: standard, no limits). */
async function ensurePlan(tx: Tx, agent: string, period: string): Promise<void> {
  await tx.query(
    `insert into app.usage_plans (agent_id, effective_from, tier, ${LIMIT_FIELDS.join(', ')})
     select $1, $2, coalesce(p.tier, 'standard'), ${LIMIT_FIELDS.map((f) => `p.${f}`).join(', ')}
       from app.usage_plan_at($1, $2) p
     on conflict (agent_id, effective_from) do nothing`, [agent, period]);
}
