/**
 * The `ballast` command: parse arguments, call lib, print.
 */
import { Command, Option } from 'commander';
import { ConfigError } from '../lib/config/index.ts';
import { commandUp } from './commands/up.ts';
import { commandWorker, commandMigrate, commandIngest } from './commands/run.ts';
import { commandSendSample } from './commands/send-sample.ts';
import { commandTrace, commandStuck, commandPolicy } from './commands/forensics.ts';
import { commandSearch, commandReconcileSearch, commandSearchHealth } from './commands/search.ts';

const program = new Command('ballast')
  .description('deterministic, observable, recoverable pipelines in PostgreSQL')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: false });

program.command('up')
  .description('what `npm start` runs: database (embedded unless DATABASE_URL), migrations, a worker pool and the webhook receiver')
  .option('--concurrency <n>', 'jobs run at once', (v) => positiveInt(v, '--concurrency'))
  .option('--port <port>', 'receiver port (0 = any free port)', (v) => portNumber(v))
  .action(commandUp);

program.command('worker')
  .description('run a worker: fetch and run pipeline jobs until SIGTERM (in-flight jobs finish first)')
  .option('--concurrency <n>', 'jobs run at once (default BALLAST_CONCURRENCY or 8)', (v) => positiveInt(v, '--concurrency'))
  .option('--queues <names>', 'only run stages in these comma-separated named queues (default: all)', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .option('--no-migrate', 'do not apply migrations before starting')
  .action(commandWorker);

program.command('migrate')
  .description("install graphile-worker's schema, then apply sql/migrations/*.sql (safe to run concurrently)")
  .action(commandMigrate);

program.command('ingest')
  .description('run only the webhook receiver (POST /webhooks/:source)')
  .option('--port <port>', 'port (0 = any free port)', (v) => portNumber(v))
  .action(commandIngest);

program.command('send-sample')
  .description('send a signed sample call.completed webhook to a running receiver')
  .option('--url <url>', 'receiver base URL (default: the one `ballast up` recorded)')
  .option('--source <source>', 'webhook source', 'telephony')
  .option('--to <e164>', 'destination number (an agent must own it)')
  .action(commandSendSample);

program.command('trace')
  .description('print the whole story of an event: inbox row, attempts, outputs with producer stamps, violations')
  .argument('<id>', 'webhook id, correlation id, trace id or inbox event id')
  .option('--json', 'print rows as JSON')
  .action(commandTrace);

program.command('stuck')
  .description('where is it stuck? running attempts with a stale heartbeat and long-locked jobs')
  .option('--stale <seconds>', 'heartbeat age that counts as stale', (v) => positiveInt(v, '--stale'), 60)
  .action(commandStuck);

program.command('policy')
  .description('show or set the trace-id policy (seed 004)')
  .addOption(new Option('--mode <mode>', 'set the mode').choices(['log_only', 'strict']))
  .option('--cutoff <timestamp>', 'set the cutoff (ISO 8601); jobs created before it are legacy')
  .action(commandPolicy);

program.command('search')
  .description('search summaries and claims by meaning (Qdrant, or the local engine when QDRANT_URL is unset)')
  .argument('<text>', 'what to look for')
  .option('--org <org>', 'only decisions of this org')
  .option('--limit <n>', 'how many results', (v) => positiveInt(v, '--limit'), 10)
  .option('--filter <pairs>', 'exact payload filters: entity=claim,kind=refund_request')
  .option('--exact', 'exact search instead of HNSW')
  .option('--json', 'print results as JSON')
  .action(commandSearch);

program.command('reconcile')
  .description('reconcile a derived store with Postgres')
  .command('search')
  .description('diff Postgres and the search index, enqueue repairs, record a run (search.reconcile_runs)')
  .option('--no-progress', 'no progress bar')
  .action(commandReconcileSearch);

program.command('search-health')
  .description('search outbox depth, oldest pending age, dead letters, freshness and the last reconciliations')
  .action(commandSearchHealth);

function positiveInt(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${v}"`);
  return n;
}
function portNumber(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`--port must be 0-65535, got "${v}"`);
  return n;
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const err = e as Error;
  console.error(`ballast: ${err instanceof ConfigError ? err.message : err.message}`);
  if (process.env.BALLAST_DEBUG) console.error(err.stack);
  process.exit(err instanceof ConfigError ? 78 : 1);
}
