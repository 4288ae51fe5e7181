/**
 * What `ballast usage show` prints: per agent and period, the tier and
 * limits in force, the counters, limit_state, and the invoice (the sum of
 * the period's billing lines, and the same recomputed from the tier
 * snapshots); and the events quarantined as usage_blocked.
 */
import type { Db } from '../db/index.ts';

export interface UsagePeriod {
  agent_id: string;
  period_start: string;
  tier: string;
  limit_state: 'ok' | 'warning' | 'blocked';
  calls: string; call_minutes: string; sms: string;
  soft_calls: string | null; hard_calls: string | null;
  soft_call_minutes: string | null; hard_call_minutes: string | null;
  soft_sms: string | null; hard_sms: string | null;
  warned_at: Date | null; blocked_at: Date | null;
  /** Billing lines of the period, their total and the total recomputed from the snapshots. */
  lines: string; total: string | null; recomputed_total: string | null; currency: string | null;
  /** Events of the period quarantined as usage_blocked. */
  quarantined: number;
}

export async function usageReport(db: Db, opts: { agent?: string; period?: string; limit?: number } = {}): Promise<UsagePeriod[]> {
  return db.readOnly(async (tx) => (await tx.query<UsagePeriod>(
    `select u.agent_id, u.period_start::text, u.tier, u.limit_state, u.calls::text, u.call_minutes::text, u.sms::text,
            u.soft_calls::text, u.hard_calls::text, u.soft_call_minutes::text, u.hard_call_minutes::text,
            u.soft_sms::text, u.hard_sms::text, u.warned_at, u.blocked_at,
            coalesce(i.lines, 0)::text as lines, i.total::text, i.recomputed_total::text, i.currency,
            (select count(*)::int from ingest.webhook_events e
              where e.status = 'quarantined' and e.status_reason = 'usage_blocked: ' || u.agent_id || ' ' || u.period_start) as quarantined
       from app.usage_limits u
       left join app.invoices i on i.agent_id = u.agent_id and i.period_start = u.period_start
      where ($1::text is null or u.agent_id = $1) and ($2::date is null or u.period_start = $2)
      order by u.period_start desc, u.agent_id
      limit $3`, [opts.agent ?? null, opts.period ?? null, opts.limit ?? 100])).rows);
}

/** The price list: every tier snapshot, newest first per tier. */
export async function tierSnapshots(db: Db): Promise<{ id: string; tier: string; effective_at: Date; price_calls: string; price_call_minutes: string; price_sms: string; currency: string; created_by: string }[]> {
  return db.readOnly(async (tx) => (await tx.query(
    `select id::text, tier, effective_at, price_calls::text, price_call_minutes::text, price_sms::text, currency, created_by
       from app.tier_snapshots order by tier, effective_at desc`)).rows);
}
