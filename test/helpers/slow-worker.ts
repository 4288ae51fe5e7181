/**
 * A worker process for shutdown and crash tests: one stage, `slow`, that
 * announces itself on stdout, holds for `holdMs` (or, with `release`, until
 * the test inserts its `n` into `public.slow_release`), then writes one
 * output row.
 * Usage: node --import tsx test/helpers/slow-worker.ts <url> <holdMs|release> <heartbeatMs> <concurrency>
 */
import { z } from 'zod';
import { loadConfig } from '../../lib/config/index.ts';
import { configureLogging } from '../../lib/log/index.ts';
import { defineStage, startWorker } from '../../lib/stage/index.ts';
import { redactor } from './redactor.ts';
import { waitFor } from './wait.ts';

configureLogging(loadConfig());

const [url, holdMs = '1000', heartbeatMs = '5000', concurrency = '1'] = process.argv.slice(2);

const slow = defineStage({
  task: 'slow',
  version: '1.0.0',
  payload: z.object({ n: z.number().int() }),
  async run({ n }, { tx, db }) {
    process.stdout.write(`started ${n}\n`);
    if (holdMs === 'release') {
      await waitFor(`the release of ${n}`, async () => (await db.query('select 1 from public.slow_release where n = $1', [n])).rowCount,
        { timeoutMs: 600_000, intervalMs: 50 });
    } else {
      await new Promise((r) => setTimeout(r, Number(holdMs))); // the "work"
    }
    await tx.query('insert into public.slow_outputs (n) values ($1) on conflict (n) do update set runs = slow_outputs.runs + 1', [n]);
  },
});

const worker = await startWorker({
  connectionString: url!,
  stages: [slow],
  concurrency: Number(concurrency),
  heartbeatMs: Number(heartbeatMs),
  pollIntervalMs: 100,
  redactor,
});
process.stdout.write('ready\n');
await worker.done;
process.stdout.write('stopped\n');
