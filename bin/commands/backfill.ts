/** `ballast backfill --task <task> --version-below <v> [--dry-run]`. */
import cliProgress from 'cli-progress';
import { backfillTargets, countByVersion, enqueueBackfill, findBackfill } from '../../lib/backfill/index.ts';
import { checkVersion } from '../../lib/stage/index.ts';
import { stages } from '../../tasks/index.ts';
import { withSession } from './context.ts';

export async function backfillCommand(opts: { task: string; versionBelow: string; dryRun?: boolean; batch: number }): Promise<void> {
  checkVersion(opts.versionBelow, '--version-below'); // before a database is opened
  await withSession(async ({ db, config }) => {
    const targets = backfillTargets(stages);
    const candidates = await findBackfill(db, targets, opts.task, opts.versionBelow);
    const byVersion = countByVersion(candidates);
    console.log(`${opts.task}: ${candidates.length} input(s) with outputs below ${opts.versionBelow}`);
    for (const [v, n] of Object.entries(byVersion)) console.log(`  producer_version ${v}: ${n}`);
    if (opts.dryRun || candidates.length === 0) {
      if (opts.dryRun) console.log('dry run: nothing enqueued');
      return;
    }
    const bar = new cliProgress.SingleBar({ format: `enqueue ${opts.task} [{bar}] {value}/{total}`, stream: process.stderr, noTTYOutput: false },
      cliProgress.Presets.shades_classic);
    bar.start(candidates.length, 0);
    const n = await enqueueBackfill(db, targets, opts.task, candidates, {
      batchSize: opts.batch, actor: config.cliActor, onProgress: (done) => bar.update(done),
    });
    bar.stop();
    console.log(`enqueued ${n} ${opts.task} job(s); follow them with \`ballast trace <trace id>\``);
  });
}
