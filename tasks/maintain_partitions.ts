/**
 * maintain_partitions: keeps the partitions of every time-partitioned table
 * (ballast.partitioned_tables) created ahead of time, pg_partman's premake:
 * the period holding now and the next `premake` periods of each table. Rows
 * that landed in a DEFAULT partition (no partition covered their time) are
 * moved into partitions of their own. Run hourly from ops/crontab; a missed
 * run costs nothing while premake periods remain (and then rows wait in the
 * DEFAULT partition, never refused).
 */
import { z } from 'zod';
import { defineMaintenanceTask } from '../lib/maintenance/index.ts';
import { maintainPartitions } from '../lib/partitions/index.ts';

/** The task, on a clock that says what "now" is (tests pass their own). @defaultValue `() => new Date()` */
export function maintainPartitionsTask(opts: { clock?: () => Date } = {}) {
  const clock = opts.clock ?? (() => new Date());
  return defineMaintenanceTask({
    name: 'maintain_partitions',
    // How far ahead is per table, in the registry (ballast.partitioned_tables.premake).
    config: z.object({}),
    async runOnce(_config, { db, log }) {
      const results = await maintainPartitions(db, clock());
      let created = 0;
      let moved = 0;
      for (const r of results) {
        created += r.created;
        moved += r.moved;
        if (r.created > 0 || r.moved > 0) log.info(r, 'partitions maintained');
      }
      return { taken: created + moved, tables: results.length, created, moved };
    },
  });
}

export default maintainPartitionsTask();
