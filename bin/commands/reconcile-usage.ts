/** `ballast reconcile usage [--day d] [--provider http|file] [--file path]`. */
import fs from 'node:fs/promises';
import cliProgress from 'cli-progress';
import { loadConfig } from '../../lib/config/index.ts';
import { runNamed } from '../../lib/forensics/index.ts';
import { parseDay, reconcileUsage, usageProviderFromConfig, yesterday } from '../../lib/reconcile/index.ts';
import { newSpanId, newTraceId, withTrace } from '../../lib/trace/index.ts';
import { withSession } from './context.ts';

export interface ReconcileUsageCliOptions {
  day?: string;
  provider?: 'http' | 'file';
  file?: string;
  progress: boolean;
  json?: boolean;
}

/** Exit codes: 0 clean, 1 the run failed (or could not start), 2 mismatches found. */
export async function commandReconcileUsage(opts: ReconcileUsageCliOptions): Promise<void> {
  const day = opts.day === undefined ? yesterday(new Date()) : parseDay(opts.day);
  // A missing setting is reported before a database is opened.
  const provider = usageProviderFromConfig(loadConfig(), { provider: opts.provider, file: opts.file });
  if (opts.file) await requireReadableFile(opts.file);
  await withSession(async ({ db, config, redactor }) => {
    const bar = opts.progress && process.stderr.isTTY
      ? new cliProgress.SingleBar({ format: `reconcile usage ${day} {bar} {value}/{total} {phase}`, stream: process.stderr },
        cliProgress.Presets.shades_classic)
      : null;
    // Pages are not known ahead: the total grows by one as each page is read, and the comparison is the last step.
    bar?.start(2, 0, { phase: `reading ${provider.kind}` });
    const trace = { trace_id: newTraceId(), span_id: newSpanId(), parent_span_id: null, correlation_id: 'cli:reconcile_usage',
      task: 'reconcile_usage', task_version: '1.0.0' };
    const r = await withTrace(trace, () => reconcileUsage(db, provider, {
      day, triggeredBy: config.cliActor, redactor,
      onProgress: (phase, n) => {
        if (phase === 'read') { bar?.setTotal(n + 2); bar?.update(n, { phase: 'comparing' }); } else bar?.increment(2, { phase: 'done' });
      },
    }));
    bar?.stop();
    const { cause: _cause, ...row } = r;
    const mismatches = r.mismatches > 0 ? await runNamed(db, 'usage_reconciliation', [r.run_id]) : [];
    if (opts.json) console.log(JSON.stringify({ ...row, mismatch_rows: mismatches }, null, 2));
    else {
      console.table([row]);
      if (r.status === 'failed') console.error(`run ${r.run_id} failed: ${r.error}`);
      else if (r.mismatches > 0) {
        console.table(mismatches.map((m) => ({ agent_id: m.agent_id, subject: m.subject, unit: m.unit,
          provider: m.provider_value, ballast: m.ballast_value, difference: m.difference })));
        console.log('the provider\'s rows behind each mismatch: --json, or sql/forensics/usage_reconciliation.sql with the run id');
      }
    }
    process.exitCode = r.status === 'failed' ? 1 : r.status === 'mismatched' ? 2 : 0;
  });
}

/** Refuses a --file that cannot be read before a run is recorded: a wrong path is a mistake on the command line, not a failed reconciliation. */
async function requireReadableFile(file: string): Promise<void> {
  const problem = await fs.access(file, fs.constants.R_OK)
    .then(async () => ((await fs.stat(file)).isFile() ? null : 'not a file'))
    .catch((e: NodeJS.ErrnoException) => e.code ?? e.message);
  if (problem) throw new Error(`cannot read --file ${file} (${problem}): give the path of a CSV or JSON usage export`);
}
