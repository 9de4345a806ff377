/**
 * The identity tables of src/access/ (users, API tokens, sessions), one statement list for both
 * databases: PostgreSQL's migration 3 (migrations.ts) and the SQLite identity store's migration 1.
 */
export const IDENTITY_TABLES_SQL = `
CREATE TABLE auth_users (
  user_id text PRIMARY KEY,
  username text NOT NULL UNIQUE,
  password_hash text,
  role text NOT NULL,
  agent_patterns text NOT NULL,
  disabled_at bigint,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE TABLE auth_tokens (
  token_id text PRIMARY KEY,
  name text NOT NULL,
  token_hash text NOT NULL UNIQUE,
  role text NOT NULL,
  created_by text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint,
  revoked_at bigint
);
CREATE TABLE auth_sessions (
  session_hash text PRIMARY KEY,
  user_id text NOT NULL,
  created_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  ended_at bigint
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);
`;

/**
 * Users who sign in with single sign-on (OpenID Connect): tied to the issuer and subject of their
 * ID token, not to their name, and without a password. PostgreSQL's migration 5 and the SQLite
 * identity store's migration 2.
 */
export const IDENTITY_EXTERNAL_USERS_SQL = `
ALTER TABLE auth_users ADD COLUMN external_issuer text;
ALTER TABLE auth_users ADD COLUMN external_subject text;
CREATE UNIQUE INDEX auth_users_external ON auth_users (external_issuer, external_subject);
`;
