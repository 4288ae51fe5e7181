/**
 * What a worker logs per job: a success is a debug line (the job ledger,
 * ballast.job_attempts, is its record), so a busy worker does not write a
 * line per job at the default level; a failure is still logged.
 */
import { Writable } from 'node:stream';
import t from 'tap';
import { z } from 'zod';
import { createLogger } from '../../lib/log/index.ts';
import { defineStage, PermanentError, startWorker } from '../../lib/stage/index.ts';
import { testDatabase } from '../helpers/db.ts';
import { redactor } from '../helpers/redactor.ts';
import { waitFor } from '../helpers/wait.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

t.test('a job\'s success is logged at debug, its failure at warn or above, and both are in the job ledger', async (t) => {
  const { db, url } = await testDatabase(t);
  const lines: Record<string, any>[] = [];
  const log = createLogger('debug', new Writable({ write(c, _e, cb) { lines.push(JSON.parse(String(c))); cb(); } }), redactor);
  const ok = defineStage({ task: 'log_ok', version: '1.0.0', payload: z.object({}), async run() {} });
  const bad = defineStage({ task: 'log_bad', version: '1.0.0', payload: z.object({}), async run() { throw new PermanentError('no good'); } });
  const worker = await startWorker({ connectionString: url, stages: [ok, bad], concurrency: 2, handleSignals: false, pollIntervalMs: 100, log, redactor });
  t.teardown(async () => { await worker.stop(); await worker.done; });
  for (const task of ['log_ok', 'log_bad']) {
    await db.query(`select graphile_worker.add_job($1, json_build_object('trace_id', $2::text, 'correlation_id', $1::text))`, [task, TRACE]);
  }
  const attempts = await waitFor('both attempts in the job ledger', async () => {
    const { rows } = await db.query(`select task, status from ballast.job_attempts where task like 'log_%' and status <> 'running' order by task`);
    return rows.length === 2 ? rows : null;
  });
  t.same(attempts, [{ task: 'log_bad', status: 'failed' }, { task: 'log_ok', status: 'succeeded' }]);
  const success = await waitFor('the success line', async () => lines.find((l) => /^Completed task \d+ \(log_ok/.test(l.msg)));
  t.equal(success.level, 20, 'debug');
  t.match(success, { component: 'graphile-worker' });
  t.notOk(lines.some((l) => l.level >= 30 && /Completed task/.test(l.msg)), 'no line per successful job at info or above');
  // The failure's line is written after its ledger row commits, so it is waited for too.
  const failure = await waitFor('the failure line', async () => lines.find((l) => l.task === 'log_bad' && l.level >= 40));
  t.ok(failure.level >= 40, 'the failure is logged at warn or above');
});
