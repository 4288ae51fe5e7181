/** The sinks and delivery settings an install configures (lib/config, BALLAST_ALERT_*). */
import type { Config } from '../../config/index.ts';
import type { Logger } from '../../log/index.ts';
import type { DeliverySettings } from './deliver.ts';
import { emailSink } from './email-sink.ts';
import { logSink } from './log-sink.ts';
import type { Sink, SinkName } from './sink.ts';
import { webhookSink } from './webhook-sink.ts';

type AlertConfig = Pick<Config, 'BALLAST_ALERT_WEBHOOK_URL' | 'BALLAST_ALERT_WEBHOOK_SECRET' | 'BALLAST_ALERT_WEBHOOK_FORMAT'
  | 'BALLAST_ALERT_TIMEOUT_MS' | 'BALLAST_ALERT_EMAIL_COMMAND' | 'BALLAST_ALERT_MAX_ATTEMPTS' | 'BALLAST_ALERT_BACKOFF_MS' | 'BALLAST_ALERT_BACKOFF_MAX_MS'>;

/** The log sink always; the webhook when BALLAST_ALERT_WEBHOOK_URL is set; the e-mail command when BALLAST_ALERT_EMAIL_COMMAND is. */
export function sinksFromConfig(config: AlertConfig, log: Logger): Map<SinkName, Sink> {
  const sinks = new Map<SinkName, Sink>([['log', logSink(log)]]);
  if (config.BALLAST_ALERT_WEBHOOK_URL) {
    sinks.set('webhook', webhookSink({ url: config.BALLAST_ALERT_WEBHOOK_URL, secret: config.BALLAST_ALERT_WEBHOOK_SECRET!,
      format: config.BALLAST_ALERT_WEBHOOK_FORMAT, timeoutMs: config.BALLAST_ALERT_TIMEOUT_MS }));
  }
  if (config.BALLAST_ALERT_EMAIL_COMMAND) {
    sinks.set('email', emailSink({ command: config.BALLAST_ALERT_EMAIL_COMMAND, timeoutMs: config.BALLAST_ALERT_TIMEOUT_MS }));
  }
  return sinks;
}

export function deliverySettings(config: AlertConfig): DeliverySettings {
  return {
    maxAttempts: config.BALLAST_ALERT_MAX_ATTEMPTS,
    backoffMs: config.BALLAST_ALERT_BACKOFF_MS,
    backoffMaxMs: config.BALLAST_ALERT_BACKOFF_MAX_MS,
    leaseMs: 2 * config.BALLAST_ALERT_TIMEOUT_MS + 30_000,
  };
}
