/**
 * What a stage declares about itself (defineStage): its engine, whether it is
 * a decision stage, its output tables. The one home of these facts: the
 * registry (`ballast.stages`, read by the SQL), backfill, offline replay and
 * the CLI help all derive from the stage list in tasks/index.ts.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config/index.ts';
import type { Engine } from '../engines/index.ts';

/** The declaration fields of `StageSpec`. */
export interface Declares {
  /**
   * The decision engine (lib/engines) the stage calls. Offline replay
   * (`ballast replay`) finds a decision's engine here. @defaultValue none
   */
  engine?: Engine;
  /**
   * A decision stage runs on an interaction's spans: it is enqueued for each
   * segmentation, stores a decision snapshot (needs `engine`), and its event
   * is completed when every decision stage has marked it done. `ballast
   * migrate` registers the flag in `ballast.stages`, where the SQL reads it.
   * @defaultValue `false`
   */
  decision?: boolean;
  /**
   * Tables (`schema.table`) the stage writes its stamped rows to. `ballast
   * backfill` looks there for outputs of older versions. @defaultValue none
   */
  outputs?: readonly string[];
  /**
   * The payload field that names the stage's input; its output rows carry a
   * column of the same name. Needed with `outputs`.
   */
  inputKey?: string;
}

/** What a stage declares about itself: the one home of the facts the registry, backfill, replay and the CLI read. */
export interface StageDeclaration {
  readonly task: string;
  readonly version: string;
  readonly queue: string;
  readonly decision: boolean;
  readonly engine: Engine | null;
  readonly outputs: readonly string[];
  readonly inputKey: string | null;
}

/** What a stage version looks like: 1, 1.2 or 1.2.3, with an optional pre-release (1.2.3-rc.1). */
const VERSION = /^\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/;

const isVersion = (v: unknown): v is string => typeof v === 'string' && VERSION.test(v);
const notAVersion = (v: unknown) => `must be a version like 1.2.3 (or 1, 1.2, 1.2.3-rc.1), got ${JSON.stringify(v)}`;

/**
 * Refuses what is not a version. Backfill compares versions by semver
 * precedence; text such as `notaversion` has none, so a stage stamping it, or
 * a `--version-below` of it, would make backfill miss or re-run everything.
 */
export function checkVersion(v: string, name = 'a version'): string {
  if (!isVersion(v)) throw new Error(`${name} ${notAVersion(v)}`);
  return v;
}

/**
 * A stage in tasks/ declares what the registry, backfill or replay cannot
 * use. A ConfigError: it is thrown while tasks/ loads, before any command
 * runs, and the command line reports it as a configuration error.
 */
export class StageDeclarationError extends ConfigError {
  override name = 'StageDeclarationError';
}

const TABLE_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/** Refuses a declaration the registry, backfill or replay could not use. */
export function checkDeclaration(task: string, spec: Declares & { version: string }): void {
  const bad = (why: string) => { throw new StageDeclarationError(`stage ${task}: ${why}`); };
  if (!isVersion(spec.version)) bad(`version ${notAVersion(spec.version)}`);
  if (spec.decision && !spec.engine) bad('a decision stage declares its engine');
  for (const t of spec.outputs ?? []) if (!TABLE_NAME.test(t)) bad(`output ${JSON.stringify(t)} is not a schema.table name`);
  if (spec.outputs?.length && !spec.inputKey) bad('a stage with outputs declares its inputKey');
  if (spec.inputKey && !/^[a-z_][a-z0-9_]*$/.test(spec.inputKey)) bad(`inputKey ${JSON.stringify(spec.inputKey)} is not a column name`);
}

const LIB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The source files and lines of a stack trace's frames, innermost first (V8's `at f (file:///x.ts:12:3)` form). */
export function stackFrames(stack: string | undefined): { file: string; line: number }[] {
  return (stack ?? '').split('\n').slice(1).flatMap((l) => {
    const frame = /\(?(?:file:\/\/)?([^()\s]+\.[cm]?[jt]s):(\d+):\d+\)?$/.exec(l.trim());
    return frame && path.isAbsolute(frame[1]!) ? [{ file: frame[1]!, line: Number(frame[2]) }] : [];
  });
}

/**
 * The module that is declaring a stage, relative to the tree (`tasks/x.ts`):
 * the innermost stack frame outside lib/, so defineStage called through
 * defineMaintenanceTask still names the task's file. Null when none is found.
 */
export function declaringFile(): string | null {
  const frame = stackFrames(new Error().stack).find((f) => !f.file.startsWith(LIB + path.sep));
  return frame ? path.relative(path.dirname(LIB), frame.file) : null;
}

/**
 * Refuses a stage list in which two stages share a name: graphile-worker
 * would run only one of them, and the registry would hold one row for both.
 * The message names both files when they are known.
 */
export function checkStageNames(stages: readonly { task: string; definedIn?: string | null }[]): void {
  const seen = new Map<string, string | null>();
  for (const s of stages) {
    if (!seen.has(s.task)) {
      seen.set(s.task, s.definedIn ?? null);
      continue;
    }
    const files = [seen.get(s.task), s.definedIn].filter((f): f is string => !!f);
    const where = files.length === 2 ? ` (${files[0]} and ${files[1]})` : '';
    throw new StageDeclarationError(`two stages are named ${s.task}${where}`);
  }
}
