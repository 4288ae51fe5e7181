/**
 * The reconciliation tests' parts: a real HTTP usage provider (node:http in
 * the test process, serving the daily usage-records API the HTTP adapter
 * reads), and ballast's billing lines made the real way: inbox events that
 * normalize_event records and bills.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db } from '../../lib/db/index.ts';
import { waitFor } from '../helpers/wait.ts';

interface Teardownable { teardown(fn: () => unknown): void }

export const ACCOUNT = 'AC0000000000000000000000000000feed';
export const TOKEN = 'tok_reconcile_test_secret_value_123';

/** What the provider answers for a day: its usage records, a hang (never answers), or an HTTP error. */
export type DayAnswer = Record<string, unknown>[] | 'hang' | { status: number };

export interface FakeProvider {
  /** API base, as BALLAST_USAGE_PROVIDER_URL. */
  url: string;
  usage: Map<string, DayAnswer>;
  /** Each request's path and query, in order. */
  requests: string[];
}

/**
 * A provider shaped like Twilio's `GET /2010-04-01/Accounts/{Account}/Usage/Records/Daily.json`:
 * basic auth, `StartDate`/`EndDate`/`PageSize`, pages linked by `next_page_uri`,
 * counts and usage as strings.
 */
export async function startFakeProvider(t: Teardownable): Promise<FakeProvider> {
  const usage = new Map<string, DayAnswer>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    const u = new URL(req.url ?? '/', 'http://provider');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Basic ${Buffer.from(`${ACCOUNT}:${TOKEN}`).toString('base64')}`) {
      return send(401, { code: 20003, message: 'Authenticate', status: 401 });
    }
    const path = `/2010-04-01/Accounts/${ACCOUNT}/Usage/Records/Daily.json`;
    if (u.pathname !== path) return send(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    const day = u.searchParams.get('StartDate') ?? '';
    const answer = usage.get(day) ?? [];
    if (answer === 'hang') return; // never answers; the server's teardown closes the socket
    if (!Array.isArray(answer)) return send(answer.status, { code: answer.status, message: 'provider trouble', status: answer.status });
    const size = Number(u.searchParams.get('PageSize') ?? 50);
    const page = Number(u.searchParams.get('Page') ?? 0);
    const records = answer.slice(page * size, (page + 1) * size).map((r) => ({
      account_sid: ACCOUNT, start_date: day, end_date: day, count_unit: 'calls', usage_unit: 'minutes', ...r,
    }));
    const more = (page + 1) * size < answer.length;
    send(200, {
      usage_records: records, page, page_size: size, first_page_uri: `${path}?StartDate=${day}&EndDate=${day}&PageSize=${size}&Page=0`,
      next_page_uri: more ? `${path}?StartDate=${day}&EndDate=${day}&PageSize=${size}&Page=${page + 1}` : null,
      uri: `${path}?${u.searchParams}`,
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/2010-04-01`, usage, requests };
}

/** A call.completed event to `to`, started at `at`, lasting `seconds`. */
export function callEvent(id: string, to: string, at: string, seconds: number) {
  const end = new Date(new Date(at).getTime() + seconds * 1000).toISOString();
  return { type: 'call.completed', data: { call_id: id, direction: 'inbound', from: '+15555550199', to, started_at: at, ended_at: end, duration_seconds: seconds,
    transcript: [{ speaker: 'caller', text: 'Hello, I have a question about my bill.' }] } };
}

/** A message.received event to `to`, sent at `at`. */
export function smsEvent(id: string, to: string, at: string) {
  return { type: 'message.received', data: { message_id: id, from: '+15555550199', to, body: 'Is my order on its way?', sent_at: at } };
}

/** Puts `events` in the inbox and waits until a running worker has recorded (and billed) each of them. */
export async function recordEvents(db: Db, events: unknown[]): Promise<void> {
  const ids: number[] = [];
  for (const e of events) {
    const { rows: [ev] } = await db.query(`insert into ingest.webhook_events (source, payload) values ('telephony', $1) returning id`, [JSON.stringify(e)]);
    ids.push(Number(ev.id));
  }
  await waitFor(`${ids.length} event(s) to be recorded`, async () => {
    const { rows: [r] } = await db.query(`select count(*)::int as n from app.interactions where event_id = any ($1::bigint[])`, [ids]);
    return r.n === ids.length;
  });
}
