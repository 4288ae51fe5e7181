/**
 * normalize_event queues its billing (app.bill_interaction, which updates the
 * agent's one usage row per period) after its last query, so it goes with
 * the ledger row and COMMIT: every event of an agent updates that row, and a
 * transaction that locked it earlier made the agent's other events wait
 * through its remaining round trips (docs/performance.md, "The stages'
 * per-event path").
 */
import t from 'tap';
import pg from 'pg';
import { loadConfig } from '../../lib/config/index.ts';
import { log } from '../../lib/log/index.ts';
import { newSpanId, newTraceId, withTrace, type TraceContext } from '../../lib/trace/index.ts';
import { StageTx } from '../../lib/stage/tx.ts';
import type { StageContext } from '../../lib/stage/index.ts';
import type { Db } from '../../lib/db/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { addUsageAgent, AGENT, call, inbox, linesPerPeriod, normalizeEvent, usageRows } from './helpers.ts';

/** Runs normalize_event's body for `eventId` in a stage transaction, as the runtime does, and leaves it open. */
async function normalizeOpen(db: Db, eventId: number): Promise<{ commit(): Promise<void>; rollback(): Promise<void> }> {
  const { rows: [ev] } = await db.query('select trace_id, correlation_id from ingest.webhook_events where id = $1', [eventId]);
  const trace: TraceContext = {
    trace_id: ev.trace_id, span_id: newSpanId(), parent_span_id: null, correlation_id: ev.correlation_id,
    task: normalizeEvent.task, task_version: normalizeEvent.version, model_version: null, prompt_version: null,
  };
  return withTrace(trace, async () => {
    const tx = new StageTx(db, 'worker:test');
    const ctx: StageContext = { tx, write: (text, values) => tx.write(text, values), db, config: loadConfig(), trace, log, job: {} as StageContext['job'],
      redactor, signal: new AbortController().signal, stage: normalizeEvent };
    await normalizeEvent.run({ event_id: eventId }, ctx);
    return { commit: () => withTrace(trace, () => tx.commit({ text: 'select 1' })), rollback: () => tx.rollback() };
  });
}

t.test('a normalize_event transaction locks its agent\'s usage row only when it commits', async (t) => {
  const { db, url } = await testDatabase(t);
  await addUsageAgent(db);
  const [first, second] = await inbox(db, call('2026-09-03T10:00:00Z', 61), call('2026-09-04T10:00:00Z', 30));
  // The period's first event makes its usage row.
  await (await normalizeOpen(db, first!)).commit();
  t.same(await usageRows(db), [{ period_start: '2026-09-01', tier: 'standard', calls: 1, call_minutes: 2, sms: 0, limit_state: 'ok' }]);

  const open = await normalizeOpen(db, second!);
  // The stage has run every query; its inbox update and billing wait for the commit.
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  t.teardown(() => other.end());
  await other.query('begin');
  await other.query(`set local lock_timeout = '5s'`);
  try {
    await other.query(`update app.usage_limits set soft_sms = soft_sms where agent_id = $1`, [AGENT]);
    t.pass('another transaction updated the usage row while the stage was open');
  } catch (e) {
    await open.rollback();
    throw e;
  } finally {
    await other.query('rollback');
  }
  t.match((await db.query('select status from ingest.webhook_events where id = $1', [second])).rows[0], { status: 'received' },
    'the stage\'s queued writes are not sent before its commit');
  await open.commit();
  t.same(await usageRows(db), [{ period_start: '2026-09-01', tier: 'standard', calls: 2, call_minutes: 3, sms: 0, limit_state: 'ok' }],
    'the commit billed the event');
  t.same(await linesPerPeriod(db), [{ period_start: '2026-09-01', calls: 2, call_minutes: 3, sms: 0, lines: 4 }]);
  t.match((await db.query('select status from ingest.webhook_events where id = $1', [second])).rows[0], { status: 'processing' });
});
