/**
 * `ballast inbox replay|unknown|dismiss`: put inbox events through the
 * pipeline again (audited, idempotent), and look after the numbers no agent
 * owns.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { dismissUnknownNumber, listUnknownNumbers } from '../../lib/agents/index.ts';
import { findReplayable, replayEvents, whyStillRejected, REPLAYABLE_STATUSES, type ReplayableStatus, type ReplayResult } from '../../lib/ingest/index.ts';
import { withSession } from './context.ts';
import { sinceFromAge } from './dlq.ts';

/** A progress bar on stderr for batches worth one (over 200 events), else null. */
export function progressBar(what: string, total: number): cliProgress.SingleBar | null {
  if (total <= 200) return null;
  const bar = new cliProgress.SingleBar({ format: `${what} [{bar}] {value}/{total}`, stream: process.stderr, noTTYOutput: false },
    cliProgress.Presets.shades_classic);
  bar.start(total, 0);
  return bar;
}

export function printReplayResult(r: ReplayResult): void {
  console.log(`replayed ${r.replayed.length} event(s)${r.replayed.length ? `: ${ids(r.replayed.map((e) => e.id))}` : ''}`);
  if (r.skipped.length) {
    console.log(`skipped ${r.skipped.length}: ${r.skipped.map((s) => `${s.id} (${s.status}${s.reason ? `: ${s.reason}` : ''})`).join(', ')}` +
      ' (only quarantined and completed events are replayed, and rejected ones whose body passes the receiver\'s checks;' +
      ' one still in the pipeline has a stage to wait for, a failed one a dead letter to requeue)');
  }
  if (r.notFound.length) console.log(`no such event: ${ids(r.notFound)}`);
  if (r.replayed.length) console.log('follow one with `ballast trace <event id>`');
}
/** A dry run's note on a rejected event whose body would still be refused. */
const stays = (reason: string | undefined) => (reason === undefined ? '' : `  (stays rejected: ${reason})`);
const ids = (xs: number[]) => (xs.length > 20 ? `${xs.slice(0, 20).join(', ')}, ... (${xs.length - 20} more)` : xs.join(', '));

/** `--since`: an ISO 8601 timestamp, or an age like 30m, 2h, 7d. */
export function parseSince(v: string): Date {
  if (/^\d+\s*[smhd]$/.test(v.trim())) return sinceFromAge(v);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new Error(`--since must be an ISO 8601 timestamp or an age like 2h, got "${v}"`);
  return d;
}

export async function inboxReplay(eventIds: string[], opts: { status?: string; reason?: string; since?: string; number?: string;
  limit?: number; note?: string; dryRun?: boolean; batch: number }): Promise<void> {
  const byId = eventIds.length > 0;
  if (byId === (opts.status !== undefined)) {
    throw new Error('name the events: `inbox replay <event id>... --note <why>`, or `inbox replay --status quarantined|completed|rejected [--reason r] [--since t] --note <why>`');
  }
  if (byId && (opts.reason || opts.since || opts.number || opts.limit)) throw new Error('--reason, --since, --number and --limit go with --status, not with event ids');
  const idList = eventIds.map((v) => {
    if (!/^[1-9][0-9]{0,17}$/.test(v)) throw new Error(`"${v}" is not an inbox event id (a number; \`ballast trace\` prints it as event_id)`);
    return Number(v);
  });
  if (!opts.dryRun && !opts.note?.trim()) throw new Error('--note <why> is required: it is recorded in the audit ledger with each replayed event');
  await withSession(async ({ db, config }) => {
    let targets = idList;
    if (!byId) {
      const found = await findReplayable(db, {
        status: opts.status as ReplayableStatus,
        reason: opts.reason?.split(',').map((s) => s.trim()).filter(Boolean),
        since: opts.since ? parseSince(opts.since) : undefined,
        number: opts.number,
        limit: opts.limit,
      });
      targets = found.map((e) => e.id);
      if (opts.dryRun) {
        const refused = await whyStillRejected(db, targets, config.BALLAST_MAX_JSON_DEPTH);
        console.log(`would replay ${found.length - refused.size} event(s)`);
        for (const e of found) {
          console.log(`  ${e.id}  ${new Date(e.received_at).toISOString()}  ${e.event_type ?? '-'}  ${e.status_reason ?? ''}${stays(refused.get(e.id))}`);
        }
        return;
      }
    } else if (opts.dryRun) {
      const rows = (await db.query(`select id, status, status_reason from ingest.webhook_events where id = any ($1::bigint[]) order by id`, [idList]))
        .rows.map((r) => ({ ...r, id: Number(r.id) }));
      const refused = await whyStillRejected(db, idList, config.BALLAST_MAX_JSON_DEPTH);
      const ok = rows.filter((r) => (REPLAYABLE_STATUSES as readonly string[]).includes(r.status) && !refused.has(r.id));
      console.log(`would replay ${ok.length} of ${idList.length} event(s)`);
      for (const r of rows) {
        console.log(`  ${r.id}  ${r.status}${ok.includes(r) || refused.has(r.id) ? '' : ' (not replayable)'}  ${r.status_reason ?? ''}${stays(refused.get(r.id))}`);
      }
      return;
    }
    if (targets.length === 0) {
      console.log('nothing to replay');
      return;
    }
    const bar = progressBar('replay', targets.length);
    const r = await replayEvents(db, targets, { actor: config.cliActor, note: opts.note!, batchSize: opts.batch,
      maxJsonDepth: config.BALLAST_MAX_JSON_DEPTH, onProgress: (done) => bar?.update(done) });
    bar?.stop();
    printReplayResult(r);
    if (r.replayed.length < targets.length) process.exitCode = 1;
  });
}

