/** Background tasks store their runOnce() result row in ballast.maintenance_runs. */
import type { Tx } from '../lib/db/index.ts';

export async function storeMaintenanceRun(tx: Tx, task: string, startedAt: Date, result: object): Promise<void> {
  await tx.query('insert into ballast.maintenance_runs (task, started_at, result) values ($1, $2, $3)',
    [task, startedAt, JSON.stringify(result)]);
}
