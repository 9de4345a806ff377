import { randomUUID } from 'node:crypto';
import { InvalidStateError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import type { PostgresDatabase, Queryable } from '../platform/database/PostgresDatabase.js';
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

export interface PostgresConfigurationStoreOptions extends ConfigurationStoreCommonOptions {
  /** The process's shared database (left open by close()). */
  readonly database: PostgresDatabase;
}

interface Row {
  id: string;
  name: string;
  resource_access_role_arn: string | null;
  real_time_alert_configuration: RealTimeAlertConfiguration | null;
  elements: MediaInsightsPipelineConfigurationElement[];
  retention_days: number | null;
  tags: unknown;
  client_request_token: string | null;
  created_at: Date;
  updated_at: Date;
}

const TABLE = 'media_insights_pipeline_configurations';

/** 23505: unique_violation. */
function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === '23505';
}

/**
 * Call analytics configurations in PostgreSQL, shared by every Callsight process: the same semantics as
 * the SQLite store (unique names, ClientRequestToken retries, NextToken paging by name, ensureDefault),
 * made safe for several processes — a create racing another's is a unique violation turned into the
 * same Conflict, and ensureDefault runs in a transaction holding an advisory lock on the name.
 */
export class PostgresConfigurationStore implements ConfigurationStore {
  readonly #db: PostgresDatabase;
  readonly #logger: Logger;
  readonly #arnPrefix: string;
  readonly #inUse: (configuration: MediaInsightsPipelineConfiguration) => boolean;
  readonly #now: () => Date;
  #closed = false;

  static open(options: PostgresConfigurationStoreOptions): PostgresConfigurationStore {
    return new PostgresConfigurationStore(options);
  }

  private constructor(options: PostgresConfigurationStoreOptions) {
    this.#db = options.database;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'configuration-store' });
    this.#arnPrefix = arnPrefix(options.region, options.account);
    this.#inUse = options.inUse ?? (() => false);
    this.#now = options.now ?? (() => new Date());
  }

  get closed(): boolean {
    return this.#closed;
  }

  arnOf(name: string): string {
    return `${this.#arnPrefix}${name}`;
  }

