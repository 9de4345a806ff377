import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import { InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import {
  ConfigurationNotFoundError,
  type CreateMediaInsightsPipelineConfigurationRequest,
  type MediaInsightsPipelineConfiguration,
  type MediaInsightsPipelineConfigurationElement,
  type RealTimeAlertConfiguration,
  type UpdateMediaInsightsPipelineConfigurationRequest,
} from './ConfigurationTypes.js';
import {
  arnPrefix,
  assertDeletable,
  checkMaxResults,
  createRetryOrConflict,
  decodeListToken,
  identifierLookup,
  isCurrent,
  listPage,
  notBefore,
  requestColumns,
  toConfiguration,
  type ConfigurationStoreCommonOptions,
} from './ConfigurationStoreRules.js';
import type {
  ConfigurationStore,
  EnsureDefaultOptions,
  EnsureDefaultResult,
  ListConfigurationsOptions,
  ListConfigurationsResult,
} from './ConfigurationStoreTypes.js';

export interface SqliteConfigurationStoreOptions extends ConfigurationStoreCommonOptions {
  /**
   * Database file, normally the connection registry's `callsight.db` (its own table, its own
   * connection, WAL); the directory is created if missing.
   */
  readonly path: string;
}

interface Row {
  id: string;
  name: string;
  resource_access_role_arn: string | null;
  real_time_alert_configuration: string | null;
  elements: string;
  retention_days: number | null;
  tags: string | null;
  client_request_token: string | null;
  created_at: string;
  updated_at: string;
}

const TABLE = 'media_insights_pipeline_configurations';

/** The store's table in callsight.db (migrations: SqliteDatabase.ts). */
const SCHEMA: SqliteSchema = {
  store: 'configurations',
  migrations: [
    {
      version: 1,
      name: TABLE,
      sql: `
CREATE TABLE IF NOT EXISTS ${TABLE} (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  resource_access_role_arn TEXT,
  real_time_alert_configuration TEXT,
  elements TEXT NOT NULL,
  tags TEXT,
  client_request_token TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
    },
    {
      version: 2,
      name: 'retention per configuration',
      sql: `ALTER TABLE ${TABLE} ADD COLUMN retention_days INTEGER;`,
    },
  ],
};

function isUniqueViolation(err: unknown): boolean {
  return (
    err instanceof Error &&
    'code' in err &&
    (err.code === 'SQLITE_CONSTRAINT_UNIQUE' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY')
  );
}

/**
 * Call analytics configurations in SQLite, in the same database file as the connection registry. All
 * statements are synchronous (better-sqlite3); the async methods keep the contract a networked
 * database can meet.
 */
export class SqliteConfigurationStore implements ConfigurationStore {
  readonly #db: Database.Database;
  readonly #logger: Logger;
  readonly #arnPrefix: string;
  readonly #inUse: (configuration: MediaInsightsPipelineConfiguration) => boolean;
  readonly #now: () => Date;
  #closed = false;

  static open(options: SqliteConfigurationStoreOptions): SqliteConfigurationStore {
    return new SqliteConfigurationStore(options);
  }

  private constructor(options: SqliteConfigurationStoreOptions) {
    this.#logger = (options.logger ?? silentLogger).child({ component: 'configuration-store' });
    this.#arnPrefix = arnPrefix(options.region, options.account);
    this.#inUse = options.inUse ?? (() => false);
    this.#now = options.now ?? (() => new Date());
    this.#db = openSqliteDatabase(options.path, SCHEMA, this.#logger);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The ARN a configuration of this name has in this store. */
  arnOf(name: string): string {
    return `${this.#arnPrefix}${name}`;
  }

  async create(
    request: CreateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration> {
    this.#assertOpen();
    return this.#create(request);
  }

  async get(identifier: string): Promise<MediaInsightsPipelineConfiguration> {
    this.#assertOpen();
    const row = this.#resolve(identifier);
    if (!row) throw new ConfigurationNotFoundError(identifier);
    return this.#toConfiguration(row);
  }

  async find(identifier: string): Promise<MediaInsightsPipelineConfiguration | null> {
    this.#assertOpen();
    const row = this.#resolve(identifier);
    return row ? this.#toConfiguration(row) : null;
  }

  async update(
    identifier: string,
    request: UpdateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration> {
    this.#assertOpen();
    const row = this.#resolve(identifier);
    if (!row) throw new ConfigurationNotFoundError(identifier);
    return this.#update(row, request);
  }

  async delete(identifier: string): Promise<void> {
    this.#assertOpen();
    const row = this.#resolve(identifier);
    if (!row) throw new ConfigurationNotFoundError(identifier);
    assertDeletable(this.#toConfiguration(row), this.#inUse);
    this.#db.prepare(`DELETE FROM ${TABLE} WHERE id = ?`).run(row.id);
    this.#logger.info({ name: row.name }, 'configuration deleted');
  }

  async list(options: ListConfigurationsOptions = {}): Promise<ListConfigurationsResult> {
    this.#assertOpen();
    const max = checkMaxResults(options.maxResults);
    const after = options.nextToken === undefined ? null : decodeListToken(options.nextToken);
    const rows = (
      after === null
        ? this.#db.prepare(`SELECT id, name FROM ${TABLE} ORDER BY name LIMIT ?`).all(max + 1)
        : this.#db
            .prepare(`SELECT id, name FROM ${TABLE} WHERE name > ? ORDER BY name LIMIT ?`)
            .all(after, max + 1)
    ) as Pick<Row, 'id' | 'name'>[];
    return listPage(rows, max, this.#arnPrefix);
  }

  async ensureDefault(
    request: CreateMediaInsightsPipelineConfigurationRequest,
    options: EnsureDefaultOptions = {},
  ): Promise<EnsureDefaultResult> {
    this.#assertOpen();
    const run = this.#db.transaction((): EnsureDefaultResult => {
      const row = this.#byName(request.MediaInsightsPipelineConfigurationName);
      if (!row) return { configuration: this.#create(request), action: 'created' };
      const stored = this.#toConfiguration(row);
      if (isCurrent(stored, request, options)) return { configuration: stored, action: 'unchanged' };
      return { configuration: this.#update(row, request), action: 'updated' };
    });
    const result = run.immediate();
    this.#logger.info(
      { name: result.configuration.MediaInsightsPipelineConfigurationName, action: result.action },
      'default configuration ensured',
    );
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #create(request: CreateMediaInsightsPipelineConfigurationRequest): MediaInsightsPipelineConfiguration {
    const name = request.MediaInsightsPipelineConfigurationName;
    const now = this.#now().toISOString();
    const id = randomUUID();
    try {
      this.#db
        .prepare(
          `INSERT INTO ${TABLE} (id, name, resource_access_role_arn, real_time_alert_configuration, elements,
             retention_days, tags, client_request_token, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          id,
          name,
          ...requestColumns(request),
          request.Tags ? JSON.stringify(request.Tags) : null,
          request.ClientRequestToken ?? null,
          now,
          now,
        );
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const existing = this.#byName(name);
      return createRetryOrConflict(
        request,
        existing && {
          clientRequestToken: existing.client_request_token,
          configuration: this.#toConfiguration(existing),
        },
      );
    }
    this.#logger.info({ name, id }, 'configuration created');
    return this.#toConfiguration(this.#byName(name)!);
  }

  #update(
    row: Row,
    request: UpdateMediaInsightsPipelineConfigurationRequest,
  ): MediaInsightsPipelineConfiguration {
    const updatedAt = notBefore(this.#now().toISOString(), row.created_at);
    this.#db
      .prepare(
        `UPDATE ${TABLE} SET resource_access_role_arn = ?, real_time_alert_configuration = ?, elements = ?,
           retention_days = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(...requestColumns(request), updatedAt, row.id);
    this.#logger.info({ name: row.name }, 'configuration updated');
    return this.#toConfiguration(this.#byName(row.name)!);
  }

  #byName(name: string): Row | undefined {
    return this.#db.prepare(`SELECT * FROM ${TABLE} WHERE name = ?`).get(name) as Row | undefined;
  }

  /** Name first, then ARN (this store's prefix only), then id. */
  #resolve(identifier: string): Row | undefined {
    const { name, id } = identifierLookup(identifier, this.#arnPrefix);
    const byName = name === undefined ? undefined : this.#byName(name);
    if (byName || id === undefined) return byName;
    return this.#db.prepare(`SELECT * FROM ${TABLE} WHERE id = ?`).get(id) as Row | undefined;
  }

  #toConfiguration(row: Row): MediaInsightsPipelineConfiguration {
    return toConfiguration(this.#arnPrefix, {
      ...row,
      real_time_alert_configuration:
        row.real_time_alert_configuration === null
          ? null
          : (JSON.parse(row.real_time_alert_configuration) as RealTimeAlertConfiguration),
      elements: JSON.parse(row.elements) as MediaInsightsPipelineConfigurationElement[],
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('configuration store');
  }
}
