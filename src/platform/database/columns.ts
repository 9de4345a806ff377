/**
 * How a database driver returns columns, so that one row mapping serves the SQLite and the PostgreSQL
 * implementation of a store.
 */
export interface ColumnDecoder<Json, Int> {
  /** A JSON column's value. */
  json(value: Json): unknown;
  /** An integer (epoch milliseconds, counters) column's value. */
  int(value: Int): number;
}

/** better-sqlite3: JSON columns are text, INTEGER columns numbers. */
export const sqliteColumns: ColumnDecoder<string, number> = {
  json: (text) => JSON.parse(text) as unknown,
  int: (value) => value,
};

/** pg: json/jsonb columns arrive decoded, bigint columns as strings (pg does not guess at 64-bit integers). */
export const postgresColumns: ColumnDecoder<unknown, string> = {
  json: (value) => value,
  int: Number,
};

/** A nullable integer column's value. */
export function nullableInt<Int>(decode: ColumnDecoder<unknown, Int>, value: Int | null): number | null {
  return value === null ? null : decode.int(value);
}
