/**
 * Usage tests feed normalize_event inbox rows as the receiver stores them,
 * at chosen times (never the wall clock), and re-run events the way a replay
 * does: the event back to `received`, normalize_event enqueued on its trace.
 */
import { Db } from '../../lib/db/index.ts';
import type { Stage } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { waitFor } from '../helpers/wait.ts';

export const NUMBER = '+15555550160';
export const AGENT = 'agent_usage';
export const normalizeEvent: Stage = stages.find((s) => s.task === 'normalize_event')!;

export async function addUsageAgent(db: Db, agent = AGENT, phone = NUMBER): Promise<void> {
  await db.query(`insert into app.agents (agent_id, user_id, phone_number, org_id) values ($1, 'user_usage', $2, 'org_usage')`, [agent, phone]);
}

let seq = 0;
export const call = (startedAt: string, seconds: number, to = NUMBER) => ({
  type: 'call.completed',
  data: { call_id: `call_u${++seq}`, direction: 'inbound', from: '+15555550199', to, started_at: startedAt, duration_seconds: seconds, transcript: [] },
});
export const sms = (sentAt: string, to = NUMBER) => ({
  type: 'message.received',
  data: { message_id: `msg_u${++seq}`, direction: 'inbound', from: '+15555550199', to, body: 'hello', sent_at: sentAt },
});

/** Stores events in the inbox as the receiver does (its trigger enqueues normalize_event); returns their ids. */
export async function inbox(db: Db, ...payloads: object[]): Promise<number[]> {
  const { rows } = await db.query(
    `insert into ingest.webhook_events (source, webhook_id, raw_body, payload)
     select 'telephony', 'wh_usage_' || p.ord || '_' || md5(p.v::text), p.v::text, p.v
       from jsonb_array_elements($1::jsonb) with ordinality as p(v, ord)
     returning id`, [JSON.stringify(payloads)]);
  return rows.map((r) => Number(r.id));
}

/** Waits until every event has been through normalize_event (recorded or quarantined). */
export async function settledEvents(db: Db, ids: number[]): Promise<Record<string, any>[]> {
  return waitFor(`events ${ids.join(',')} to be normalized`, async () => {
    const { rows } = await db.query(`select * from ingest.webhook_events where id = any ($1) order by id`, [ids]);
    return rows.length === ids.length && rows.every((e) => e.status !== 'received') ? rows : null;
  });
}

/** Runs normalize_event again for `ids`, as a replay does, and waits until each re-run succeeded. */
export async function rerun(db: Db, ids: number[]): Promise<void> {
  const { rows: [before] } = await db.query(`select count(*)::int as n from ballast.job_attempts where task = 'normalize_event' and status = 'succeeded'`);
  await db.query(
    `with e as (update ingest.webhook_events set status = 'received', status_reason = null where id = any ($1) returning *)
     select graphile_worker.add_job('normalize_event',
              json_build_object('event_id', e.id, 'trace_id', e.trace_id, 'parent_span_id', e.span_id, 'correlation_id', e.correlation_id),
              job_key => 'normalize_event:' || e.id)
       from e`, [ids]);
  await waitFor('the re-runs to succeed', async () =>
    (await db.query(`select count(*)::int as n from ballast.job_attempts where task = 'normalize_event' and status = 'succeeded'`)).rows[0].n >= before.n + ids.length);
}

/** The agent's usage rows, counters as numbers. */
export async function usageRows(db: Db, agent = AGENT) {
  const { rows } = await db.query(
    `select period_start::text, tier, calls::int, call_minutes::int, sms::int, limit_state
       from app.usage_limits where agent_id = $1 order by period_start`, [agent]);
  return rows;
}

/** The agent's counters summed from its billing lines, per period. */
export async function linesPerPeriod(db: Db, agent = AGENT) {
  const { rows } = await db.query(
    `select period_start::text,
            coalesce(sum(quantity) filter (where unit = 'calls'), 0)::int as calls,
            coalesce(sum(quantity) filter (where unit = 'call_minutes'), 0)::int as call_minutes,
            coalesce(sum(quantity) filter (where unit = 'sms'), 0)::int as sms,
            count(*)::int as lines
       from app.billing_line_items where agent_id = $1 group by 1 order by 1`, [agent]);
  return rows;
}
