/**
 * How ballast's own queries read column values. int8 (`bigint`, `count(*)`)
 * arrives as a JS number when it is exact; a value beyond
 * `Number.MAX_SAFE_INTEGER` fails the query with an `Int8RangeError` rather
 * than becoming a nearby number. Select such a column as text (`::text`) to
 * read it exactly.
 *
 * The parsers go with each query (node-postgres's `types` query option), so
 * pg's global parsers, which graphile-worker shares on the same pool, keep
 * their defaults: int8 there stays a string.
 */
import pg from 'pg';

const INT8 = 20;

export class Int8RangeError extends RangeError {
  override name = 'Int8RangeError';
}

function parseInt8(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) {
    throw new Int8RangeError(`bigint value ${text} cannot be read as a number without rounding; select it as text (::text)`);
  }
  return n;
}

/** The `types` option of every query ballast sends (`Db.query`, `Tx.query`). */
export const BALLAST_TYPES = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};
