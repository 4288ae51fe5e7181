/** `ballast dlq list|show|requeue|resolve`: dead letters for operators. */
import { requeueDeadLetter, resolveDeadLetter } from '../../lib/failures/index.ts';
import { runNamed } from '../../lib/forensics/index.ts';
import { withSession } from './context.ts';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
function checkId(id: string): string {
  if (!UUID.test(id)) throw new Error(`"${id}" is not a dead-letter id (a uuid; see \`ballast dlq list\`)`);
  return id;
}

/** `30m`, `2h`, `7d` -> a timestamp that long ago. */
export function sinceFromAge(age: string): Date {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(age.trim());
  if (!m) throw new Error(`--age must look like 30m, 2h or 7d, got "${age}"`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return new Date(Date.now() - Number(m[1]) * unit * 1000);
}

export async function dlqList(opts: { function?: string; age?: string; resolved?: boolean; all?: boolean; limit: number; json?: boolean }) {
  const which = opts.all ? 'all' : opts.resolved ? 'resolved' : 'unresolved';
  const since = opts.age ? sinceFromAge(opts.age) : null;
  await withSession(async ({ db }) => {
    const rows = await runNamed(db, 'dead_letters', [opts.function ?? null, since, which, opts.limit]);
    if (opts.json) console.log(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) console.log(`no ${which === 'all' ? '' : `${which} `}dead letters`);
    else console.table(rows.map((r) => ({ ...r, failed_at: new Date(r.failed_at).toISOString(), next_retry_at: r.next_retry_at && new Date(r.next_retry_at).toISOString() })));
  });
}

export async function dlqShow(id: string) {
  await withSession(async ({ db }) => {
    const { rows: [dl] } = await db.query('select * from ballast.pipeline_failures where id = $1', [checkId(id)]);
    if (!dl) throw new Error(`no dead letter ${id}`);
    console.log(JSON.stringify(dl, null, 2));
    const { rows: env } = await db.query(
      `select error_id, "timestamp", layer, component, error_class, severity, message from ballast.error_envelopes
        where error_id = $1 or (correlation_id is not null and correlation_id = $2) order by "timestamp"`,
      [dl.context?.error_id ?? null, dl.context?.correlation_id ?? null]);
    if (env.length) { console.log('\nerror envelopes:'); console.table(env); }
    if (dl.context?.trace_id) console.log(`\nthe whole story: npx ballast trace ${dl.context.trace_id}`);
  });
}

export async function dlqRequeue(id: string) {
  await withSession(async ({ db, config }) => {
    const outcome = await requeueDeadLetter(db, checkId(id), config.cliActor);
    console.log(`dead letter ${id}: ${outcome}`);
    if (outcome !== 'enqueued') process.exitCode = 1;
  });
}

export async function dlqResolve(id: string, opts: { note: string }) {
  await withSession(async ({ db, config }) => {
    const done = await resolveDeadLetter(db, checkId(id), opts.note, config.cliActor);
    if (!done) throw new Error(`dead letter ${id} not found or already resolved (see \`ballast dlq list\`)`);
    console.log(`dead letter ${id} resolved`);
  });
}
