/** `ballast replay decision|export|batch`: offline replay of decision snapshots. */
import fs from 'node:fs/promises';
import cliProgress from 'cli-progress';
import {
  countDecisions, decisionEngines, engineFor, exportSnapshot, iterateDecisions, loadDecision, parseSnapshotFile, replayDecision, sideBySide,
  type DecisionSnapshot, type ReplayResult,
} from '../../lib/replay/index.ts';
import { stages } from '../../tasks/index.ts';
import { withSession } from './context.ts';

function decisionId(id: string): number {
  const n = Number(id);
  if (!Number.isInteger(n) || n < 1) throw new Error(`decision id must be a positive integer, got "${id}"`);
  return n;
}

function report(r: ReplayResult): string {
  const lines = [
    `decision ${r.decision_id} (${r.task}): ${r.identical ? 'IDENTICAL' : 'DIFFERENT'}`,
    `  engine     stored ${r.engine.stored}  today ${r.engine.current}${r.engine.stored === r.engine.current ? '' : '  (version changed)'}`,
    `  code hash  stored ${r.code_hash.stored.slice(0, 16)}  today ${r.code_hash.current.slice(0, 16)}${r.code_hash.stored === r.code_hash.current ? '' : '  (code changed)'}`,
  ];
  if (r.input_redacted) lines.push('  input had identifiers redacted; the baseline is the decision on the redacted input');
  return [...lines, '', sideBySide(r)].join('\n');
}

/** Exit code 0 when identical, 1 when different; with --from-file no database is touched. */
export async function replayDecisionCommand(id: string | undefined, opts: { fromFile?: string; json?: boolean }): Promise<void> {
  let snap: DecisionSnapshot | null;
  if (opts.fromFile) {
    const file = opts.fromFile;
    const text = await fs.readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new Error(`cannot read --from-file ${file} (${e.code ?? e.message}): give a snapshot written by \`ballast replay export\``);
    });
    try {
      snap = parseSnapshotFile(text);
    } catch (e) {
      throw new Error(`--from-file ${file}: ${(e as Error).message}`);
    }
  } else {
    if (!id) throw new Error('give a decision id, or --from-file <snapshot.json>');
    snap = await withSession(({ db }) => loadDecision(db, decisionId(id)), { poolSize: 1 });
    if (!snap) {
      console.error(`no decision ${id}`);
      process.exitCode = 2;
      return;
    }
  }
  const r = replayDecision(snap, decisionEngines(stages));
  console.log(opts.json ? JSON.stringify(r, null, 2) : report(r));
  process.exitCode = r.identical ? 0 : 1;
}

export async function replayExportCommand(id: string): Promise<void> {
  const snap = await withSession(({ db }) => loadDecision(db, decisionId(id)), { poolSize: 1 });
  if (!snap) {
    console.error(`no decision ${id}`);
    process.exitCode = 2;
    return;
  }
  process.stdout.write(exportSnapshot(snap));
}

export async function replayBatchCommand(opts: { task: string; since?: string; limit?: number; json?: boolean }): Promise<void> {
  const since = opts.since ? new Date(opts.since) : undefined;
  if (since && Number.isNaN(since.getTime())) throw new Error(`--since is not a timestamp: ${opts.since}`);
  const engines = decisionEngines(stages);
  engineFor(opts.task, engines); // any other task has no decisions: refuse it rather than report "replayed 0"
  await withSession(async ({ db }) => {
    const filter = { task: opts.task, since, limit: opts.limit };
    const total = await countDecisions(db, filter);
    const bar = new cliProgress.SingleBar({ format: `replay ${opts.task} [{bar}] {value}/{total}`, stream: process.stderr, noTTYOutput: false },
      cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    let identical = 0;
    const differed: { decision_id: number; interaction_id: number; engine: string; code_changed: boolean }[] = [];
    for await (const snap of iterateDecisions(db, filter)) {
      const r = replayDecision(snap, engines);
      if (r.identical) identical++;
      else differed.push({ decision_id: snap.id, interaction_id: snap.interaction_id, engine: `${r.engine.stored} -> ${r.engine.current}`, code_changed: r.code_hash.stored !== r.code_hash.current });
      bar.increment();
    }
    bar.stop();
    if (opts.json) console.log(JSON.stringify({ task: opts.task, replayed: identical + differed.length, identical, differed }, null, 2));
    else {
      console.log(`${opts.task}: replayed ${identical + differed.length}, identical ${identical}, different ${differed.length}`);
      for (const d of differed) console.log(`  decision ${d.decision_id} (interaction ${d.interaction_id}) differs; engine ${d.engine}${d.code_changed ? ', code changed' : ''}`);
    }
    process.exitCode = differed.length ? 1 : 0;
  }, { poolSize: 1 });
}
