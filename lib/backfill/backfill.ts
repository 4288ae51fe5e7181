/**
 * Backfill by producer version (seed 000, item 3): find the inputs whose
 * outputs an older version of a stage produced, and enqueue the stage again
 * for them. The re-run replaces the outputs (audited, with the reason).
 */
import type { Db } from '../db/index.ts';
import { checkVersion, type StageDeclaration } from '../stage/index.ts';

/** Where a stage writes, and which payload key (and output column) names its input. */
export interface BackfillTarget {
  task: string;
  tables: readonly string[];
  inputKey: string;
  /** Decision stages also count their decision snapshots (replay.decisions) as outputs. */
  snapshots: boolean;
}

/** Every stage that declares output tables can be backfilled. */
export function backfillTargets(stages: readonly StageDeclaration[]): Record<string, BackfillTarget> {
  const out: Record<string, BackfillTarget> = {};
  for (const s of stages) {
    if (s.outputs.length && s.inputKey) out[s.task] = { task: s.task, tables: s.outputs, inputKey: s.inputKey, snapshots: s.decision };
  }
  return out;
}

function targetFor(targets: Record<string, BackfillTarget>, task: string): BackfillTarget {
  const t = targets[task];
  if (!t) throw new Error(`unknown task ${task}; known: ${Object.keys(targets).join(', ')}`);
  return t;
}

/**
 * Semver precedence for the versions `checkVersion` (lib/stage) accepts: the
 * release parts compare as numbers (1.10.0 > 1.9.2, a missing part is 0), and
 * a pre-release ranks below its release (1.0.0-rc.1 < 1.0.0). Pre-release identifiers
 * compare one by one: numbers numerically, below words, words in ASCII order;
 * with equal leading identifiers, the shorter list ranks lower.
 */
export function compareVersions(a: string, b: string): number {
  const [ra, pa] = splitVersion(a);
  const [rb, pb] = splitVersion(b);
  const release = compareLists(ra.split('.'), rb.split('.'), '0');
  if (release !== 0 || pa === pb) return release;
  if (pa === null) return 1;
  if (pb === null) return -1;
  return compareLists(pa.split('.'), pb.split('.'), null);
}

/** `1.2.3-rc.1` -> ['1.2.3', 'rc.1']; the pre-release starts at the first '-'. */
function splitVersion(v: string): [string, string | null] {
  const i = v.indexOf('-');
  return i < 0 ? [v, null] : [v.slice(0, i), v.slice(i + 1)];
}

/** Compares identifier lists; `missing` stands for an absent one (null: the shorter list ranks lower). */
function compareLists(xs: string[], ys: string[], missing: string | null): number {
  for (let i = 0; i < Math.max(xs.length, ys.length); i++) {
    const x = xs[i] ?? missing;
    const y = ys[i] ?? missing;
    if (x === null || y === null) return x === null ? -1 : 1;
    const c = compareIdentifiers(x, y);
    if (c !== 0) return c;
  }
  return 0;
}

const NUMERIC = /^\d+$/;

function compareIdentifiers(x: string, y: string): number {
  const nx = NUMERIC.test(x);
  const ny = NUMERIC.test(y);
  if (nx && ny) return Math.sign(Number(x) - Number(y));
  if (nx !== ny) return nx ? -1 : 1;
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface BackfillCandidate { input_id: number; producer_version: string; trace_id: string | null; correlation_id: string | null; span_id: string | null }

/** Inputs of `task` whose newest output (or decision snapshot) has a version below `below`. */
export async function findBackfill(db: Db, targets: Record<string, BackfillTarget>, task: string, below: string): Promise<BackfillCandidate[]> {
  const t = targetFor(targets, task);
  checkVersion(below);
  // Table and column names come from the stages' declarations (checked by
  // defineStage to be plain schema.table and column names), never from input.
  const outputs = t.tables.map((table) =>
    `select ${t.inputKey} as input_id, producer_version, trace_id, correlation_id, span_id, produced_at as at
       from ${table} where produced_by = $1`);
  if (t.snapshots) {
    outputs.push(`select interaction_id, task_version, trace_id, correlation_id, span_id, decided_at
       from replay.decisions where task = $1`);
  }
  const { rows } = await db.readOnly((tx) => tx.query(
    `select distinct on (input_id) input_id, producer_version, trace_id, correlation_id, span_id
       from (${outputs.join('\n union all ')}) o
      order by input_id, at desc`, [task]));
  return rows.filter((r) => compareVersions(r.producer_version, below) < 0).map((r) => ({ ...r, input_id: Number(r.input_id) }));
}

/** Versions found, for `--dry-run`: version -> number of inputs. */
export function countByVersion(c: BackfillCandidate[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of c) out[r.producer_version] = (out[r.producer_version] ?? 0) + 1;
  return out;
}

/**
 * Enqueues the stage for each candidate, in batches, in the candidate's own
 * trace (so `ballast trace` shows the re-run in the event's story).
 */
export async function enqueueBackfill(db: Db, targets: Record<string, BackfillTarget>, task: string, candidates: BackfillCandidate[],
  opts: { batchSize?: number; actor?: string; onProgress?: (done: number) => void } = {}): Promise<number> {
  const key = targetFor(targets, task).inputKey;
  const size = opts.batchSize ?? 200;
  let done = 0;
  for (let i = 0; i < candidates.length; i += size) {
    const batch = candidates.slice(i, i + size);
    await db.atomicWrite((tx) => tx.query(
      `select graphile_worker.add_job($1,
                json_build_object($2::text, c.input_id, 'trace_id', c.trace_id, 'parent_span_id', c.span_id,
                                  'correlation_id', c.correlation_id),
                job_key => $1 || ':' || c.input_id)
         from json_to_recordset($3::json) as c(input_id bigint, trace_id text, span_id text, correlation_id text)`,
      [task, key, JSON.stringify(batch)]), { actor: opts.actor ?? 'ballast backfill', reason: `backfill ${task}` });
    done += batch.length;
    opts.onProgress?.(done);
  }
  return done;
}
