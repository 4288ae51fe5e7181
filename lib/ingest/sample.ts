/**
 * The sample event a newcomer sends after `npm start`, signed like a real
 * provider would, and the demo agent that owns its number.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { makeDirectory, type Config } from '../config/index.ts';
import type { Db } from '../db/index.ts';
import { newSecret, sign } from './signature.ts';
import { sampleCall } from './telephony.ts';

export const DEMO_AGENT = {
  agent_id: 'agent_demo',
  user_id: 'user_demo',
  phone_number: '+15555550100',
  nickname: 'Demo support line',
};
export const SAMPLE_SOURCE = 'telephony';

/**
 * Webhook secrets from BALLAST_WEBHOOK_SECRETS, or else a development secret
 * for `telephony`, generated once and kept in `<dataDir>/dev-webhook-secrets.json`.
 */
export async function resolveSecrets(config: Config): Promise<{ secrets: Map<string, string>; generated: boolean }> {
  if (config.webhookSecrets.size > 0) return { secrets: config.webhookSecrets, generated: false };
  const file = path.join(config.dataDir, 'dev-webhook-secrets.json');
  let stored = await readDevSecrets(file);
  if (!stored) {
    stored = { [SAMPLE_SOURCE]: newSecret() };
    makeDirectory(config.dataDir);
    await fs.writeFile(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600, flag: 'wx' }).catch(async (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST') throw e;
      stored = await readDevSecrets(file); // written by a concurrent process
    });
  }
  return { secrets: new Map(Object.entries(stored!)), generated: true };
}

/** The development secrets kept in `file`; null when there is none. One that is not a JSON object of secrets is named, never shown. */
async function readDevSecrets(file: string): Promise<Record<string, string> | null> {
  const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => { if (e.code === 'ENOENT') return null; throw e; });
  if (text === null) return null;
  let stored: unknown = null;
  try { stored = JSON.parse(text); } catch { /* named below */ }
  if (!stored || typeof stored !== 'object' || !Object.values(stored).every((v) => typeof v === 'string' && v)) {
    throw new Error(`${file} holds no webhook secrets (a JSON object of source: secret): delete it to generate one, or set BALLAST_WEBHOOK_SECRETS`);
  }
  return stored as Record<string, string>;
}

/** Adds the demo agent when no agent exists yet, so the sample has an owner. */
export async function ensureDemoAgent(db: Db): Promise<boolean> {
  const { rowCount } = await db.query(
    `insert into app.agents (agent_id, user_id, phone_number, nickname, provider, provisioned_by)
     select $1, $2, $3, $4, 'sample', 'ballast up'
      where not exists (select 1 from app.agents)
     on conflict do nothing`,
    [DEMO_AGENT.agent_id, DEMO_AGENT.user_id, DEMO_AGENT.phone_number, DEMO_AGENT.nickname]);
  return (rowCount ?? 0) > 0;
}

export interface SendResult {
  status: number;
  body: unknown;
  webhookId: string;
  /** Seconds the receiver asked to wait before retrying (a 503's Retry-After), or null. */
  retryAfter: number | null;
}

/** POSTs a signed webhook. */
export async function sendWebhook(opts: {
  url: string; source: string; secret: string; payload: unknown;
  webhookId?: string; timestamp?: number; traceparent?: string;
}): Promise<SendResult> {
  const webhookId = opts.webhookId ?? `msg_${randomBytes(10).toString('hex')}`;
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const body = JSON.stringify(opts.payload);
  const endpoint = `${opts.url.replace(/\/$/, '')}/webhooks/${opts.source}`;
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'webhook-id': webhookId,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': sign(opts.secret, webhookId, timestamp, body),
      ...(opts.traceparent ? { traceparent: opts.traceparent } : {}),
    },
    body,
  }).catch((e: Error & { cause?: { code?: string; message?: string } }) => {
    // fetch says only "fetch failed"; what failed (ECONNREFUSED, ENOTFOUND, ...) is in its cause.
    throw new Error(`could not reach ${endpoint}: ${e.cause?.code ?? e.cause?.message ?? e.message}`, { cause: e });
  });
  const text = await res.text();
  let parsed: unknown = text;
  try { parsed = JSON.parse(text); } catch { /* keep text */ }
  const retryAfter = res.headers.get('retry-after');
  return { status: res.status, body: parsed, webhookId, retryAfter: retryAfter != null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null };
}

export const sampleEvent = (to = DEMO_AGENT.phone_number) => sampleCall({ to });

/** Where `ballast up` records its receiver URL for `send-sample`. */
export const receiverFile = (config: Config) => path.join(config.dataDir, 'receiver.json');
