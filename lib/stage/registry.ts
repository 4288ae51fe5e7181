/**
 * The stage registry: `ballast.stages` holds what the stages in tasks/
 * declare, so SQL reads the list of decision stages (the fan-out after
 * segmentation, an event's completion) from the same declarations the code
 * uses. `ballast migrate` writes it, as the owner; a worker only reads it.
 */
import { Db, ROLES, withRole } from '../db/index.ts';
import type { StageDeclaration } from './declaration.ts';

/** The decision stages' task names, in a fixed order. */
export const decisionTasks = (stages: readonly StageDeclaration[]): string[] =>
  stages.filter((s) => s.decision).map((s) => s.task).sort();

const row = (s: StageDeclaration) => ({
  task: s.task, version: s.version, queue: s.queue, decision: s.decision,
  engine: s.engine?.name ?? null, engine_version: s.engine?.version ?? null, outputs: s.outputs,
});

/**
 * Makes `ballast.stages` hold exactly `stages`: new ones are added, changed
 * ones updated, and stages no longer declared removed (an unchanged row is
 * left alone, so the audit ledger records only real changes). Refuses an
 * output table that does not exist. Needs the owner's rights.
 */
export async function registerStages(db: Db, stages: readonly StageDeclaration[], actor = 'ballast migrate'): Promise<void> {
  const rows = JSON.stringify(stages.map(row));
  await db.atomicWrite(async (tx) => {
    const { rows: missing } = await tx.query<{ task: string; output: string }>(
      `select d.task, o as output
         from json_to_recordset($1::json) as d(task text, outputs text[]), unnest(d.outputs) o
        where to_regclass(o) is null`, [rows]);
    if (missing.length) {
      throw new Error(`stage ${missing[0]!.task} declares output table ${missing[0]!.output}, which does not exist; add it in a migration`);
    }
    await tx.query(
      `delete from ballast.stages s
        where not exists (select 1 from json_to_recordset($1::json) as d(task text) where d.task = s.task)`, [rows]);
    await tx.query(
      `insert into ballast.stages as s (task, version, queue, decision, engine, engine_version, outputs)
       select task, version, queue, decision, engine, engine_version, outputs
         from json_to_recordset($1::json)
           as d(task text, version text, queue text, decision boolean, engine text, engine_version text, outputs text[])
       on conflict (task) do update set
         version = excluded.version, queue = excluded.queue, decision = excluded.decision, engine = excluded.engine,
         engine_version = excluded.engine_version, outputs = excluded.outputs, registered_at = now()
       where (s.version, s.queue, s.decision, s.engine, s.engine_version, s.outputs)
             is distinct from (excluded.version, excluded.queue, excluded.decision, excluded.engine, excluded.engine_version, excluded.outputs)`,
      [rows]);
  }, { actor, reason: 'register the stages declared in tasks/' });
}

/** `registerStages` on its own connection, as the owner role; what `ballast migrate` runs after the migrations. */
export async function registerStagesAt(url: string, stages: readonly StageDeclaration[]): Promise<void> {
  const db = new Db({ connectionString: withRole(url, ROLES.owner), max: 1, applicationName: 'ballast migrate' });
  try {
    await registerStages(db, stages);
  } finally {
    await db.close();
  }
}

/**
 * Differences between the decision stages a worker runs and the ones
 * registered: a worker started with code newer than the last `ballast
 * migrate` would mark events done by a list it does not share.
 */
export async function registryDrift(db: Db, stages: readonly StageDeclaration[]): Promise<string[]> {
  const { rows } = await db.query<{ task: string; decision: boolean }>('select task, decision from ballast.stages');
  const registered = new Map(rows.map((r) => [r.task, r.decision]));
  const drift: string[] = [];
  for (const s of stages) {
    const d = registered.get(s.task);
    if (s.decision && d !== true) drift.push(`${s.task} is a decision stage here but ${d === undefined ? 'not registered' : 'not registered as one'}`);
    if (!s.decision && d === true) drift.push(`${s.task} is registered as a decision stage but not declared as one here`);
  }
  return drift;
}
