/**
 * A worker process that runs only normalize_event, as ballast_worker, for the
 * test that two worker processes recording one agent's events at once keep
 * its usage counters exact (test/usage/concurrency.test.ts).
 * Usage: node --import tsx test/helpers/usage-worker.ts <url> <concurrency>
 */
import { loadConfig } from '../../lib/config/index.ts';
import { ROLES, withRole } from '../../lib/db/index.ts';
import { configureLogging } from '../../lib/log/index.ts';
import { startWorker } from '../../lib/stage/index.ts';
import normalizeEvent from '../../tasks/normalize_event.ts';
import { redactor } from './redactor.ts';

configureLogging(loadConfig());

const [url, concurrency = '4'] = process.argv.slice(2);
const worker = await startWorker({
  connectionString: withRole(url!, ROLES.worker),
  stages: [normalizeEvent],
  concurrency: Number(concurrency),
  handleSignals: true,
  pollIntervalMs: 100,
  redactor,
});
process.stdout.write(`ready ${worker.workerId}\n`);
await worker.done;
