/**
 * Search stages need the worker's database handle for LOCKED_MUTATION claims
 * and transactions of their own; the stage context only offers the stage's
 * ATOMIC_WRITE transaction. `defineDbStage` binds the worker's Db when the
 * worker builds its task list. (If the stage runtime grows a `db` in its
 * context, this wrapper can go.)
 */
import type { z } from 'zod';
import type { Db } from '../db/index.ts';
import { defineStage, type Stage, type StageContext, type StageSpec } from '../stage/index.ts';

export interface DbStageSpec<S extends z.ZodType> extends Omit<StageSpec<S>, 'run'> {
  run(input: z.infer<S>, ctx: StageContext, db: Db): Promise<unknown>;
}

export function defineDbStage<S extends z.ZodType>(spec: DbStageSpec<S>): Stage<S> {
  const unbound = defineStage({ ...spec, run: async () => { throw new Error(`${spec.task}: stage used without a worker`); } });
  return {
    ...unbound,
    toTask: (rt) => defineStage({ ...spec, run: (input, ctx) => spec.run(input, ctx, rt.db) }).toTask(rt),
  };
}
