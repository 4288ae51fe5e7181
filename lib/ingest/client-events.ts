/**
 * What unauthenticated clients cost: counted in memory, and written down as
 * at most `perMinute` diagnostics a minute. Anyone can send a bad signature,
 * abort an upload or stall a connection, so none of it may cost a database
 * write per request or page anyone. Each diagnostic that is written carries
 * the counts since the previous one, so nothing goes uncounted.
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
  private windowStart = -Infinity;
  private written = 0;

  /**
   * @param perMinute diagnostics written per minute at most (0: never)
   * @param now milliseconds clock
   */
  constructor(private readonly perMinute: number, private readonly now: () => number = Date.now) {}

  /**
   * Counts an event. Returns the counts to write with a diagnostic (and
   * starts counting afresh), or null when this minute's allowance is spent.
   */
  note(kind: ClientEventKind, wantsDiagnostic: boolean): ClientEventCounts | null {
    this.totals[kind]++;
    this.pending[kind]++;
    if (!wantsDiagnostic || this.perMinute === 0) return null;
    const t = this.now();
    if (t - this.windowStart >= 60_000) {
      this.windowStart = t;
      this.written = 0;
    }
    if (this.written >= this.perMinute) return null;
    this.written++;
    const counts = this.pending;
    this.pending = zero();
    return counts;
  }
}
