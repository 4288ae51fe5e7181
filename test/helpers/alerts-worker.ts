/**
 * A worker process that runs only evaluate_alerts, as ballast_worker, for the
 * test that two evaluators at once keep one open alert per dedupe key.
 * Usage: node --import tsx test/helpers/alerts-worker.ts <url> <concurrency>
 */
import { loadConfig } from '../../lib/config/index.ts';
import { ROLES, withRole } from '../../lib/db/index.ts';
import { configureLogging } from '../../lib/log/index.ts';
import { startWorker } from '../../lib/stage/index.ts';
import evaluateAlerts from '../../tasks/evaluate_alerts.ts';
import { redactor } from './redactor.ts';

configureLogging(loadConfig());

const [url, concurrency = '4'] = process.argv.slice(2);
const worker = await startWorker({
  connectionString: withRole(url!, ROLES.worker),
  stages: [evaluateAlerts],
  concurrency: Number(concurrency),
  handleSignals: true,
  pollIntervalMs: 100,
  redactor,
});
process.stdout.write(`ready ${worker.workerId}\n`);
await worker.done;
