import t from 'tap';
import { z } from 'zod';
import { Db, ROLES, withRole } from '../../lib/db/index.ts';
import { decisionTasks, defineStage, registerStages, registryDrift } from '../../lib/stage/index.ts';
import { sampleCall } from '../../lib/ingest/telephony.ts';
import { stages } from '../../tasks/index.ts';
import { DECISION_DONE } from '../../tasks/spans.ts';
import { testDatabase } from '../helpers/db.ts';
import { addAgent, AGENT_NUMBER, startTestWorker, waitForEvent } from '../helpers/pipeline.ts';

// A decision stage of the test's own: one declaration, no SQL of its own.
const rateSentiment = defineStage({
  task: 'rate_sentiment',
  version: '0.1.0',
  engine: { name: 'sentiment', version: 'rule-sentiment@0.1.0', ruleset: null, files: [], decide: () => ({ score: 0 }) },
  decision: true,
  payload: z.object({ interaction_id: z.number().int().positive() }),
  async run(_input, { write }) {
    write(DECISION_DONE);
  },
});

t.test('ballast.stages holds what tasks/ declares', async (t) => {
  const { db } = await testDatabase(t);
  const { rows } = await db.query('select task, decision, engine, outputs from ballast.stages order by task');
  t.same(rows.map((r) => r.task), stages.map((s) => s.task).sort());
  t.same(rows.filter((r) => r.decision).map((r) => r.task), decisionTasks(stages));
  t.same(decisionTasks(stages), ['detect_striking', 'extract_claims', 'summarize_interaction']);
  t.match(rows.find((r) => r.task === 'extract_claims'), { engine: 'claims', outputs: ['app.claims'] });
});

t.test('an event completes only when every registered decision stage is done, the new one included', async (t) => {
  const { db } = await testDatabase(t);
  await registerStages(db, [...stages, rateSentiment]);
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload) values ('telephony', $1) returning id, correlation_id`,
    [JSON.stringify(sampleCall({ to: AGENT_NUMBER }))]);
  await db.query(`update ingest.webhook_events set status = 'processing' where id = $1`, [ev.id]);
  const done = (task: string) => db.atomicWrite(async (tx) => {
    await tx.query(`select set_config('ballast.task', $1, true), set_config('ballast.correlation_id', $2, true)`, [task, ev.correlation_id]);
    await tx.query(DECISION_DONE);
  });
  const status = async () => (await db.query('select status, stages_done from ingest.webhook_events where id = $1', [ev.id])).rows[0];
  for (const task of decisionTasks(stages)) await done(task);
  t.match(await status(), { status: 'processing' }, 'the three pipeline stages are not all of them now');
  await done('rate_sentiment');
  t.same(await status(), { status: 'completed', stages_done: [...decisionTasks(stages), 'rate_sentiment'].sort() });
  await t.rejects(done('normalize_event'), { code: '42501', message: /rate_sentiment/ }, 'a stage that is not a decision stage is refused');

  await registerStages(db, stages);
  const { rows } = await db.query(`select task from ballast.stages where task = 'rate_sentiment'`);
  t.same(rows, [], 'a stage no longer declared leaves the registry');
});

t.test('the fan-out after segmentation enqueues a registered decision stage, and the pipeline completes with it', async (t) => {
  const { db, url } = await testDatabase(t);
  await addAgent(db);
  const withNew = [...stages.filter((s) => s.queue !== 'search'), rateSentiment];
  await registerStages(db, withNew);
  await startTestWorker(t, url, { stages: withNew });
  const { rows: [ev] } = await db.query(
    `insert into ingest.webhook_events (source, payload) values ('telephony', $1) returning id`,
    [JSON.stringify(sampleCall({ to: AGENT_NUMBER }))]);
  const done = await waitForEvent(db, ev.id);
  t.same(done.stages_done, decisionTasks(withNew));
  t.ok(done.stages_done.includes('rate_sentiment'));
  const { rows: [a] } = await db.query(`select count(*)::int as n from ballast.job_attempts where task = 'rate_sentiment' and status = 'succeeded'`);
  t.equal(a.n, 1);
});

t.test('registering refuses an output table that does not exist', async (t) => {
  const { db } = await testDatabase(t);
  const ghost = defineStage({
    task: 'ghost', version: '1.0.0', outputs: ['app.no_such_table'], inputKey: 'interaction_id',
    payload: z.object({}), async run() {},
  });
  await t.rejects(registerStages(db, [...stages, ghost]), /stage ghost declares output table app\.no_such_table, which does not exist/);
  const { rows } = await db.query(`select count(*)::int as n from ballast.stages`);
  t.equal(rows[0].n, stages.length, 'nothing changed');
});

t.test('a declaration the registry could not use is refused when the stage is defined', async (t) => {
  const base = { version: '1.0.0', payload: z.object({}), async run() {} };
  t.throws(() => defineStage({ ...base, task: 'a', decision: true }), /stage a: a decision stage declares its engine/);
  t.throws(() => defineStage({ ...base, task: 'b', outputs: ['claims'], inputKey: 'x' }), /not a schema\.table name/);
  t.throws(() => defineStage({ ...base, task: 'c', outputs: ['app.claims'] }), /declares its inputKey/);
  for (const version of ['1.0.0.0', 'v1', 'latest', '']) {
    t.throws(() => defineStage({ ...base, task: 'd', version }),
      { message: `stage d: version must be a version like 1.2.3 (or 1, 1.2, 1.2.3-rc.1), got ${JSON.stringify(version)}` }, version);
  }
  t.doesNotThrow(() => defineStage({ ...base, task: 'e', version: '2.0.0-rc.1' }), 'a pre-release is a version');
});

t.test('the worker reads the registry and appends run rows, but rewrites neither', async (t) => {
  const { url } = await testDatabase(t);
  const worker = new Db({ connectionString: withRole(url, ROLES.worker), max: 1 });
  t.teardown(() => worker.close());
  t.same(await registryDrift(worker, stages), [], 'a worker with the declared stages sees no drift');
  t.same(await registryDrift(worker, [rateSentiment]), ['rate_sentiment is a decision stage here but not registered']);
  await t.rejects(registerStages(worker, stages), { code: '42501' });
  await worker.query(`insert into ballast.maintenance_runs (task, started_at, finished_at, counts, outcome) values ('x', now(), now(), '{}', 'succeeded')`);
  await t.rejects(worker.query(`update ballast.maintenance_runs set outcome = 'failed', error = 'rewritten'`), { code: '42501' });
  await t.rejects(worker.query('delete from ballast.maintenance_runs'), { code: '42501' });
});
