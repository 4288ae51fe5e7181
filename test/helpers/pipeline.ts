/** Running the real pipeline inside a test: a worker, a receiver, an agent. */
import { Db } from '../../lib/db/index.ts';
import { startReceiver, newSecret, sendWebhook, type Receiver, type ReceiverOptions } from '../../lib/ingest/index.ts';
import { startWorker, type Stage, type WorkerHandle } from '../../lib/stage/index.ts';
import { stages as pipelineStages } from '../../tasks/index.ts';
import { redactor } from './redactor.ts';
import { waitFor } from './wait.ts';
import { searchTarget } from '../search/helpers.ts';

interface Teardownable { teardown(fn: () => unknown): void }

export async function startTestWorker(t: Teardownable, url: string, opts: { stages?: Stage[]; concurrency?: number; heartbeatMs?: number } = {}): Promise<WorkerHandle> {
  // The pipeline's decisions feed search: give this file its own engine and collection.
  if (!opts.stages) await searchTarget(t);
  const worker = await startWorker({
    connectionString: url,
    stages: opts.stages ?? pipelineStages,
    concurrency: opts.concurrency ?? 4,
    heartbeatMs: opts.heartbeatMs ?? 5000,
    handleSignals: false,
    pollIntervalMs: 100,
    redactor,
  });
  t.teardown(async () => { await worker.stop(); await worker.done; });
  return worker;
}

export const SECRET = newSecret();
export const AGENT_NUMBER = '+15555550142';

export async function startTestReceiver(t: Teardownable, db: Db, opts: Partial<ReceiverOptions> = {}): Promise<Receiver> {
  const receiver = await startReceiver({ db, secrets: new Map([['telephony', SECRET]]), redactor, port: 0, ...opts });
  t.teardown(() => receiver.close());
  return receiver;
}

export async function addAgent(db: Db, phone = AGENT_NUMBER, agentId = 'agent_test'): Promise<void> {
  await db.query(
    `insert into app.agents (agent_id, user_id, phone_number, org_id) values ($1, 'user_test', $2, 'org_test')`,
    [agentId, phone]);
}

export const deliver = (url: string, payload: unknown, extra: { webhookId?: string; traceparent?: string } = {}) =>
  sendWebhook({ url, source: 'telephony', secret: SECRET, payload, ...extra });

/** Waits until the inbox event reaches a terminal status and returns the row. */
export async function waitForEvent(db: Db, eventId: number, statuses = ['completed', 'quarantined']): Promise<Record<string, any>> {
  return waitFor(`event ${eventId} to reach ${statuses.join('/')}`, async () => {
    const { rows: [ev] } = await db.query('select * from ingest.webhook_events where id = $1', [eventId]);
    return ev && statuses.includes(ev.status) ? ev : null;
  });
}

export const PIPELINE_TASKS = ['normalize_event', 'segment_interaction', 'summarize_interaction', 'extract_claims', 'detect_striking'];

/** Waits until no job of the reference pipeline is waiting or running. */
export async function waitForIdleQueue(db: Db, tasks = PIPELINE_TASKS): Promise<void> {
  await waitFor('the queue to drain', async () => {
    const { rows: [r] } = await db.query(
      `select count(*)::int as n from ballast.queued_jobs
        where (attempts < max_attempts or locked_at is not null) and task_identifier = any($1)`, [tasks]);
    return r.n === 0;
  });
}
