import { CallsightError } from '../errors.js';

/**
 * One numbered change of a schema. PostgreSQL (migrations.ts, PostgresDatabase.ts) and the embedded
 * SQLite stores (SqliteDatabase.ts) apply their lists the same way: in ascending version order, each
 * once, recorded in `callsight_schema_migrations`. Add a migration for every change; never edit one
 * that has shipped.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/**
 * The migrations of `known` that `applied` lacks, in order. A database holding a version above the
 * last known one was written by a newer Callsight, whose schema this one cannot read: refused with
 * CS_ERR_CONFIG_INVALID (an exit code 2 at start, the operator's to fix), naming `where`.
 */
export function pendingMigrations(
  known: readonly Migration[],
  applied: Iterable<number>,
  where: string,
): Migration[] {
  known.forEach((migration, i) => {
    if (i > 0 && migration.version <= known[i - 1]!.version)
      throw new Error(
        `migration versions must ascend: ${migration.version} follows ${known[i - 1]!.version}`,
      );
  });
  const done = new Set(applied);
  const newest = Math.max(0, ...done);
  const latest = known.at(-1)?.version ?? 0;
  if (newest > latest)
    throw new CallsightError(
      'CS_ERR_CONFIG_INVALID',
      `${where} was written by a newer Callsight: it is at schema version ${newest}, this Callsight knows versions up to ${latest}. Downgrades are not supported: run that newer Callsight, or restore a backup taken before the upgrade`,
    );
  return known.filter((migration) => !done.has(migration.version));
}
