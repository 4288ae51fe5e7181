/**
 * The unknown-number queue (app.unknown_phone): events for a number no
 * active agent owns are kept there, open, until the number is provisioned
 * and the events replayed (normalize_event marks them `replayed`), or an
 * operator dismisses them.
 */
import type { Db } from '../db/index.ts';
import { findReplayable, replayEvents, type ReplayCandidate, type ReplayResult } from '../ingest/index.ts';

export interface UnknownNumber {
  phone_number: string;
  open: number;
  first_seen: Date;
  last_seen: Date;
}

/** Numbers with open events, the busiest first: what to provision, or dismiss. */
export async function listUnknownNumbers(db: Db, opts: { limit?: number } = {}): Promise<UnknownNumber[]> {
  const { rows } = await db.query(
    `select phone_number, count(*)::int as open, min(seen_at) as first_seen, max(seen_at) as last_seen
       from app.unknown_phone where resolution = 'open'
      group by phone_number order by count(*) desc, phone_number limit $1`, [opts.limit ?? 100]);
  return rows;
}

/** Dismisses a number's open events (they stay quarantined, and batch replays leave them out). */
export async function dismissUnknownNumber(db: Db, phoneNumber: string, who: { actor: string; note: string }): Promise<number> {
  if (!who.note.trim()) throw new Error('a dismissal needs a note saying why (it is recorded in the audit ledger)');
  const { rowCount } = await db.atomicWrite((tx) => tx.query(
    `update app.unknown_phone set resolution = 'dismissed', resolved_at = now(), resolved_by = $2, resolution_note = $3
      where phone_number = $1 and resolution = 'open'`, [phoneNumber, who.actor, who.note]), { actor: who.actor, reason: who.note });
  return rowCount ?? 0;
}

/** The reasons an event waits for its number's agent: nobody owned it, or its agent was suspended. */
export const WAITING_FOR_AGENT = ['unknown_phone', 'agent_suspended'] as const;

/** Quarantined events that wait for the agent of `phoneNumber`, oldest first. */
export async function eventsWaitingFor(db: Db, phoneNumber: string): Promise<ReplayCandidate[]> {
  return findReplayable(db, { status: 'quarantined', reason: WAITING_FOR_AGENT, number: phoneNumber });
}

/** Replays the events that waited for the agent of `phoneNumber` (after `ballast agents activate`). */
export async function replayWaitingFor(db: Db, phoneNumber: string, who: { actor: string; note: string },
  onProgress?: (done: number, total: number) => void): Promise<ReplayResult> {
  const events = await eventsWaitingFor(db, phoneNumber);
  return replayEvents(db, events.map((e) => e.id), { actor: who.actor, note: who.note, ...(onProgress ? { onProgress } : {}) });
}