export async function inboxUnknown(opts: { limit: number; json?: boolean }): Promise<void> {
  await withSession(async ({ db }) => {
    const rows = await listUnknownNumbers(db, { limit: opts.limit });
    if (opts.json) console.log(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) console.log('no open unknown numbers');
    else console.table(rows.map((r) => ({ ...r, first_seen: new Date(r.first_seen).toISOString(), last_seen: new Date(r.last_seen).toISOString() })));
  });
}

export async function inboxDismiss(number: string, opts: { note: string }): Promise<void> {
  await withSession(async ({ db, config }) => {
    const n = await dismissUnknownNumber(db, number, { actor: config.cliActor, note: opts.note });
    if (!n) throw new Error(`no open events for ${number} (see \`ballast inbox unknown\`)`);
    console.log(`dismissed ${n} open event(s) for ${number}; they stay quarantined`);
  });
}

/** Adds the `inbox` command group. */
export function registerInboxCommands(program: Command, positiveInt: (v: string, name: string) => number): void {
  const inbox = program.command('inbox').description('the webhook inbox: replay events, and the numbers no agent owns');
  inbox.command('replay')
    .description('put events through the pipeline again, on their own trace with a new span; outputs are replaced, never duplicated; '
      + 'a rejected event only when its stored body passes the receiver\'s checks; audited')
    .argument('[event id...]', 'inbox event ids (or select them with --status)')
    .option('--status <status>', `select events in this status: ${REPLAYABLE_STATUSES.join(', ')}`)
    .option('--reason <codes>', 'with --status quarantined: only these reason codes, comma-separated (unknown_phone, agent_suspended, usage_blocked, ...)')
    .option('--since <time>', 'only events received since then: ISO 8601, or an age like 2h, 7d')
    .option('--number <e164>', 'only events for this number')
    .option('--limit <n>', 'at most this many, oldest first', (v) => positiveInt(v, '--limit'))
    .option('--note <text>', 'why (required; recorded in the audit ledger with each event)')
    .option('--dry-run', 'list what would be replayed, change nothing')
    .option('--batch <n>', 'events per transaction', (v) => positiveInt(v, '--batch'), 200)
    .action(inboxReplay);
  inbox.command('unknown')
    .description('numbers no agent owns, with their open quarantined events: provision them (`agents add`) or dismiss them')
    .option('--limit <n>', 'at most this many numbers', (v) => positiveInt(v, '--limit'), 100)
    .option('--json', 'print rows as JSON')
    .action(inboxUnknown);
  inbox.command('dismiss')
    .description("dismiss a number's open unknown-number events: they stay quarantined and batch replays leave them out")
    .argument('<e164>', 'the number')
    .requiredOption('--note <text>', 'why (recorded in the audit ledger)')
    .action(inboxDismiss);
}
