/**
 * normalize_event: an inbox row becomes an interaction (call or SMS) of the
 * agent that owns the number. An unknown number is stored in
 * app.unknown_phone and the event quarantined; it is not an error. So is an
 * event of a suspended agent (reason agent_suspended): kept, never dropped,
 * replayed when the agent is activated again. So is a body that is JSON but
 * not an object, or has no supported "type". Quarantine reasons read
 * `<code>: <detail>`; `ballast inbox replay --reason <code>` selects by code.
 */
import { z } from 'zod';
import { defineStage, InvalidInputError, zodMessage } from '../lib/stage/index.ts';
import { telephonyEvent, SUPPORTED_EVENT_TYPES } from '../lib/ingest/telephony.ts';

export default defineStage({
  task: 'normalize_event',
  version: '1.1.0',
  outputs: ['app.interactions'],
  inputKey: 'event_id',
  payload: z.object({
    event_id: z.number().int().positive(),
    /** Set by an inbox replay (ingest.replay_events): the operator who asked for it. */
    replayed_by: z.string().min(1).optional(),
  }),
  async run({ event_id, replayed_by }, { tx, write, redactor }) {
    const { rows: [event] } = await tx.query(
      'select id, source, event_type, payload, status from ingest.webhook_events where id = $1', [event_id]);
    if (!event) throw new InvalidInputError(`webhook event ${event_id} does not exist`);
    const notObject = notAnObject(event.payload);
    if (notObject) {
      await quarantine(tx, event_id, `not_an_object: ${notObject}`);
      return;
    }
    if (event.event_type === null) {
      await quarantine(tx, event_id, 'unsupported_event_type: the body has no "type"');
      return;
    }
    if (!(SUPPORTED_EVENT_TYPES as readonly string[]).includes(event.event_type)) {
      await quarantine(tx, event_id, redactor.text(`unsupported_event_type: unsupported event type ${JSON.stringify(event.event_type)}`));
      return;
    }
    const parsed = telephonyEvent.safeParse(event.payload);
    if (!parsed.success) throw new InvalidInputError(`event ${event_id}: ${zodMessage(parsed.error, 'body')}`);
    const ev = parsed.data;
    const ours = ev.data.direction === 'inbound' ? ev.data.to : ev.data.from;

    const call = ev.type === 'call.completed' ? ev.data : null;
    const sms = ev.type === 'message.received' ? ev.data : null;
    const occurredAt = call ? call.started_at : sms!.sent_at;
    // A pending or retired agent's number is nobody's yet (or any more): unknown.
    // With the agent, the usage gate (016_usage): its limit_state for the
    // event's period, or 'recorded' when this event was recorded before.
    const { rows: [agent] } = await tx.query(
      `select agent_id, org_id, status, app.usage_gate(agent_id, $2, $3) as usage, app.usage_period($2)::text as period
         from app.agents where phone_number = $1 and status in ('active', 'suspended')`, [ours, occurredAt, event_id]);
    if (!agent) {
      await tx.query(
        `insert into app.unknown_phone (event_id, source, phone_number, event_type)
         values ($1, $2, $3, $4) on conflict (event_id) do nothing`,
        [event_id, event.source, ours, ev.type]);
      // Masked: the reason is copied into the audit ledger; app.unknown_phone keeps the number.
      await quarantine(tx, event_id, `unknown_phone: no active agent owns ${redactor.mask('phone', ours)}`);
      return;
    }
    if (agent.status === 'suspended') {
      await quarantine(tx, event_id, `agent_suspended: agent ${agent.agent_id} is suspended`);
      return;
    }

    if (agent.usage === 'blocked') {
      // Kept, not dropped: raising the limit (`ballast usage set-limit`) and a replay record it.
      await quarantine(tx, event_id, `usage_blocked: ${agent.agent_id} ${agent.period}`);
      return;
    }

    // A re-run by the same version changes nothing; a newer version, or a
    // replay, replaces the row (and so re-runs the stages after it).
    await tx.query(
      `insert into app.interactions
         (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number,
          occurred_at, duration_seconds, body, transcript)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       on conflict (event_id) do update set
         kind = excluded.kind, direction = excluded.direction, provider_ref = excluded.provider_ref,
         from_number = excluded.from_number, to_number = excluded.to_number,
         occurred_at = excluded.occurred_at, duration_seconds = excluded.duration_seconds,
         body = excluded.body, transcript = excluded.transcript,
         trace_id = excluded.trace_id, correlation_id = excluded.correlation_id, span_id = excluded.span_id,
         produced_by = excluded.produced_by, producer_version = excluded.producer_version,
         produced_at = excluded.produced_at
       where interactions.producer_version is distinct from excluded.producer_version or $13`,
      [event_id, agent.org_id, agent.agent_id, call ? 'call' : 'sms', ev.data.direction,
        call ? call.call_id : sms!.message_id, ev.data.from, ev.data.to,
        occurredAt, call?.duration_seconds ?? null,
        sms?.body ?? null, call ? JSON.stringify(call.transcript) : null, replayed_by !== undefined]);
    if (replayed_by !== undefined) {
      write(`update app.unknown_phone set resolution = 'replayed', resolved_at = now(), resolved_by = $2, resolved_agent_id = $3
              where event_id = $1 and resolution = 'open'`, [event_id, replayed_by, agent.agent_id]);
    }
    write(`update ingest.webhook_events set status = 'processing', status_reason = null
            where id = $1 and status = 'received'`, [event_id]);
    // Its billing lines and the period's counters, in this transaction; a
    // re-run inserts no line and so counts nothing (016_usage). Last, and
    // queued: it goes with the ledger row and COMMIT in one round trip, so
    // the period's counter row (one per agent, which every event of that
    // agent updates) is locked only while this transaction commits.
    write('select app.bill_interaction($1)', [event_id]);
  },
});

/** What is wrong with a body that is valid JSON but not an object (it has no event type to read), or null. */
function notAnObject(payload: unknown): string | null {
  if (payload !== null && typeof payload === 'object' && !Array.isArray(payload)) return null;
  const kind = payload === null ? 'JSON null' : Array.isArray(payload) ? 'a JSON array' : `a JSON ${typeof payload}`;
  return `the body is ${kind}, not an object`;
}

async function quarantine(tx: { query(t: string, v?: unknown[]): Promise<unknown> }, eventId: number, reason: string) {
  await tx.query(
    `update ingest.webhook_events set status = 'quarantined', status_reason = $2, processed_at = now()
      where id = $1`, [eventId, reason]);
}
