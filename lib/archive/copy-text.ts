/**
 * Counts the rows of a PostgreSQL COPY text stream and checks its shape,
 * without parsing a value. In COPY's text format a row is one line and its
 * fields are separated by tabs; a newline or tab inside a value is written
 * as `\n` or `\t`, so every line of an intact file has exactly one tab fewer
 * than the table has columns, and the file ends with a newline.
 */
import { Writable } from 'node:stream';

const TAB = 0x09;
const NEWLINE = 0x0a;

export class CopyTextRows extends Writable {
  rows = 0;
  /** Rows whose field count is not the expected one. */
  misshapen = 0;
  /** The first misshapen row (1-based) and its field count, for the error. */
  firstMisshapen: { row: number; fields: number } | null = null;
  private tabs = 0;
  private open = false;

  constructor(private readonly columns: number) {
    super({ highWaterMark: 1 << 20 });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    // Buffer.indexOf jumps from tab to tab and newline to newline (memchr), far faster than a loop over every byte.
    const want = this.columns - 1;
    let tabs = this.tabs;
    let pos = 0;
    let tab = chunk.indexOf(TAB, pos);
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, pos);
      const end = newline === -1 ? chunk.length : newline;
      while (tab !== -1 && tab < end) {
        tabs++;
        tab = chunk.indexOf(TAB, tab + 1);
      }
      if (newline === -1) break;
      this.rows++;
      if (tabs !== want) {
        this.misshapen++;
        this.firstMisshapen ??= { row: this.rows, fields: tabs + 1 };
      }
      tabs = 0;
      pos = newline + 1;
    }
    this.tabs = tabs;
    if (chunk.length) this.open = chunk[chunk.length - 1] !== NEWLINE;
    done();
  }

  /** Whether the stream ended in the middle of a row (a truncated file). */
  get truncated(): boolean {
    return this.open;
  }
}
