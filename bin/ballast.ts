/**
 * The `ballast` command: parse arguments, call lib, print.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { loadConfig } from '../lib/config/index.ts';
import { reportFailure } from '../lib/cli/index.ts';
import { configureLogging } from '../lib/log/index.ts';
import { commandUp } from './commands/up.ts';
import { commandWorker, commandMigrate, commandIngest } from './commands/run.ts';
import { commandSendSample } from './commands/send-sample.ts';
import { commandTrace, commandStuck, commandPolicy, commandWorkers } from './commands/forensics.ts';
import { commandSearch, commandReconcileSearch, commandSearchEngine, commandSearchHealth } from './commands/search.ts';
import { commandReconcileUsage } from './commands/reconcile-usage.ts';
import { auditDeletes, auditHistory, auditPurgeInteraction, auditSeal, auditTrace, auditVerify } from './commands/audit.ts';
import { replayBatchCommand, replayDecisionCommand, replayExportCommand } from './commands/replay.ts';
import { backfillCommand } from './commands/backfill.ts';
import { dlqList, dlqRequeue, dlqResolve, dlqShow } from './commands/dlq.ts';
import { commandSchemaDump } from './commands/schema.ts';
import { errorsCleanup } from './commands/errors.ts';
import { alertsAck, alertsList, alertsResolve, alertsRules, alertsShow, registerAlertCheckCommand } from './commands/alerts.ts';
import { registerAlertTestCommand } from './commands/alerts-test.ts';
import { registerBackupCommands } from './commands/backup.ts';
import { registerAgentCommands } from './commands/agents.ts';
import { registerInboxCommands } from './commands/inbox.ts';
import { registerUsageCommands } from './commands/usage.ts';
import { registerRetentionCommands } from './commands/retention.ts';
import { registerArchiveCommands } from './commands/archive.ts';
import { decisionTasks } from '../lib/stage/index.ts';
import { backfillTargets } from '../lib/backfill/index.ts';
import { stages } from '../tasks/index.ts';
import { exitWithParent } from '../lib/fleet/index.ts';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const program = new Command('ballast')
  .description('deterministic, observable, recoverable pipelines in PostgreSQL')
  .version(version, '-V, --version', 'print the version of ballast')
  .showHelpAfterError()
  .configureHelp({ sortSubcommands: false })
  .hook('preAction', () => configureLogging(loadConfig()));

program.command('up')
  .description('what `npm start` runs: database (embedded unless DATABASE_URL), migrations, one local search engine (unless QDRANT_URL), '
    + 'and the webhook receiver and N worker processes as children it restarts when they die')
  .option('--workers <n>', 'worker processes (default: one per core)', (v) => positiveInt(v, '--workers'))
  .option('--concurrency <n>', 'jobs each worker runs at once (default BALLAST_CONCURRENCY or 8)', (v) => positiveInt(v, '--concurrency'))
  .option('--port <port>', 'receiver port (0 = any free port)', (v) => portNumber(v))
  .action(commandUp);

program.command('worker')
  .description('run a worker as ballast_worker: fetch and run pipeline jobs until SIGTERM (in-flight jobs finish first); run `ballast migrate` first')
  .option('--concurrency <n>', 'jobs run at once (default BALLAST_CONCURRENCY or 8)', (v) => positiveInt(v, '--concurrency'))
  .option('--queues <names>', 'only run stages in these comma-separated named queues (default: all)', (v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .action(commandWorker);

program.command('migrate')
  .description("install graphile-worker's schema, apply sql/migrations/*.sql and register the stages of tasks/ in ballast.stages, as the database owner; its own step, before workers and receivers start (safe to run concurrently)")
  .action(commandMigrate);

program.command('schema')
  .description('the committed schema dump (sql/schema.sql)')
  .command('dump')
  .description('migrate a scratch database and write its pg_dump --schema-only to sql/schema.sql; --check fails if it differs')
  .option('--check', 'compare instead of writing; exit 1 and print the drift when they differ')
  .option('--file <path>', 'dump file (default sql/schema.sql)')
  .action(commandSchemaDump);

program.command('ingest')
  .description('run only the webhook receiver (POST /webhooks/:source), as ballast_ingest; run `ballast migrate` first')
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
  .description('where is it stuck? dead workers, running attempts with a stale heartbeat, long-locked jobs, jobs no worker takes, and jobs rescued from dead workers')
  .option('--stale <seconds>', 'heartbeat age that counts as stale', (v) => positiveInt(v, '--stale'), 60)
  .option('--since <seconds>', 'list rescues this far back', (v) => positiveInt(v, '--since'), 3600)
  .action(commandStuck);

program.command('workers')
  .description('the worker fleet: each worker process, its state and last heartbeat, its locked jobs')
  .option('--stale <seconds>', 'heartbeat age that counts as silent', (v) => positiveInt(v, '--stale'), 30)
  .option('--since <seconds>', 'also list workers stopped or rescued this far back', (v) => positiveInt(v, '--since'), 3600)
  .option('--json', 'print rows as JSON')
  .action(commandWorkers);

program.command('policy')
  .description('show or set the trace-id policy (jobs that succeed without a trace_id: log them, or refuse them)')
  .addOption(new Option('--mode <mode>', 'set the mode').choices(['log_only', 'strict']))
  .option('--cutoff <timestamp>', 'set the cutoff (ISO 8601); jobs created before it are legacy')
  .action(commandPolicy);

const dlq = program.command('dlq').description('dead letters: list, inspect, requeue, resolve');
dlq.command('list')
  .description('list dead letters (unresolved by default)')
  .option('--function <task>', 'only this failing function')
  .option('--age <age>', 'only failed within this long ago: 30m, 2h, 7d')
  .option('--resolved', 'only resolved ones')
  .option('--all', 'resolved and unresolved')
  .option('--limit <n>', 'at most this many rows', (v) => positiveInt(v, '--limit'), 50)
  .option('--json', 'print rows as JSON')
  .action(dlqList);
dlq.command('show').description('one dead letter with its error envelopes').argument('<id>', 'dead-letter id').action(dlqShow);
dlq.command('requeue').description('re-enqueue the original task now (ignores schedule and bound)').argument('<id>', 'dead-letter id').action(dlqRequeue);
dlq.command('resolve').description('mark a dead letter resolved by hand')
  .argument('<id>', 'dead-letter id')
  .requiredOption('--note <text>', 'why it is resolved (recorded with your user name)')
  .action(dlqResolve);


const errors = program.command('errors').description('error envelopes: retention');
errors.command('cleanup')
  .description('delete error envelopes older than a number of days (destructive: needs BALLAST_ALLOW_DESTRUCTIVE=1 and --reason)')
  .option('--older-than <days>', 'keep envelopes younger than this many days', (v) => positiveInt(v, '--older-than'), 90)
  .requiredOption('--reason <text>', 'why; recorded in the audit ledger with each deleted envelope')
  .action(errorsCleanup);

const audit = program.command('audit').description('the audit ledger: seal, verify, and who changed what');
audit.command('seal')
  .description('append newly committed ledger rows to the hash chain (the audit_seal cron task does this every minute)')
  .option('--batch <n>', 'rows per seal transaction', (v) => positiveInt(v, '--batch'), 10000)
  .action(auditSeal);
audit.command('verify')
  .description('recompute the hash chain and report the first row that does not match (exit 1 when tampered)')
  .option('--expect-head <hash>', 'a head hash recorded earlier, outside the database; it must still be in the chain')
  .option('--archive <dir>', 'an archive store directory (BALLAST_ARCHIVE_DIR): rehash the archived ledger segments too, as one chain with the live ledger')
  .option('--json', 'print the result as JSON')
  .action(auditVerify);
audit.command('history')
  .description('who changed this row: every audit entry for one entity')
  .argument('<table>', 'schema.table, e.g. app.interactions').argument('<id>', 'the row key (composite keys comma-joined)')
  .option('--json', 'print rows as JSON')
  .action(auditHistory);
audit.command('trace')
  .description('everything one trace changed').argument('<trace-id>', 'W3C trace id')
  .option('--json', 'print rows as JSON')
  .action(auditTrace);
audit.command('deletes')
  .description('all deletes and truncates with their reasons')
  .option('--since <timestamp>', 'only since then (ISO 8601)', new Date(Date.now() - 7 * 86400_000).toISOString())
  .option('--limit <n>', 'at most this many rows', (v) => positiveInt(v, '--limit'), 100)
  .option('--json', 'print rows as JSON')
  .action(auditDeletes);
audit.command('purge-interaction')
  .description('delete an interaction and its decisions (destructive: needs BALLAST_ALLOW_DESTRUCTIVE=1 and --reason)')
  .argument('<id>', 'interaction id')
  .requiredOption('--reason <text>', 'why; recorded in the audit ledger')
  .action(auditPurgeInteraction);

const replay = program.command('replay').description("offline replay of decision snapshots: would today's code decide the same?");
replay.command('decision')
  .description('replay one decision; exit 0 when identical, 1 when different')
  .argument('[id]', 'decision id (printed by `ballast trace`)')
  .option('--from-file <file>', 'a snapshot written by `ballast replay export` (no database needed)')
  .option('--json', 'print the result as JSON')
  .action(replayDecisionCommand);
replay.command('export')
  .description('print a decision snapshot as JSON, for replay without a database')
  .argument('<id>', 'decision id')
  .action(replayExportCommand);
replay.command('batch')
  .description('replay many decisions of one task; exit 1 if any differ')
  .requiredOption('--task <task>', `a decision stage: ${decisionTasks(stages).join(', ')}`)
  .option('--since <timestamp>', 'only decisions made since then (ISO 8601)')
  .option('--limit <n>', 'at most this many', (v) => positiveInt(v, '--limit'))
  .option('--json', 'print the result as JSON')
  .action(replayBatchCommand);

program.command('backfill')
  .description('re-enqueue a stage for inputs whose outputs an older version produced')
  .requiredOption('--task <task>', `the stage to re-run: ${Object.keys(backfillTargets(stages)).join(', ')}`)
  .requiredOption('--version-below <version>', 'outputs with producer_version below this are re-produced')
  .option('--dry-run', 'only count, by version')
  .option('--batch <n>', 'jobs enqueued per transaction', (v) => positiveInt(v, '--batch'), 200)
  .action(backfillCommand);

program.command('search')
  .description('search summaries and claims by meaning (Qdrant, or the local engine when QDRANT_URL is unset)')
  .argument('<text>', 'what to look for')
  .option('--org <org>', 'only decisions of this org')
  .option('--limit <n>', 'how many results', (v) => positiveInt(v, '--limit'), 10)
  .option('--filter <pairs>', 'exact payload filters: entity=claim,kind=refund_request')
  .option('--exact', 'exact search instead of HNSW')
  .option('--json', 'print results as JSON')
  .action(commandSearch);

const reconcile = program.command('reconcile').description('reconcile a derived store with Postgres, or the provider\'s usage with the billing lines');
reconcile.command('search')
  .description('diff Postgres and the search index, enqueue repairs, record a run (search.reconcile_runs)')
  .option('--no-progress', 'no progress bar')
  .action(commandReconcileSearch);
reconcile.command('usage')
  .description('compare the provider\'s usage of one day with the billed usage per agent; record the run and its mismatches ' +
    '(app.reconciliation_runs); exit 0 clean, 1 failed, 2 mismatches')
  .option('--day <YYYY-MM-DD>', 'the UTC day to reconcile (default: yesterday)')
  .addOption(new Option('--provider <kind>', 'http: the usage API (BALLAST_USAGE_PROVIDER_*); file: an export (default: file with --file, else http)')
    .choices(['http', 'file']))
  .option('--file <path>', 'a CSV or JSON usage export (docs/reconciliation.md)')
  .option('--no-progress', 'no progress bar')
  .option('--json', 'print the run and its mismatches as JSON')
  .action(commandReconcileUsage);

program.command('search-engine')
  .description('run the local Qdrant-compatible search engine (installs without QDRANT_URL): one per data dir, shared by every worker there; until SIGTERM')
  .option('--port <port>', 'port on 127.0.0.1 (default: any free port; workers find it in the data dir)', (v) => portNumber(v))
  .action(commandSearchEngine);

program.command('search-health')
  .description('search outbox depth, oldest pending age, dead letters, freshness and the last reconciliations')
  .action(commandSearchHealth);

const alerts = program.command('alerts').description('alerts raised by the alert rules: list, inspect, acknowledge, resolve; the rules themselves');
alerts.command('list')
  .description('alerts, most recently seen first')
  .option('--open', 'only those not resolved (open or acknowledged)')
  .option('--limit <n>', 'at most this many rows', (v) => positiveInt(v, '--limit'), 100)
  .option('--json', 'print rows as JSON')
  .action(alertsList);
alerts.command('show').description('one alert: its evidence and the next command to run').argument('<id>', 'alert id')
  .option('--json', 'print it as JSON').action(alertsShow);
alerts.command('ack').description('acknowledge an open alert: somebody is on it')
  .argument('<id>', 'alert id')
  .requiredOption('--note <text>', 'who is on it and what they found (recorded with your user name)')
  .action(alertsAck);
alerts.command('resolve').description('resolve an alert by hand (if its condition still holds, the next evaluation opens a new one)')
  .argument('<id>', 'alert id')
  .requiredOption('--note <text>', 'why it is resolved (recorded with your user name)')
  .action(alertsResolve);
alerts.command('rules')
  .description('the alert rules; --set changes one (the owner\'s; audited)')
  .option('--set <rule.field=value>', 'e.g. stuck_attempts.threshold=600; fields: threshold, window_seconds, for_seconds, enabled, auto_resolve, severity (repeatable)',
    (v: string, prev: string[] = []) => [...prev, v])
  .option('--json', 'print rows as JSON')
  .action(alertsRules);
registerAlertTestCommand(alerts);
registerAlertCheckCommand(alerts, positiveInt);
registerBackupCommands(program, positiveInt);

registerAgentCommands(program);
registerInboxCommands(program, positiveInt);

registerUsageCommands(program);

registerRetentionCommands(program, positiveInt);
registerArchiveCommands(program);

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

/** Runs the command line (bin/ballast.js); tests import `program` without running it. */
export async function main(argv: string[] = process.argv): Promise<void> {
  exitWithParent(); // a child of `ballast up` stops when `ballast up` goes away
  try {
    await program.parseAsync(argv);
  } catch (e) {
    process.exit(reportFailure(e));
  }
}
