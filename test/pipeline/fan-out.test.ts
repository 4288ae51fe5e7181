/**
 * Migration 019: segment_interaction's spans fan out to the decision stages
 * with one graphile_worker.add_jobs call; the jobs are the ones add_job made
 * one by one before: one per decision stage and interaction, keyed
 * `<task>:<interaction id>`, with the trace, parent span and correlation ids.
 */
import t from 'tap';
import { withTrace } from '../../lib/trace/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { addDecisions } from '../search/helpers.ts';

const jobs = `select k.identifier as task, j.key, j.payload, j.max_attempts from graphile_worker._private_jobs j
  join graphile_worker._private_tasks k on k.id = j.task_id where j.key like '%:' || $1 order by k.identifier`;

t.test('spans of two interactions enqueue each decision stage once per interaction, keyed', async (t) => {
  const { db } = await testDatabase(t);
  const a = await addDecisions(db, { summary: 'a' });
  const b = await addDecisions(db, { summary: 'b' });
  await db.query(`delete from graphile_worker._private_jobs`);
  const ctx = { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331', parent_span_id: null, correlation_id: 'test:fan-out',
    task: 'segment_interaction', task_version: '1.0.0', model_version: 'segmenter@test', prompt_version: null };
  const write = () => withTrace(ctx, () => db.atomicWrite((tx) => tx.query(
    `insert into app.conversation_spans (interaction_id, seq, speaker, start_ms, end_ms, turn_count, text)
     select i, s, 'agent', 0, 10, 1, 'hello' from unnest($1::bigint[]) i, generate_series(1, 3) s`, [[a.interactionId, b.interactionId]])));
  await write();
  const { rows: finals } = await db.query<{ task: string }>(`select task from ballast.stages where decision order by task`);
  t.ok(finals.length >= 3, 'the decision stages are registered');
  for (const id of [a.interactionId, b.interactionId]) {
    const { rows } = await db.query(jobs, [id]);
    t.same(rows.map((r) => r.task), finals.map((f) => f.task), `one job per decision stage for interaction ${id}`);
    for (const r of rows) {
      t.equal(r.key, `${r.task}:${id}`);
      t.same(r.payload, { interaction_id: id, trace_id: ctx.trace_id, parent_span_id: ctx.span_id, correlation_id: ctx.correlation_id });
      t.equal(r.max_attempts, 25, 'graphile-worker\'s default attempts, as add_job gave');
    }
  }
  // Spans written again (a retried segment) replace the keyed jobs: still one per stage.
  await db.query(`delete from app.conversation_spans where interaction_id = any($1)`, [[a.interactionId, b.interactionId]]);
  await write();
  t.equal((await db.query(jobs, [a.interactionId])).rowCount, finals.length, 'no duplicates');
});
