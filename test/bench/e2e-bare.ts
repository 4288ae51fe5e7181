/**
 * The baselines of `npm run bench:e2e` (test/bench/e2e.ts), each run as a
 * process of its own the way ballast's receiver and workers are:
 *
 *   --role receiver  a bare node:http endpoint that verifies the same
 *                    Standard Webhooks signature (lib/ingest/signature.ts)
 *                    and does one INSERT, with the receiver's pool size (10);
 *   --role worker    the same five engines as bare graphile-worker tasks that
 *                    write the same output rows into plain tables of the
 *                    `bare` schema: no ledger, trace, audit, snapshots or outbox.
 *
 * Each prints `ready <port>` once it serves, and stops on SIGTERM.
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { run, type Task, type TaskList } from 'graphile-worker';
import pg from 'pg';
import { createLogger, workerLogger } from '../../lib/log/index.ts';
import { verify, unixSeconds, SignatureError } from '../../lib/ingest/signature.ts';
import { telephonyEvent } from '../../lib/ingest/telephony.ts';
import { segment, summarize, extractClaims, detectStriking, type Turn } from '../../lib/engines/index.ts';
import { workerPoolSize, workerPreset } from '../../lib/stage/index.ts';

/** Plain tables for both baselines, in the bench's own database. */
export const BARE_SCHEMA = `
create schema if not exists bare;
create table bare.inbox (id bigint generated always as identity primary key, webhook_id text not null unique,
  received_at timestamptz not null default now(), payload jsonb not null);
create table bare.events (id bigint generated always as identity primary key, payload jsonb not null,
  started_at timestamptz, completed_at timestamptz, stages_left int not null default 3);
create table bare.interactions (id bigint generated always as identity primary key, event_id bigint not null unique,
  org_id text not null, agent_id text not null, kind text not null, direction text not null, provider_ref text,
  from_number text, to_number text, occurred_at timestamptz, duration_seconds int, transcript jsonb);
create table bare.conversation_spans (interaction_id bigint not null, seq int not null, speaker text not null,
  start_ms int, end_ms int, turn_count int not null, text text not null, primary key (interaction_id, seq));
create table bare.summaries (interaction_id bigint primary key, summary text not null, key_points jsonb not null);
create table bare.claims (interaction_id bigint not null, seq int not null, kind text not null, text text not null,
  span_seq int, primary key (interaction_id, seq));
create table bare.striking_flags (interaction_id bigint not null, seq int not null, flag text not null,
  severity text not null, evidence text, span_seq int, primary key (interaction_id, seq));`;

type Client = pg.PoolClient;
type Helpers = Parameters<Task>[1];

async function inTx<T>(helpers: Helpers, fn: (c: Client) => Promise<T>): Promise<T> {
  return helpers.withPgClient(async (c) => {
    await c.query('begin');
    try {
      const r = await fn(c as Client);
      await c.query('commit');
      return r;
    } catch (e) {
      await c.query('rollback').catch(() => undefined);
      throw e;
    }
  });
}

const loadSpans = async (c: Client, id: number) =>
  (await c.query('select seq, speaker, text from bare.conversation_spans where interaction_id = $1 order by seq', [id])).rows;

/** One of the three decision stages is done; the last one completes the event. */
const decisionDone = (c: Client, id: number) => c.query(
  `update bare.events e set stages_left = stages_left - 1,
          completed_at = case when stages_left = 1 then clock_timestamp() end
     from bare.interactions i where i.id = $1 and e.id = i.event_id`, [id]);

const fanOut = `select graphile_worker.add_job('bare_summarize', $1::json), graphile_worker.add_job('bare_claims', $1::json),
  graphile_worker.add_job('bare_striking', $1::json)`;

