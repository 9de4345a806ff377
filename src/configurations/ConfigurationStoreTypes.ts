/**
 * Where call analytics configurations live (Chime's MediaInsightsPipelineConfiguration resources).
 * The embedded implementation is SQLite (ConfigurationStore.ts); methods are async so a PostgreSQL one
 * can replace it for scale-out.
 *
 * Chime semantics: names are unique; every configuration has a UUID id and an ARN
 * `arn:callsight:chime:<region>:<account>:media-insights-pipeline-configuration/<name>`; any of name,
 * id or ARN is an "identifier". The store persists what it is given: validate requests first
 * (`checkCreateRequest` / `checkUpdateRequest` in ConfigurationPlan.ts).
 *
 * Errors: ConfigurationNotFoundError (CS_ERR_NOT_FOUND, 404), ConfigurationConflictError
 * (CS_ERR_CONFIGURATION_CONFLICT, 409), ValidationError (CS_ERR_BAD_REQUEST, 400) for a bad
 * MaxResults or NextToken, InvalidStateError after close().
 */
import type {
  CreateMediaInsightsPipelineConfigurationRequest,
  MediaInsightsPipelineConfiguration,
  MediaInsightsPipelineConfigurationSummary,
  UpdateMediaInsightsPipelineConfigurationRequest,
} from './ConfigurationTypes.js';

export interface ListConfigurationsOptions {
  /** 1..100, default 100 (Chime's ResultMax). */
  readonly maxResults?: number;
  /** The NextToken of the previous page. */
  readonly nextToken?: string;
}

/** ListMediaInsightsPipelineConfigurations' response; ordered by name. */
export interface ListConfigurationsResult {
  readonly MediaInsightsPipelineConfigurations: readonly MediaInsightsPipelineConfigurationSummary[];
  /** Present when there are more; pass it back for the next page. */
  readonly NextToken?: string;
}

export interface EnsureDefaultOptions {
  /**
   * true (default): a stored configuration of that name whose role, alerts or elements differ is
   * replaced, as when an operator edits the file. false: only created when missing, so edits made
   * through the REST API survive a restart.
   */
  readonly refresh?: boolean;
}

export interface EnsureDefaultResult {
  readonly configuration: MediaInsightsPipelineConfiguration;
  readonly action: 'created' | 'updated' | 'unchanged';
}

export interface ConfigurationStore {
  /** CreateMediaInsightsPipelineConfiguration. Conflict when the name is taken (unless it is a retry with the same ClientRequestToken and body). */
  create(
    request: CreateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration>;
  /** GetMediaInsightsPipelineConfiguration by name, id or ARN; NotFound otherwise. */
  get(identifier: string): Promise<MediaInsightsPipelineConfiguration>;
  /** Like get, but null when there is none. */
  find(identifier: string): Promise<MediaInsightsPipelineConfiguration | null>;
  /** UpdateMediaInsightsPipelineConfiguration: replaces role, alerts and elements; bumps UpdatedTimestamp. */
  update(
    identifier: string,
    request: UpdateMediaInsightsPipelineConfigurationRequest,
  ): Promise<MediaInsightsPipelineConfiguration>;
  /** DeleteMediaInsightsPipelineConfiguration; Conflict when the store's `inUse` check says so. */
  delete(identifier: string): Promise<void>;
  /** ListMediaInsightsPipelineConfigurations, paged. */
  list(options?: ListConfigurationsOptions): Promise<ListConfigurationsResult>;
  /** Start-up: makes sure the configuration (e.g. from a file) is stored, creating or refreshing it. */
  ensureDefault(
    request: CreateMediaInsightsPipelineConfigurationRequest,
    options?: EnsureDefaultOptions,
  ): Promise<EnsureDefaultResult>;
  readonly closed: boolean;
  /** Idempotent; every method rejects with InvalidStateError afterwards. */
  close(): Promise<void>;
}
