import type Database from 'better-sqlite3';
import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import { openSqliteDatabase, type SqliteSchema } from '../platform/database/SqliteDatabase.js';
import { IDENTITY_EXTERNAL_USERS_SQL, IDENTITY_TABLES_SQL } from '../platform/database/identityTables.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import { isRole, type Role } from './Roles.js';

/**
 * Users, API tokens and sessions, in the configured database: callsight.db (embedded) or PostgreSQL
 * (shared by every gateway, so a session or token works whichever gateway serves it). The SQL is the
 * same on both (platform/database/identityTables.ts): migration 3 of PostgreSQL's migrations.ts, and
 * SQLITE_SCHEMA below. Secrets are stored only as hashes (Secrets.ts).
 */

const SQLITE_SCHEMA: SqliteSchema = {
  store: 'identity store',
  migrations: [
    { version: 1, name: 'users, API tokens and sessions', sql: IDENTITY_TABLES_SQL },
    { version: 2, name: 'single sign-on users', sql: IDENTITY_EXTERNAL_USERS_SQL },
  ],
};

export interface UserRow {
  readonly userId: string;
  readonly username: string;
  readonly passwordHash: string | null;
  readonly role: Role;
  readonly agentPatterns: readonly string[];
  readonly disabledAt: number | null;
  readonly createdAt: number;
  /** A single sign-on user: the OpenID provider's issuer and the user's subject there (no password). */
  readonly external: { readonly issuer: string; readonly subject: string } | null;
}

export interface TokenRow {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
}

export interface SessionRow {
  readonly userId: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  readonly endedAt: number | null;
}

type Row = Record<string, string | number | null>;

/** What the store runs its statements on: `?` placeholders, rows as plain objects. */
interface Sql {
  all(text: string, values: readonly unknown[]): Promise<Row[]>;
  run(text: string, values: readonly unknown[]): Promise<number>;
  close(): Promise<void>;
}

const int = (value: unknown): number => Number(value);
const nullableInt = (value: unknown): number | null => (value === null ? null : Number(value));

function toUser(row: Row): UserRow {
  const role = row.role;
  return {
    userId: String(row.user_id),
    username: String(row.username),
    passwordHash: row.password_hash === null ? null : String(row.password_hash),
    role: isRole(role) ? role : 'viewer',
    agentPatterns: JSON.parse(String(row.agent_patterns)) as string[],
    disabledAt: nullableInt(row.disabled_at),
    createdAt: int(row.created_at),
    external:
      row.external_issuer === null || row.external_issuer === undefined
        ? null
        : { issuer: String(row.external_issuer), subject: String(row.external_subject) },
  };
}

function toToken(row: Row): TokenRow {
  const role = row.role;
  return {
    tokenId: String(row.token_id),
    name: String(row.name),
    role: isRole(role) ? role : 'viewer',
    createdBy: String(row.created_by),
    createdAt: int(row.created_at),
    expiresAt: nullableInt(row.expires_at),
    revokedAt: nullableInt(row.revoked_at),
  };
}

export class IdentityStore {
  readonly #sql: Sql;

  private constructor(sql: Sql) {
    this.#sql = sql;
  }

  /** The tables in `<dataDir>/callsight.db`. */
  static openSqlite(path: string, logger: Logger = silentLogger): IdentityStore {
    const db: Database.Database = openSqliteDatabase(path, SQLITE_SCHEMA, logger);
    return new IdentityStore({
      all: (text, values) => Promise.resolve(db.prepare(text).all(...values) as Row[]),
      run: (text, values) => Promise.resolve(db.prepare(text).run(...values).changes),
      close: () => {
        db.close();
        return Promise.resolve();
      },
    });
  }

  /** The tables in the process's PostgreSQL (migrated by PostgresDatabase.open); the pool stays open. */
  static onPostgres(database: PostgresDatabase): IdentityStore {
    const numbered = (text: string) => {
      let n = 0;
      return text.replace(/\?/g, () => `$${++n}`);
    };
    return new IdentityStore({
      all: async (text, values) => (await database.query<Row>(numbered(text), [...values])).rows,
      run: async (text, values) => (await database.query(numbered(text), [...values])).rowCount ?? 0,
      close: () => Promise.resolve(),
    });
  }

  close(): Promise<void> {
    return this.#sql.close();
  }

  async countUsers(): Promise<number> {
    const rows = await this.#sql.all('SELECT count(*) AS n FROM auth_users', []);
    return int(rows[0]?.n ?? 0);
  }

  async users(): Promise<UserRow[]> {
    return (await this.#sql.all('SELECT * FROM auth_users ORDER BY username', [])).map(toUser);
  }

  async userByName(username: string): Promise<UserRow | undefined> {
    const rows = await this.#sql.all('SELECT * FROM auth_users WHERE username = ?', [username]);
    return rows[0] && toUser(rows[0]);
  }

  async userById(userId: string): Promise<UserRow | undefined> {
    const rows = await this.#sql.all('SELECT * FROM auth_users WHERE user_id = ?', [userId]);
    return rows[0] && toUser(rows[0]);
  }

  /** The single sign-on user with this subject at this issuer. */
  async userByExternal(issuer: string, subject: string): Promise<UserRow | undefined> {
    const rows = await this.#sql.all(
      'SELECT * FROM auth_users WHERE external_issuer = ? AND external_subject = ?',
      [issuer, subject],
    );
    return rows[0] && toUser(rows[0]);
  }

