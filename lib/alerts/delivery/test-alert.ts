/**
 * `ballast alerts test <sink>`: a made-up alert sent through one sink, now,
 * outside the delivery rows (nothing is paged twice, nothing is stored in
 * ballast.alerts). The attempt is recorded like any other, and a success
 * tells deliver_alerts the sink is back (its dead rows are due again).
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/index.ts';
import type { Redactor } from '../../failures/index.ts';
import { sinkIsBack, type DeliverySettings } from './deliver.ts';
import type { AlertEvent, Sink, SinkResult } from './sink.ts';

export function testAlert(now: Date, actor: string): AlertEvent {
  const at = now.toISOString();
  return {
    event: 'test', id: '0', rule: 'alert_sink_test', severity: 'info', status: 'open', subject: { component: 'alerts', requested_by: actor },
    message: 'a test alert from `ballast alerts test`; nothing is wrong', dedupe_key: `alert_sink_test:${at}`,
    first_seen_at: at, last_seen_at: at, occurrences: 1, resolved_at: null, trace_id: null, correlation_id: null,
  };
}

export interface TestOutcome extends SinkResult { deliveryId: string; durationMs: number; revived: number }

export async function sendTestAlert(db: Db, sink: Sink, o: { settings: DeliverySettings; redactor: Redactor; actor: string; now?: Date }): Promise<TestOutcome> {
  const now = o.now ?? new Date();
  const deliveryId = `alert_test_${randomBytes(8).toString('hex')}`;
  const started = performance.now();
  const result = await sink.send({ id: deliveryId, alert: testAlert(now, o.actor) });
  const durationMs = Math.round(performance.now() - started);
  const error = result.ok ? null : o.redactor.text(result.error ?? 'failed').slice(0, 500);
  await db.atomicWrite((tx) => tx.query(
    `insert into ballast.alert_delivery_attempts (delivery_id, alert_id, sink, attempt, outcome, http_status, error, duration_ms, attempted_at)
     values (null, null, $1, 1, $2, $3, $4, $5, $6)`,
    [sink.name, result.ok ? 'delivered' : 'failed', result.httpStatus ?? null, error, durationMs, now]), { actor: o.actor });
  const revived = result.ok ? await sinkIsBack(db, sink.name, o.settings, now) : 0;
  return { ...result, ...(error ? { error } : {}), deliveryId, durationMs, revived };
}
