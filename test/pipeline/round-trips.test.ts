/**
 * What each pipeline stage sends per job: its reads, then one batch with its
 * queued writes, the ledger row and COMMIT (docs/performance.md, "The
 * stages' per-event path"). Each round trip costs the server and the worker a
 * statement cycle and keeps the stage's locks held for longer, so a write
 * whose result a stage does not read is queued with `write()`.
 */
import t from 'tap';
import { loadConfig } from '../../lib/config/index.ts';
import { Db, type OpenTx } from '../../lib/db/index.ts';
import { log } from '../../lib/log/index.ts';
import { StageTx } from '../../lib/stage/tx.ts';
import type { Stage, StageContext } from '../../lib/stage/index.ts';
import { newSpanId, withTrace, type TraceContext } from '../../lib/trace/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { stages } from '../../tasks/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER } from '../helpers/pipeline.ts';
import { redactor } from '../helpers/redactor.ts';

const stage = (task: string): Stage => stages.find((s) => s.task === task)!;

/** Runs one job of `task` as the runtime does, over a pool that counts the round trips of its transaction. */
async function runCounted(db: Db, task: string, input: Record<string, number>, ev: { trace_id: string; correlation_id: string }): Promise<number> {
  const s = stage(task);
  let trips = 0;
  const counting = Object.create(db) as Db;
  counting.begin = async (...args: Parameters<Db['begin']>) => {
    const tx = await db.begin(...args);
    const send = tx.send.bind(tx);
    const commit = tx.commit.bind(tx);
    return Object.assign(tx, {
      send: (statements: Parameters<OpenTx['send']>[0]) => { trips += 1; return send(statements); },
      commit: (statements?: Parameters<OpenTx['commit']>[0]) => { trips += 1; return commit(statements); },
    });
  };
  const trace: TraceContext = {
    trace_id: ev.trace_id, span_id: newSpanId(), parent_span_id: null, correlation_id: ev.correlation_id,
    task: s.task, task_version: s.version, model_version: s.modelVersion ?? null, prompt_version: s.promptVersion ?? null,
  };
  await withTrace(trace, async () => {
    const tx = new StageTx(counting, 'worker:test');
    const ctx: StageContext = { tx, write: (text, values) => tx.write(text, values), db, config: loadConfig(), trace, log,
      job: {} as StageContext['job'], redactor, signal: new AbortController().signal, stage: s };
    await s.run(input, ctx);
    await tx.commit({ text: 'select 1' });
  });
  return trips;
}

t.test('each stage of an event: its reads, then one round trip with its writes and COMMIT', async (t) => {
  const { db } = await testDatabase(t);
  await addAgent(db);
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload) values ('telephony', $1) returning id, trace_id, correlation_id`,
    [JSON.stringify(sampleCall({ to: AGENT_NUMBER }))]);

  // The event, the agent and its usage gate, the interaction (whose id the segmentation job needs), then the commit.
  t.equal(await runCounted(db, 'normalize_event', { event_id: ev.id }, ev), 4, 'normalize_event: 4 round trips');
  const { rows: [it] } = await db.query('select id from app.interactions where event_id = $1', [ev.id]);
  t.equal(await runCounted(db, 'segment_interaction', { interaction_id: it.id }, ev), 2, 'segment_interaction: 2');
  for (const task of ['summarize_interaction', 'extract_claims', 'detect_striking']) {
    t.equal(await runCounted(db, task, { interaction_id: it.id }, ev), 2, `${task}: 2`);
  }

  const { rows: [done] } = await db.query(
    `select e.status, e.stages_done,
            (select count(*)::int from app.conversation_spans where interaction_id = $2) as spans,
            (select count(*)::int from app.summaries where interaction_id = $2) as summaries,
            (select count(*)::int from app.claims where interaction_id = $2) as claims,
            (select count(*)::int from replay.decisions where interaction_id = $2) as snapshots,
            (select count(*)::int from app.billing_line_items where interaction_id = $2) as billing_lines
       from ingest.webhook_events e where e.id = $1`, [ev.id, it.id]);
  t.match(done, { status: 'completed', stages_done: ['detect_striking', 'extract_claims', 'summarize_interaction'],
    summaries: 1, snapshots: 3, billing_lines: 2 }, 'every output, snapshot and billing line committed');
  t.ok(done.spans > 0 && done.claims > 0, `${done.spans} spans, ${done.claims} claims`);

  // The reason covers the delete alone: what a stage creates or updates carries none.
  const unreasoned = `select count(*)::int as n, count(reason)::int as with_reason from audit.ledger
     where entity_type in ('app.claims', 'app.striking_flags', 'ingest.webhook_events') and operation <> 'delete'`;
  const { rows: [first] } = await db.query(unreasoned);
  t.ok(first.n > done.claims, `${first.n} rows created or updated by the first run`);
  t.equal(first.with_reason, 0, 'a first run supersedes nothing: none of its rows carries a reason');

  // A re-run replaces the claims: its reason (a gated delete) travels in the same batch, before the delete.
  t.equal(await runCounted(db, 'extract_claims', { interaction_id: it.id }, ev), 2);
  const { rows: [del] } = await db.query(
    `select count(*)::int as n, min(reason) as reason from audit.ledger where entity_type = 'app.claims' and operation = 'delete'`);
  t.same(del, { n: done.claims, reason: 'superseded by a re-run of extract_claims' });
  const { rows: [again] } = await db.query(unreasoned);
  t.ok(again.n >= first.n + done.claims, `${again.n - first.n} rows created or updated by the re-run`);
  t.equal(again.with_reason, 0, 'the claims the re-run creates carry no reason either');
});
