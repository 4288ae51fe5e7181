/** `ballast search` and `ballast reconcile search`. */
import cliProgress from 'cli-progress';
import { runNamed } from '../../lib/forensics/index.ts';
import { closeSearchRuntime, parseFilter, reconcileSearch, searchDecisions, searchRuntime, startRecordedEngine } from '../../lib/search/index.ts';
import { loadConfig } from '../../lib/config/index.ts';
import { createLogger } from '../../lib/log/index.ts';
import { newSpanId, newTraceId, withTrace } from '../../lib/trace/index.ts';
import { untilSignal, withSession } from './context.ts';

const cliTrace = (task: string) => ({
  trace_id: newTraceId(), span_id: newSpanId(), parent_span_id: null, correlation_id: `cli:${task}`, task, task_version: '1.0.0',
});

export async function commandSearch(text: string, opts: { org?: string; limit: number; filter?: string; json?: boolean; exact?: boolean }): Promise<void> {
  await withSession(async ({ db, config }) => {
    try {
      const rt = await searchRuntime(config);
      const hits = await searchDecisions(db, rt, { text, org: opts.org, limit: opts.limit, filter: parseFilter(opts.filter), exact: opts.exact });
      if (opts.json) { console.log(JSON.stringify(hits, null, 2)); return; }
      if (hits.length === 0) { console.log(`no decisions match "${text}"${opts.org ? ` in org ${opts.org}` : ''}`); return; }
      for (const h of hits) {
        const label = h.entity === 'claim' ? `claim ${h.entity_id} (${h.kind})` : `summary of interaction ${h.entity_id}`;
        console.log(`${h.score.toFixed(3)}  ${label}  org=${h.org_id}${h.stale ? '  [index older than Postgres]' : ''}`);
        console.log(`       ${h.text.length > 160 ? `${h.text.slice(0, 157)}...` : h.text}`);
        console.log(`       produced_by=${h.produced_by}@${h.producer_version} model=${h.model_version} version=${h.version} trace=${h.trace_id}`);
      }
    } finally {
      await closeSearchRuntime(config);
    }
  });
}

export async function commandReconcileSearch(opts: { progress: boolean }): Promise<void> {
  await withSession(async ({ db, config }) => {
    try {
      const rt = await searchRuntime(config);
      const bar = opts.progress && process.stderr.isTTY
        ? new cliProgress.SingleBar({ format: 'reconcile {bar} {value}/{total} ids', stream: process.stderr }, cliProgress.Presets.shades_classic)
        : null;
      bar?.start(1, 0);
      const r = await withTrace(cliTrace('reconcile_search'), () => reconcileSearch(db, rt, {
        triggeredBy: config.cliActor,
        onProgress: (done, total) => { bar?.setTotal(total); bar?.update(done); },
      }));
      bar?.stop();
      console.table([r]);
      if (r.status === 'failed') process.exitCode = 1;
      else if (r.repaired) console.log(`${r.repaired} repair(s) enqueued to search.outbox; a running worker syncs them (check: npx ballast search-health)`);
    } finally {
      await closeSearchRuntime(config);
    }
  });
}

export async function commandSearchHealth(): Promise<void> {
  await withSession(async ({ db }) => {
    console.table(await runNamed(db, 'search_outbox_health'));
    const runs = await runNamed(db, 'search_drift', [5]);
    console.log(runs.length ? 'last reconciliations:' : 'no reconciliation has run yet');
    if (runs.length) console.table(runs);
    const dead = await runNamed(db, 'search_dead_letters', [10]);
    if (dead.length) { console.log(`${dead.length} dead outbox row(s):`); console.table(dead); }
  });
}

/**
 * `ballast search-engine`: the local Qdrant-compatible engine as a process of
 * its own (ops/systemd/ballast-search.service), recorded in the data dir so
 * every worker there finds the one engine. No database.
 */
export async function commandSearchEngine(opts: { port?: number }): Promise<void> {
  const config = loadConfig();
  if (config.QDRANT_URL) throw new Error('QDRANT_URL is set: the workers use that Qdrant, and the local engine is only for installs without one');
  const log = createLogger(config.LOG_LEVEL);
  const engine = await startRecordedEngine(config, { port: opts.port ?? 0 });
  log.info({ url: engine.url, dir: config.dataDir }, 'search engine listening');
  await untilSignal();
  await engine.close();
  log.info('search engine stopped');
}
