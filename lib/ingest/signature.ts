/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com):
 * HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}`, sent as
 * space-separated `v1,<base64>` entries so a sender can sign with an old and
 * a new secret while secrets rotate.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Five minutes either way, as the spec recommends. */
export const TOLERANCE_SECONDS = 5 * 60;

export class SignatureError extends Error {
  override name = 'SignatureError';
}

/** `whsec_<base64>` secrets are base64-decoded; anything else is used as UTF-8 bytes. */
export function secretKey(secret: string): Buffer {
  return secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64') : Buffer.from(secret, 'utf8');
}

export const newSecret = (): string => `whsec_${randomBytes(24).toString('base64')}`;

export function sign(secret: string, id: string, timestamp: number, body: string | Buffer): string {
  const mac = createHmac('sha256', secretKey(secret));
  mac.update(`${id}.${timestamp}.`);
  mac.update(body);
  return `v1,${mac.digest('base64')}`;
}

export interface SignedHeaders {
  'webhook-id'?: string | undefined;
  'webhook-timestamp'?: string | undefined;
  'webhook-signature'?: string | undefined;
}

/** Seconds since the epoch, now: the clock `verify` checks timestamps against in production. */
export const unixSeconds = (): number => Math.floor(Date.now() / 1000);

/**
 * Throws a SignatureError saying what is wrong; returns the parsed id and
 * timestamp when one of the signatures matches. `nowSeconds` is the clock the
 * timestamp must be within TOLERANCE_SECONDS of (`unixSeconds()` in production).
 */
export function verify(secret: string, headers: SignedHeaders, body: Buffer, nowSeconds: number): { id: string; timestamp: number } {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sigs = headers['webhook-signature'];
  if (!id || !ts || !sigs) {
    const missing = (['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).filter((h) => !headers[h]);
    throw new SignatureError(`missing header(s): ${missing.join(', ')}`);
  }
  if (!/^\d{1,12}$/.test(ts)) throw new SignatureError('webhook-timestamp must be integer seconds since the epoch');
  const timestamp = Number(ts);
  if (Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) {
    throw new SignatureError(`webhook-timestamp is outside the ${TOLERANCE_SECONDS / 60}-minute tolerance`);
  }
  const expected = Buffer.from(sign(secret, id, timestamp, body).slice(3), 'base64');
  for (const entry of sigs.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { id, timestamp };
  }
  throw new SignatureError('no webhook-signature matches');
}
