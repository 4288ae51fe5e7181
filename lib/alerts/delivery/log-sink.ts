/** The sink that is always there: one log line per alert event (warn, or error when critical). */
import type { Logger } from '../../log/index.ts';
import type { Delivery, Sink, SinkResult } from './sink.ts';

export function logSink(log: Logger): Sink {
  return {
    name: 'log',
    async send({ id, alert: a }: Delivery): Promise<SinkResult> {
      const level = a.event === 'resolved' || a.event === 'test' || a.severity === 'info' ? 'info' : a.severity === 'critical' ? 'error' : 'warn';
      log[level]({ alert_id: a.id, delivery_id: id, event: a.event, rule: a.rule, severity: a.severity, dedupe_key: a.dedupe_key,
        subject: a.subject, occurrences: a.occurrences, alert_trace_id: a.trace_id }, `ALERT ${a.event}: ${a.rule}: ${a.message}`);
      return { ok: true };
    },
  };
}
