/**
 * Alert delivery: sinks (a log line always, a signed webhook, an e-mail
 * command), the deliver_alerts batch with its retries, dead letters and
 * sink-down alerts, and `ballast alerts test`. See docs/alerts-delivery.md.
 */
export { deliverAlertsOnce, backoffAfter, sinkIsBack, SINK_DOWN_RULE, sinkDownKey, type DeliverOptions, type DeliverResult, type DeliverySettings } from './deliver.ts';
export { sinksFromConfig, deliverySettings } from './sinks.ts';
export { sendTestAlert, testAlert, type TestOutcome } from './test-alert.ts';
export { logSink } from './log-sink.ts';
export { webhookSink, webhookBody, type WebhookSinkOptions } from './webhook-sink.ts';
export { emailSink, emailText } from './email-sink.ts';
export { SINK_NAMES, alertHeadline, type AlertEvent, type Delivery, type Sink, type SinkName, type SinkResult } from './sink.ts';
