/**
 * The HTTP webhook sink: POSTs each alert event, signed with Standard
 * Webhooks by the same code our own receiver verifies with
 * (lib/ingest/signature.ts). The body is generic JSON
 * (`{type: "alert.opened", timestamp, data: {...alert}}`) or a Slack
 * incoming-webhook body (`{text}`). Any 2xx is delivered; anything else
 * (another status, a refused connection, a timeout) is a failed attempt.
 */
import { sign, unixSeconds } from '../../ingest/signature.ts';
import { alertHeadline, failureText, type AlertEvent, type Delivery, type Sink, type SinkResult } from './sink.ts';

export interface WebhookSinkOptions {
  url: string;
  /** `whsec_<base64>` (or plain text) signing secret. */
  secret: string;
  /** @defaultValue `json` */
  format?: 'json' | 'slack';
  /** @defaultValue `10000` */
  timeoutMs?: number;
  /** Seconds since the epoch stamped as `webhook-timestamp`. @defaultValue `unixSeconds` */
  nowSeconds?: () => number;
}

/** The request body of one alert event, in the sink's format. */
export function webhookBody(a: AlertEvent, format: 'json' | 'slack', nowSeconds: number): string {
  if (format === 'slack') {
    const icon = a.event === 'resolved' ? ':white_check_mark:' : a.severity === 'critical' ? ':rotating_light:' : ':warning:';
    const subject = Object.entries(a.subject).map(([k, v]) => `${k}=${String(v)}`).join(' ');
    return JSON.stringify({ text: `${icon} ${alertHeadline(a)}${subject ? `\n${subject}` : ''}\nalert ${a.id} · ${a.dedupe_key} · seen ${a.occurrences}×` });
  }
  return JSON.stringify({ type: `alert.${a.event}`, timestamp: new Date(nowSeconds * 1000).toISOString(), data: a });
}

export function webhookSink(o: WebhookSinkOptions): Sink {
  const format = o.format ?? 'json';
  const nowSeconds = o.nowSeconds ?? unixSeconds;
  return {
    name: 'webhook',
    async send(d: Delivery): Promise<SinkResult> {
      const ts = nowSeconds();
      const body = webhookBody(d.alert, format, ts);
      try {
        const res = await fetch(o.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'webhook-id': d.id, 'webhook-timestamp': String(ts), 'webhook-signature': sign(o.secret, d.id, ts, body) },
          body,
          signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
        });
        const text = await res.text().catch(() => '');
        if (res.ok) return { ok: true, httpStatus: res.status };
        return { ok: false, httpStatus: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
      } catch (e) {
        return { ok: false, error: failureText(e) };
      }
    },
  };
}
