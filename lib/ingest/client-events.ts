/**
 * What unauthenticated clients cost: counted in memory, and written down as
 * at most one diagnostic row per interval. Anyone can send a bad signature,
 * abort an upload or stall a connection, so none of it may cost a database
 * write per request or page anyone. Each diagnostic that is written carries
 * the counts since the previous one, so nothing goes uncounted. (Rows at
 * least a minute apart also never merge in ballast.diagnostic_logs, whose
 * default window is a minute.)
 */

/** Things an unauthenticated client did. */
export type ClientEventKind =
  | 'auth_failed' // 401: missing, stale or wrong signature
  | 'too_large' // 413 before the signature was checked
  | 'aborted' // the client went away mid-request
  | 'timed_out' // headers or body too slow: 408
  | 'bad_request' // unparseable HTTP: 400 / 431
  | 'dropped'; // refused at the connection cap

export type ClientEventCounts = Record<ClientEventKind, number>;

const zero = (): ClientEventCounts => ({ auth_failed: 0, too_large: 0, aborted: 0, timed_out: 0, bad_request: 0, dropped: 0 });

export class ClientEvents {
  /** Every event since the receiver started. */
  readonly totals: ClientEventCounts = zero();
  /** Events since the last written diagnostic. */
  private pending: ClientEventCounts = zero();
  private lastWritten = -Infinity;

  /**
   * @param intervalMs least time between two diagnostics (0: never write one)
   * @param now milliseconds clock
   */
  constructor(private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  /**
   * Counts an event. Returns the counts to write with a diagnostic (and
   * starts counting afresh), or null when the last one is too recent.
   */
  note(kind: ClientEventKind, wantsDiagnostic: boolean): ClientEventCounts | null {
    this.totals[kind]++;
    this.pending[kind]++;
    if (!wantsDiagnostic || this.intervalMs === 0) return null;
    const t = this.now();
    if (t - this.lastWritten < this.intervalMs) return null;
    this.lastWritten = t;
    const counts = this.pending;
    this.pending = zero();
    return counts;
  }
}