  async create(
    request: CreateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration> {
    this.#assertOpen();
    return this.#create(this.#db, request);
  }

  async get(identifier: string): Promise<MediaInsightsPipelineConfiguration> {
    this.#assertOpen();
    const row = await this.#resolve(this.#db, identifier);
    if (!row) throw new ConfigurationNotFoundError(identifier);
    return this.#toConfiguration(row);
  }

  async find(identifier: string): Promise<MediaInsightsPipelineConfiguration | null> {
    this.#assertOpen();
    const row = await this.#resolve(this.#db, identifier);
    return row ? this.#toConfiguration(row) : null;
  }

  async update(
    identifier: string,
    request: UpdateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration> {
    this.#assertOpen();
    const row = await this.#resolve(this.#db, identifier);
    if (!row) throw new ConfigurationNotFoundError(identifier);
    return this.#update(this.#db, row, request);
  }

  async delete(identifier: string): Promise<void> {
    this.#assertOpen();
    const row = await this.#resolve(this.#db, identifier);
    if (!row) throw new ConfigurationNotFoundError(identifier);
    assertDeletable(this.#toConfiguration(row), this.#inUse);
    await this.#db.query(`DELETE FROM ${TABLE} WHERE id = $1`, [row.id]);
    this.#logger.info({ name: row.name }, 'configuration deleted');
  }

  async list(options: ListConfigurationsOptions = {}): Promise<ListConfigurationsResult> {
    this.#assertOpen();
    const max = checkMaxResults(options.maxResults);
    const after = options.nextToken === undefined ? null : decodeListToken(options.nextToken);
    // The column is COLLATE "C": byte order, as SQLite sorts, so tokens page the same way.
    const { rows } =
      after === null
        ? await this.#db.query<Pick<Row, 'id' | 'name'>>(
            `SELECT id, name FROM ${TABLE} ORDER BY name LIMIT $1`,
            [max + 1],
          )
        : await this.#db.query<Pick<Row, 'id' | 'name'>>(
            `SELECT id, name FROM ${TABLE} WHERE name > $1 ORDER BY name LIMIT $2`,
            [after, max + 1],
          );
    return listPage(rows, max, this.#arnPrefix);
  }

  async ensureDefault(
    request: CreateMediaInsightsPipelineConfigurationRequest,
    options: EnsureDefaultOptions = {},
  ): Promise<EnsureDefaultResult> {
    this.#assertOpen();
    const name = request.MediaInsightsPipelineConfigurationName;
    // Processes starting together each ensure the default: the lock makes one create and the others see it.
    const result = await this.#db.transaction(async (tx): Promise<EnsureDefaultResult> => {
      await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`callsight-configuration:${name}`]);
      const row = await this.#byName(tx, name);
      if (!row) return { configuration: await this.#create(tx, request), action: 'created' };
      const stored = this.#toConfiguration(row);
      if (isCurrent(stored, request, options)) return { configuration: stored, action: 'unchanged' };
      return { configuration: await this.#update(tx, row, request), action: 'updated' };
    });
    this.#logger.info({ name, action: result.action }, 'default configuration ensured');
    return result;
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  async #create(
    db: Queryable,
    request: CreateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration> {
    const name = request.MediaInsightsPipelineConfigurationName;
    const now = this.#now();
    let inserted: Row | undefined;
    try {
      const { rows } = await db.query<Row>(
        `INSERT INTO ${TABLE} (id, name, resource_access_role_arn, real_time_alert_configuration, elements,
           retention_days, tags, client_request_token, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)
         RETURNING *`,
        [
          randomUUID(),
          name,
          ...requestColumns(request),
          request.Tags ? JSON.stringify(request.Tags) : null,
          request.ClientRequestToken ?? null,
          now,
        ],
      );
      inserted = rows[0];
    } catch (err) {
      if (!isUniqueViolation(err)) throw this.#db.wrap(err, 'cannot store the configuration');
      const existing = await this.#byName(this.#db, name);
      return createRetryOrConflict(
        request,
        existing && {
          clientRequestToken: existing.client_request_token,
          configuration: this.#toConfiguration(existing),
        },
      );
    }
    this.#logger.info({ name, id: inserted?.id }, 'configuration created');
    return this.#toConfiguration(inserted!);
  }

  async #update(
    db: Queryable,
    row: Row,
    request: UpdateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration> {
    const updatedAt = notBefore(this.#now(), row.created_at);
    const { rows } = await db.query<Row>(
      `UPDATE ${TABLE} SET resource_access_role_arn = $1, real_time_alert_configuration = $2, elements = $3,
         retention_days = $4, updated_at = $5
       WHERE id = $6 RETURNING *`,
      [...requestColumns(request), updatedAt, row.id],
    );
    const updated = rows[0];
    // Deleted by another process between the lookup and the update.
    if (!updated) throw new ConfigurationNotFoundError(row.name);
    this.#logger.info({ name: row.name }, 'configuration updated');
    return this.#toConfiguration(updated);
  }

  async #byName(db: Queryable, name: string): Promise<Row | undefined> {
    return (await db.query<Row>(`SELECT * FROM ${TABLE} WHERE name = $1`, [name])).rows[0];
  }

  /** Name first, then ARN (this store's prefix only), then id. */
  async #resolve(db: Queryable, identifier: string): Promise<Row | undefined> {
    const { name, id } = identifierLookup(identifier, this.#arnPrefix);
    const byName = name === undefined ? undefined : await this.#byName(db, name);
    if (byName || id === undefined) return byName;
    return (await db.query<Row>(`SELECT * FROM ${TABLE} WHERE id = $1`, [id])).rows[0];
  }

  #toConfiguration(row: Row): MediaInsightsPipelineConfiguration {
    return toConfiguration(this.#arnPrefix, {
      ...row,
      created_at: row.created_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    });
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('configuration store');
  }
}
