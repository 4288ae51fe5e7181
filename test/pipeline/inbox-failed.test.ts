/**
 * The inbox row says where its event stopped (031_inbox_failed): `failed`,
 * naming the dead letter, when a stage gives up; back in flight when the dead
 * letter is replayed; and on to `completed` once the replay succeeds.
 */
import t from 'tap';
import { requeueDeadLetter } from '../../lib/failures/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER, startTestWorker, waitForEvent } from '../helpers/pipeline.ts';
import { waitFor } from '../helpers/wait.ts';

const { db, url } = await testDatabase(t);
await addAgent(db);
await startTestWorker(t, url);

/** An event as a plain SQL insert delivers it (it starts the pipeline like the receiver's). */
async function insertEvent(payload: unknown): Promise<{ id: number; correlation_id: string }> {
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload) values ('telephony', $1) returning id, correlation_id`, [JSON.stringify(payload)]);
  return ev;
}

/** The open dead letter of one event's stage, once its last failure is recorded (no replay in flight). */
const waitingDeadLetter = (correlationId: string, task: string, replays = 0) => waitFor(`a waiting dead letter of ${task}`, async () =>
  (await db.query(`select * from ballast.pipeline_failures
                    where context->>'correlation_id' = $1 and failing_function = $2 and resolved_at is null
                      and coalesce((context->>'replays')::int, 0) = $3
                      and (context->>'last_replay_at' is null
                           or (context->>'last_replay_failed_at')::timestamptz >= (context->>'last_replay_at')::timestamptz)`,
    [correlationId, task, replays])).rows[0]);

/** The inbox row's statuses in the order the audit ledger recorded them. */
const statusHistory = async (eventId: number) => (await db.query(
  `select after_data->>'status' as status from audit.ledger
    where entity_type = 'ingest.webhook_events' and entity_id = $1::text and after_data is not null order by id`, [eventId]))
  .rows.map((r) => r.status).filter((s, i, all) => i === 0 || s !== all[i - 1]);

const inboxRow = async (eventId: number) =>
  (await db.query('select status, status_reason from ingest.webhook_events where id = $1', [eventId])).rows[0];

t.test('the first stage fails for good: the row is failed and names the dead letter; its replay puts it back in flight, and it completes', async (t) => {
  // A call from before any price list: billing it fails (no prices in force), the same way on every retry.
  const ev = await insertEvent(sampleCall({ to: AGENT_NUMBER, callId: 'call_1999', at: new Date('1999-06-01T12:00:00Z') }));
  const dl = await waitingDeadLetter(ev.correlation_id, 'normalize_event');
  t.match(dl, { error_code: 'DB_WRITE_FAILED', next_retry_at: null, attempt_count: 1 }, 'permanent: parked');
  const failed = await waitForEvent(db, ev.id, ['failed']);
  t.equal(failed.status_reason, `dead_letter: normalize_event failed (DB_WRITE_FAILED), parked until an operator acts; dead letter ${dl.id}`);
  t.equal(failed.processed_at, null, 'not finished');

  // The operator adds the missing prices and replays the dead letter.
  await db.query(`insert into app.tier_snapshots (tier, effective_at, price_calls, price_call_minutes, price_sms, created_by)
                  values ('standard', '1990-01-01T00:00:00Z', 0, 0.02, 0.0079, 'test')`);
  t.equal(await requeueDeadLetter(db, dl.id, 'ops:test'), 'enqueued');
  const done = await waitForEvent(db, ev.id, ['completed', 'failed', 'quarantined']);
  t.match(done, { status: 'completed', status_reason: null, stages_done: ['detect_striking', 'extract_claims', 'summarize_interaction'] });
  t.same(await statusHistory(ev.id), ['received', 'failed', 'received', 'processing', 'completed'],
    'the ledger: failed, then waiting for the first stage again, then on through the pipeline');
  t.match((await db.query('select resolution_note from ballast.pipeline_failures where id = $1', [dl.id])).rows[0],
    { resolution_note: /^replay succeeded/ });
});

t.test('a later stage fails for good: the row goes from processing to failed; a replay that fails again leaves it failed', async (t) => {
  // A turn timestamp past what a span's start_ms (int) holds: segmentation fails, the same way every time.
  const call = sampleCall({ to: AGENT_NUMBER, callId: 'call_long' });
  if (call.type !== 'call.completed') throw new Error('sampleCall makes a call');
  call.data.transcript[0]!.start_ms = 3_000_000_000;
  const ev = await insertEvent(call);
  const dl = await waitingDeadLetter(ev.correlation_id, 'segment_interaction');
  t.match(dl, { error_code: 'DB_WRITE_FAILED', next_retry_at: null });
  const failed = await waitForEvent(db, ev.id, ['failed']);
  t.match(failed.status_reason, new RegExp(`^dead_letter: segment_interaction failed \\(DB_WRITE_FAILED\\), parked .*; dead letter ${dl.id}$`));

  t.equal(await requeueDeadLetter(db, dl.id, 'ops:test'), 'enqueued');
  const again = await waitingDeadLetter(ev.correlation_id, 'segment_interaction', 1);
  t.match(again.context, { outcome: 'permanent', replays: 1 });
  t.match(await inboxRow(ev.id), { status: 'failed', status_reason: new RegExp(`dead letter ${dl.id}$`) });
  t.same(await statusHistory(ev.id), ['received', 'processing', 'failed', 'processing', 'failed'],
    'the replay put it back in processing (the stage after the first), then it failed again');
});
