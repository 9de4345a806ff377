import type { Migration } from './Migration.js';
import { IDENTITY_EXTERNAL_USERS_SQL, IDENTITY_TABLES_SQL } from './identityTables.js';

/**
 * The PostgreSQL schema, as numbered migrations (Migration.ts) that PostgresDatabase.open applies.
 * Every table the PostgreSQL adapters use is here, so the whole layout reads in one place:
 *
 * - connections, gateway_heartbeats: the WebSocket connection registry (DynamoDB's connection table)
 * - media_insights_pipeline_configurations: call analytics configurations
 * - post_call_analytics: post-call analytics documents
 * - calls, pipelines: the call directory (calls and pipelines across machines)
 * - sip_heartbeats: each sip process's heartbeat, for closing the calls of one that died (lostSip.ts)
 * - custom_vocabularies: custom vocabularies (/api/vocabularies)
 * - vocabulary_filters: vocabulary filters (/api/vocabulary-filters)
 * - auth_users, auth_tokens, auth_sessions: users, API tokens and sessions (src/access/)
 *
 * Names are compared byte-wise (COLLATE "C") so listing order and NextToken paging match SQLite's.
 * Times the application sets are epoch milliseconds (bigint), except the configurations', which are
 * Chime's ISO timestamps (timestamptz).
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'registry, configurations, post-call analytics, calls and pipelines',
    sql: `
CREATE TABLE connections (
  connection_id text PRIMARY KEY,
  owner text NOT NULL,
  connected_at bigint NOT NULL,
  remote_address text NOT NULL,
  filters json NOT NULL,
  last_sequence_sent text,
  disconnected_at bigint
);
CREATE INDEX connections_active ON connections (owner) WHERE disconnected_at IS NULL;
CREATE TABLE gateway_heartbeats (
  owner text PRIMARY KEY,
  heartbeat_at bigint NOT NULL
);

CREATE TABLE media_insights_pipeline_configurations (
  id text PRIMARY KEY,
  name text COLLATE "C" NOT NULL UNIQUE,
  resource_access_role_arn text,
  real_time_alert_configuration json,
  elements json NOT NULL,
  tags json,
  client_request_token text,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE post_call_analytics (
  call_id text NOT NULL,
  pipeline_id text NOT NULL,
  created_at bigint NOT NULL,
  document json NOT NULL,
  PRIMARY KEY (call_id, pipeline_id)
);
CREATE INDEX post_call_analytics_newest ON post_call_analytics (call_id, created_at DESC);

CREATE TABLE calls (
  call_id text PRIMARY KEY,
  info json NOT NULL,
  owner text,
  started_at bigint NOT NULL,
  ended_at bigint,
  updated_at bigint NOT NULL
);
CREATE INDEX calls_newest ON calls (started_at DESC, call_id);
CREATE INDEX calls_active ON calls (started_at DESC) WHERE ended_at IS NULL;

CREATE TABLE pipelines (
  pipeline_id text PRIMARY KEY,
  call_id text NOT NULL,
  status text NOT NULL,
  configuration_name text NOT NULL,
  configuration_arn text NOT NULL,
  owner text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL,
  document json NOT NULL
);
CREATE INDEX pipelines_call ON pipelines (call_id);
CREATE INDEX pipelines_newest ON pipelines (created_at DESC, pipeline_id);
`,
  },
  {
    version: 2,
    name: 'last media of a call',
    sql: 'ALTER TABLE calls ADD COLUMN last_media_at bigint;',
  },
  {
    version: 3,
    name: 'custom vocabularies',
    sql: `
CREATE TABLE custom_vocabularies (
  name text COLLATE "C" PRIMARY KEY,
  language_code text NOT NULL,
  entries json NOT NULL,
  updated_at timestamptz NOT NULL
);
`,
  },
  {
    version: 4,
    name: 'users, API tokens and sessions',
    sql: IDENTITY_TABLES_SQL,
  },
  {
    version: 5,
    name: 'single sign-on users',
    sql: IDENTITY_EXTERNAL_USERS_SQL,
  },
  {
    version: 6,
    name: 'retention per configuration',
    sql: `
ALTER TABLE media_insights_pipeline_configurations ADD COLUMN retention_days integer;
CREATE INDEX pipelines_configuration ON pipelines (configuration_name, call_id);
`,
  },
  {
    version: 7,
    name: 'sip process heartbeats',
    sql: `
CREATE TABLE sip_heartbeats (
  owner text PRIMARY KEY,
  heartbeat_at bigint NOT NULL
);
CREATE INDEX calls_open_owner ON calls (owner) WHERE ended_at IS NULL;
`,
  },
  {
    version: 8,
    name: 'vocabulary filters',
    sql: `
CREATE TABLE vocabulary_filters (
  name text COLLATE "C" PRIMARY KEY,
  language_code text NOT NULL,
  entries json NOT NULL,
  updated_at timestamptz NOT NULL
);
`,
  },
];