export const bareTasks: TaskList = {
  bare_normalize: async (payload, helpers) => {
    const { event_id } = payload as { event_id: number };
    await inTx(helpers, async (c) => {
      const { rows: [event] } = await c.query(
        'update bare.events set started_at = clock_timestamp() where id = $1 returning payload', [event_id]);
      const ev = telephonyEvent.parse(event.payload);
      const call = ev.type === 'call.completed' ? ev.data : null;
      const ours = ev.data.direction === 'inbound' ? ev.data.to : ev.data.from;
      const { rows: [agent] } = await c.query('select agent_id, org_id from app.agents where phone_number = $1 and is_active', [ours]);
      const { rows: [it] } = await c.query(
        `insert into bare.interactions (event_id, org_id, agent_id, kind, direction, provider_ref, from_number, to_number,
           occurred_at, duration_seconds, transcript) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning id`,
        [event_id, agent.org_id, agent.agent_id, call ? 'call' : 'sms', ev.data.direction, call?.call_id ?? null,
          ev.data.from, ev.data.to, call?.started_at ?? null, call?.duration_seconds ?? null, call ? JSON.stringify(call.transcript) : null]);
      await c.query(`select graphile_worker.add_job('bare_segment', json_build_object('interaction_id', $1::bigint))`, [it.id]);
    });
  },
  bare_segment: async (payload, helpers) => {
    const { interaction_id } = payload as { interaction_id: number };
    await inTx(helpers, async (c) => {
      const { rows: [it] } = await c.query('select transcript from bare.interactions where id = $1', [interaction_id]);
      const spans = segment((it.transcript ?? []) as Turn[]);
      await c.query(
        `insert into bare.conversation_spans (interaction_id, seq, speaker, start_ms, end_ms, turn_count, text)
         select $1, seq, speaker, start_ms, end_ms, turn_count, text
           from json_to_recordset($2::json) as s(seq int, speaker text, start_ms int, end_ms int, turn_count int, text text)`,
        [interaction_id, JSON.stringify(spans)]);
      await c.query(fanOut, [JSON.stringify({ interaction_id })]);
    });
  },
  bare_summarize: async (payload, helpers) => {
    const { interaction_id } = payload as { interaction_id: number };
    await inTx(helpers, async (c) => {
      const result = summarize(await loadSpans(c, interaction_id));
      await c.query('insert into bare.summaries (interaction_id, summary, key_points) values ($1, $2, $3)',
        [interaction_id, result.summary, JSON.stringify(result.key_points)]);
      await decisionDone(c, interaction_id);
    });
  },
  bare_claims: async (payload, helpers) => {
    const { interaction_id } = payload as { interaction_id: number };
    await inTx(helpers, async (c) => {
      const claims = extractClaims(await loadSpans(c, interaction_id));
      if (claims.length > 0) {
        await c.query(
          `insert into bare.claims (interaction_id, seq, kind, text, span_seq)
           select $1, seq, kind, text, span_seq from json_to_recordset($2::json) as c(seq int, kind text, text text, span_seq int)`,
          [interaction_id, JSON.stringify(claims)]);
      }
      await decisionDone(c, interaction_id);
    });
  },
  bare_striking: async (payload, helpers) => {
    const { interaction_id } = payload as { interaction_id: number };
    await inTx(helpers, async (c) => {
      const flags = detectStriking(await loadSpans(c, interaction_id));
      if (flags.length > 0) {
        await c.query(
          `insert into bare.striking_flags (interaction_id, seq, flag, severity, evidence, span_seq)
           select $1, seq, flag, severity, evidence, span_seq
             from json_to_recordset($2::json) as f(seq int, flag text, severity text, evidence text, span_seq int)`,
          [interaction_id, JSON.stringify(flags)]);
      }
      await decisionDone(c, interaction_id);
    });
  },
};

async function receiver(url: string, secret: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      try {
        const body = Buffer.concat(chunks);
        const { id } = verify(secret, req.headers as Record<string, string>, body, unixSeconds());
        await pool.query('insert into bare.inbox (webhook_id, payload) values ($1, $2) on conflict (webhook_id) do nothing', [id, body.toString('utf8')]);
        answer(200, { status: 'received' });
      } catch (e) {
        if (e instanceof SignatureError) answer(401, { error: 'invalid_signature' });
        else answer(503, { error: 'unavailable' });
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  console.log(`ready ${(server.address() as { port: number }).port}`);
  process.once('SIGTERM', () => { server.close(); server.closeAllConnections(); void pool.end().then(() => process.exit(0)); });
}

async function worker(url: string, concurrency: number): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: workerPoolSize(concurrency) });
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  const runner = await run({ pgPool: pool, taskList: bareTasks, concurrency, noHandleSignals: true, parsedCronItems: [],
    logger: workerLogger(createLogger('silent')), preset: workerPreset(concurrency) });
  console.log('ready 0');
  process.once('SIGTERM', () => { void runner.stop().then(() => pool.end()).then(() => process.exit(0)); });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values: a } = parseArgs({ options: {
    role: { type: 'string' }, url: { type: 'string' }, secret: { type: 'string' }, concurrency: { type: 'string', default: '8' },
  } });
  if (a.role === 'receiver') await receiver(a.url!, a.secret!);
  else if (a.role === 'worker') await worker(a.url!, Number(a.concurrency));
  else throw new Error('--role receiver|worker');
}