  /** False when the name (or the single sign-on identity) is taken. */
  async addUser(user: Omit<UserRow, 'disabledAt'>): Promise<boolean> {
    // One statement, so that processes adding the same name at once cannot both pass a check first.
    const added = await this.#sql.run(
      `INSERT INTO auth_users (user_id, username, password_hash, role, agent_patterns, disabled_at, created_at, updated_at, external_issuer, external_subject)
       VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
      [
        user.userId,
        user.username,
        user.passwordHash,
        user.role,
        JSON.stringify(user.agentPatterns),
        user.createdAt,
        user.createdAt,
        user.external?.issuer ?? null,
        user.external?.subject ?? null,
      ],
    );
    return added > 0;
  }

  /** Changes what `change` names; false when there is no such user. */
  async updateUser(
    username: string,
    change: {
      passwordHash?: string;
      role?: Role;
      agentPatterns?: readonly string[];
      disabledAt?: number | null;
    },
  ): Promise<boolean> {
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (change.passwordHash !== undefined) set('password_hash', change.passwordHash);
    if (change.role !== undefined) set('role', change.role);
    if (change.agentPatterns !== undefined) set('agent_patterns', JSON.stringify(change.agentPatterns));
    if (change.disabledAt !== undefined) set('disabled_at', change.disabledAt);
    sets.push('updated_at = ?');
    values.push(Date.now(), username);
    return (await this.#sql.run(`UPDATE auth_users SET ${sets.join(', ')} WHERE username = ?`, values)) > 0;
  }

  async tokens(): Promise<TokenRow[]> {
    return (await this.#sql.all('SELECT * FROM auth_tokens ORDER BY created_at, token_id', [])).map(toToken);
  }

  async tokenByHash(tokenHash: string): Promise<TokenRow | undefined> {
    const rows = await this.#sql.all('SELECT * FROM auth_tokens WHERE token_hash = ?', [tokenHash]);
    return rows[0] && toToken(rows[0]);
  }

  async addToken(token: Omit<TokenRow, 'revokedAt'>, tokenHash: string): Promise<void> {
    await this.#sql.run(
      `INSERT INTO auth_tokens (token_id, name, token_hash, role, created_by, created_at, expires_at, revoked_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL)`,
      [token.tokenId, token.name, tokenHash, token.role, token.createdBy, token.createdAt, token.expiresAt],
    );
  }

  /** Makes the token with this hash an unrevoked, unexpiring admin token (the bootstrap token). */
  async reviveToken(tokenHash: string, role: Role): Promise<void> {
    await this.#sql.run(
      'UPDATE auth_tokens SET role = ?, revoked_at = NULL, expires_at = NULL WHERE token_hash = ?',
      [role, tokenHash],
    );
  }

  /** False when there is no such token or it was already revoked. */
  async revokeToken(tokenId: string, at: number): Promise<boolean> {
    return (
      (await this.#sql.run(
        'UPDATE auth_tokens SET revoked_at = ? WHERE token_id = ? AND revoked_at IS NULL',
        [at, tokenId],
      )) > 0
    );
  }

  async addSession(sessionHash: string, session: Omit<SessionRow, 'endedAt'>): Promise<void> {
    await this.#sql.run(
      'INSERT INTO auth_sessions (session_hash, user_id, created_at, expires_at, ended_at) VALUES (?, ?, ?, ?, NULL)',
      [sessionHash, session.userId, session.createdAt, session.expiresAt],
    );
  }

  async session(sessionHash: string): Promise<SessionRow | undefined> {
    const rows = await this.#sql.all('SELECT * FROM auth_sessions WHERE session_hash = ?', [sessionHash]);
    const row = rows[0];
    return (
      row && {
        userId: String(row.user_id),
        createdAt: int(row.created_at),
        expiresAt: int(row.expires_at),
        endedAt: nullableInt(row.ended_at),
      }
    );
  }

  async endSession(sessionHash: string, at: number): Promise<void> {
    await this.#sql.run('UPDATE auth_sessions SET ended_at = ? WHERE session_hash = ? AND ended_at IS NULL', [
      at,
      sessionHash,
    ]);
  }

  /** Ends every session of a user; resolves with how many were open. */
  async endSessionsOf(userId: string, at: number): Promise<number> {
    return this.#sql.run('UPDATE auth_sessions SET ended_at = ? WHERE user_id = ? AND ended_at IS NULL', [
      at,
      userId,
    ]);
  }

  /** Drops sessions that ended or expired before `before`, so the table does not grow forever. */
  async pruneSessions(before: number): Promise<void> {
    await this.#sql.run('DELETE FROM auth_sessions WHERE expires_at < ? OR ended_at < ?', [before, before]);
  }
}
