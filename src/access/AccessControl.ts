import { randomUUID } from 'node:crypto';
import { CallsightError } from '../platform/errors.js';
import { silentLogger, type Logger } from '../platform/logger.js';
import type { IdentityStore, TokenRow, UserRow } from './IdentityStore.js';
import { LoginThrottle } from './LoginThrottle.js';
import type { ClaimMapping, OidcIdentity, OidcSignIn } from './Oidc.js';
import { ANONYMOUS_ADMIN, type Principal, type Role } from './Roles.js';
import {
  DUMMY_PASSWORD_HASH,
  hashPassword,
  newPassword,
  newSecret,
  secretHash,
  verifyPassword,
} from './Secrets.js';

export type AuthMode = 'local' | 'none';

/** What a request presented: a bearer token and/or the session cookie's value. */
export interface Credentials {
  readonly bearer?: string | null;
  readonly session?: string | null;
}

export interface AccessControlOptions {
  readonly mode: AuthMode;
  /** Null only with mode none. */
  readonly store: IdentityStore | null;
  /** How long a session lasts after sign-in. */
  readonly sessionTtlMs: number;
  readonly logger?: Logger;
  readonly now?: () => number;
  /** Signing in with a password (auth.mode local and local+oidc); default true. */
  readonly passwordSignIn?: boolean;
  /** Single sign-on (auth.mode oidc and local+oidc). */
  readonly oidc?: OidcSignIn | null;
}

/** A new session: its id (for the cookie; only its hash is stored), its end, and who holds it. */
export interface SignedIn {
  readonly session: string;
  readonly expiresAt: number;
  readonly principal: Principal;
}

export interface NewUser {
  readonly username: string;
  readonly role: Role;
  /** Absent: the user cannot sign in with a password (until one is set). */
  readonly password?: string;
  readonly agentPatterns?: readonly string[];
}

export interface UserView {
  readonly username: string;
  readonly role: Role;
  readonly agentPatterns: readonly string[];
  readonly disabled: boolean;
  readonly createdAt: string;
  /** Signs in with single sign-on (no password). */
  readonly external: boolean;
}

export interface TokenView {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revoked: boolean;
}

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
const MIN_PASSWORD = 12;

function userView(user: UserRow): UserView {
  return {
    username: user.username,
    role: user.role,
    agentPatterns: user.agentPatterns,
    disabled: user.disabledAt !== null,
    createdAt: new Date(user.createdAt).toISOString(),
    external: user.external !== null,
  };
}

function tokenView(token: TokenRow): TokenView {
  return {
    id: token.tokenId,
    name: token.name,
    role: token.role,
    createdBy: token.createdBy,
    createdAt: new Date(token.createdAt).toISOString(),
    expiresAt: token.expiresAt === null ? null : new Date(token.expiresAt).toISOString(),
    revoked: token.revokedAt !== null,
  };
}

function badRequest(path: string, message: string): CallsightError {
  return new CallsightError('CS_ERR_BAD_REQUEST', `${path}: ${message}`);
}

/** Agent patterns are regular expressions (as voiceConnector.agentAorPattern): refused when they do not compile. */
function checkPatterns(role: Role, patterns: readonly string[]): void {
  if (role === 'agent' && patterns.length === 0)
    throw badRequest('agentPatterns', 'an agent needs at least one AOR or number pattern');
  for (const pattern of patterns) {
    try {
      new RegExp(pattern, 'i');
    } catch {
      throw badRequest('agentPatterns', `not a regular expression: ${pattern}`);
    }
  }
}

/**
 * Users, API tokens and sessions: who a request is (authenticate), signing in and out, and the
 * administration of users and tokens (REST and CLI alike). With `auth.mode: none` every request is
 * an anonymous admin. Listeners of onRevoke hear when a credential stops being valid here (token
 * revoked, user disabled, session ended) so live WebSockets are re-checked at once; other gateways
 * find out on their periodic re-check.
 */
export class AccessControl {
  readonly mode: AuthMode;
  readonly passwordSignIn: boolean;
  readonly oidc: OidcSignIn | null;
  readonly #store: IdentityStore | null;
  readonly #sessionTtlMs: number;
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #throttle: LoginThrottle;
  readonly #revokeListeners = new Set<() => void>();

  constructor(options: AccessControlOptions) {
    if (options.mode === 'local' && !options.store) throw new Error('auth.mode local needs a store');
    this.mode = options.mode;
    this.passwordSignIn = options.mode === 'local' && options.passwordSignIn !== false;
    this.oidc = options.mode === 'local' ? (options.oidc ?? null) : null;
    this.#store = options.store;
    this.#sessionTtlMs = options.sessionTtlMs;
    this.#logger = (options.logger ?? silentLogger).child({ component: 'access' });
    this.#now = options.now ?? Date.now;
    this.#throttle = new LoginThrottle(this.#now);
  }

  /** No authentication at all: every request is an admin (tests that build a gateway, auth.mode none). */
  static none(): AccessControl {
    return new AccessControl({ mode: 'none', store: null, sessionTtlMs: 0 });
  }

  get #db(): IdentityStore {
    if (!this.#store)
      throw new CallsightError('CS_ERR_BAD_REQUEST', 'authentication is off (auth.mode none)');
    return this.#store;
  }

  /**
   * Start-up: with no users yet, creates `admin` with a random password and returns it (to print
   * once); with a bootstrap token, makes sure an unexpiring admin token of that value exists.
   */
  async bootstrap(bootstrapToken?: string): Promise<{ adminPassword?: string }> {
    if (this.mode === 'none') return {};
    const db = this.#db;
    if (bootstrapToken !== undefined && bootstrapToken !== '') {
      if (bootstrapToken.length < 16)
        throw new CallsightError(
          'CS_ERR_CONFIG_INVALID',
          'CALLSIGHT_AUTH_BOOTSTRAP_TOKEN must be at least 16 characters',
        );
      const hash = secretHash(bootstrapToken);
      if (await db.tokenByHash(hash)) await db.reviveToken(hash, 'admin');
      else
        await db
          .addToken(
            {
              tokenId: randomUUID(),
              name: 'bootstrap',
              role: 'admin',
              createdBy: 'CALLSIGHT_AUTH_BOOTSTRAP_TOKEN',
              createdAt: this.#now(),
              expiresAt: null,
            },
            hash,
          )
          .catch(async (err: unknown) => {
            // Processes starting together race to add it: the one that lost finds it there.
            if (!(await db.tokenByHash(hash))) throw err;
          });
    }
    // Single sign-on only: admins come from the provider's claims, a password would open nothing.
    if (!this.passwordSignIn || (await db.countUsers()) > 0) return {};
    const adminPassword = newPassword();
    try {
      await this.addUser({ username: 'admin', role: 'admin', password: adminPassword });
    } catch (err) {
      // Another process starting at the same moment created it first, and printed its password.
      if (err instanceof CallsightError && err.code === 'CS_ERR_USER_EXISTS') return {};
      throw err;
    }
    this.#logger.warn('created the first user, admin, with a random password (printed once in the banner)');
    return { adminPassword };
  }

  /** Who presented these credentials; null when they are missing, unknown, expired, revoked or disabled. */
  async authenticate(credentials: Credentials): Promise<Principal | null> {
    if (this.mode === 'none') return ANONYMOUS_ADMIN;
    const db = this.#db;
    const now = this.#now();
    if (credentials.bearer) {
      const token = await db.tokenByHash(secretHash(credentials.bearer));
      if (!token || token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now))
        return null;
      return {
        kind: 'token',
        id: token.tokenId,
        name: `token:${token.name}`,
        role: token.role,
        agentPatterns: [],
      };
    }
    if (credentials.session) {
      const session = await db.session(secretHash(credentials.session));
      if (!session || session.endedAt !== null || session.expiresAt <= now) return null;
      const user = await db.userById(session.userId);
      if (!user || user.disabledAt !== null) return null;
      return {
        kind: 'user',
        id: user.userId,
        name: user.username,
        role: user.role,
        agentPatterns: user.agentPatterns,
      };
    }
    return null;
  }

  /** Milliseconds before another sign-in may be tried from this address for this name. */
  loginWaitMs(username: string, address: string): number {
    return this.#throttle.waitMs([`user:${username}`, `ip:${address}`]);
  }

  /**
   * A password sign-in: a new session (its id goes in the cookie; only its hash is stored), or null
   * for a wrong name or password or a disabled user (one answer for all, as slow as a real check).
   */
  async login(username: string, password: string, address: string): Promise<SignedIn | null> {
    const db = this.#db;
    const user = USERNAME.test(username) ? await db.userByName(username) : undefined;
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok || user.passwordHash === null || user.disabledAt !== null) {
      this.#throttle.failed([`user:${username}`, `ip:${address}`]);
      return null;
    }
    this.#throttle.succeeded(`user:${username}`);
    return this.#startSession(user);
  }

  /**
   * A single sign-on: the user tied to this issuer and subject, created at their first sign-in
   * (named after their claims, with a suffix when a user of that name exists already: a provider's
   * user never takes over a local one) and given the role and agent identities their claims map to
   * at every sign-in; then a session as a password sign-in gives. Refused (null, with why) when the
   * claims map to no role or the user is disabled; the user's sessions then end.
   */
  async signInExternal(
    identity: OidcIdentity,
    mapping: ClaimMapping,
  ): Promise<{ signedIn: SignedIn; username: string } | { refused: string; username: string }> {
    const db = this.#db;
    const existing = await db.userByExternal(identity.issuer, identity.subject);
    if (!mapping.ok || (existing && existing.disabledAt !== null)) {
      if (existing) {
        await db.endSessionsOf(existing.userId, this.#now());
        this.#revoked();
      }
      return {
        refused: mapping.ok
          ? 'this Callsight user is disabled. Ask a Callsight administrator.'
          : mapping.reason,
        username: existing?.username ?? mapping.username,
      };
    }
    checkPatterns(mapping.role, mapping.agentPatterns);
    if (existing) {
      const user = await this.updateUser(existing.username, {
        role: mapping.role,
        agentPatterns: mapping.agentPatterns,
      });
      return {
        signedIn: await this.#startSession((await db.userByName(user.username))!),
        username: user.username,
      };
    }
    const external = { issuer: identity.issuer, subject: identity.subject };
    const suffix = secretHash(`${identity.issuer} ${identity.subject}`).slice(0, 8);
    for (const username of [mapping.username, `${mapping.username.slice(0, 55)}-${suffix}`]) {
      const row = {
        userId: randomUUID(),
        username,
        passwordHash: null,
        role: mapping.role,
        agentPatterns: mapping.agentPatterns,
        createdAt: this.#now(),
        external,
      };
      if (await db.addUser(row)) {
        this.#logger.info({ role: row.role }, 'created a single sign-on user at their first sign-in');
        return { signedIn: await this.#startSession({ ...row, disabledAt: null }), username };
      }
      // Another gateway created this very user a moment ago: sign in as it.
      const raced = await db.userByExternal(identity.issuer, identity.subject);
      if (raced) return { signedIn: await this.#startSession(raced), username: raced.username };
    }
    throw new CallsightError('CS_ERR_USER_EXISTS', `no free user name for ${mapping.username}`);
  }

  async #startSession(user: UserRow): Promise<SignedIn> {
    const db = this.#db;
    const session = newSecret();
    const now = this.#now();
    const expiresAt = now + this.#sessionTtlMs;
    await db.addSession(secretHash(session), { userId: user.userId, createdAt: now, expiresAt });
    // Expired sessions go now and then, so the table stays the size of the active ones.
    if (Math.random() < 0.05) await db.pruneSessions(now - 24 * 3_600_000);
    return {
      session,
      expiresAt,
      principal: {
        kind: 'user',
        id: user.userId,
        name: user.username,
        role: user.role,
        agentPatterns: user.agentPatterns,
      },
    };
  }

  async logout(session: string): Promise<void> {
    await this.#db.endSession(secretHash(session), this.#now());
    this.#revoked();
  }

  onRevoke(listener: () => void): () => void {
    this.#revokeListeners.add(listener);
    return () => this.#revokeListeners.delete(listener);
  }

  #revoked(): void {
    for (const listener of this.#revokeListeners) listener();
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.#db.users()).map(userView);
  }

  async addUser(user: NewUser): Promise<UserView> {
    if (!USERNAME.test(user.username))
      throw badRequest('username', 'must be 1–64 letters, digits, or . _ @ -');
    if (user.password !== undefined && user.password.length < MIN_PASSWORD)
      throw badRequest('password', `must be at least ${MIN_PASSWORD} characters`);
    const agentPatterns = user.agentPatterns ?? [];
    checkPatterns(user.role, agentPatterns);
    const row = {
      userId: randomUUID(),
      username: user.username,
      passwordHash: user.password === undefined ? null : await hashPassword(user.password),
      role: user.role,
      agentPatterns,
      createdAt: this.#now(),
      external: null,
    };
    if (!(await this.#db.addUser(row)))
      throw new CallsightError('CS_ERR_USER_EXISTS', `a user named ${user.username} already exists`);
    return userView({ ...row, disabledAt: null });
  }

  async #user(username: string): Promise<UserRow> {
    const user = await this.#db.userByName(username);
    if (!user) throw new CallsightError('CS_ERR_NOT_FOUND', `no user named ${username}`);
    return user;
  }

  /** Sets a new password and ends the user's sessions. */
  async setPassword(username: string, password: string): Promise<void> {
    if (password.length < MIN_PASSWORD)
      throw badRequest('password', `must be at least ${MIN_PASSWORD} characters`);
    const user = await this.#user(username);
    if (user.external)
      throw badRequest('password', `${username} signs in with single sign-on and has no password`);
    await this.#db.updateUser(username, { passwordHash: await hashPassword(password) });
    await this.#db.endSessionsOf(user.userId, this.#now());
    this.#revoked();
  }

  /** Role and agent identities; ends the user's sessions when the role changes. */
  async updateUser(
    username: string,
    change: { role?: Role; agentPatterns?: readonly string[] },
  ): Promise<UserView> {
    const user = await this.#user(username);
    checkPatterns(change.role ?? user.role, change.agentPatterns ?? user.agentPatterns);
    await this.#db.updateUser(username, change);
    if (change.role !== undefined && change.role !== user.role) await this.endSessions(username);
    return userView((await this.#db.userByName(username))!);
  }

  /** A disabled user cannot sign in; their sessions end now. */
  async setDisabled(username: string, disabled: boolean): Promise<void> {
    const user = await this.#user(username);
    await this.#db.updateUser(username, { disabledAt: disabled ? this.#now() : null });
    if (disabled) {
      await this.#db.endSessionsOf(user.userId, this.#now());
      this.#revoked();
    }
  }

  /** Ends every session of the user (an admin signing someone out); resolves with how many were open. */
  async endSessions(username: string): Promise<number> {
    const user = await this.#user(username);
    const ended = await this.#db.endSessionsOf(user.userId, this.#now());
    this.#revoked();
    return ended;
  }

  async listTokens(): Promise<TokenView[]> {
    return (await this.#db.tokens()).map(tokenView);
  }

  /** A new API token: the secret is returned once, only its hash is kept. */
  async createToken(options: {
    name: string;
    role: Role;
    expiresInDays: number | null;
    createdBy: string;
  }): Promise<{ token: string; info: TokenView }> {
    if (!/^[\w .@-]{1,64}$/.test(options.name))
      throw badRequest('name', 'must be 1–64 letters, digits, spaces or . _ @ -');
    if (options.role === 'agent') throw badRequest('role', 'API tokens are for admin, supervisor or viewer');
    const token = newSecret('cs_');
    const now = this.#now();
    const row = {
      tokenId: randomUUID(),
      name: options.name,
      role: options.role,
      createdBy: options.createdBy,
      createdAt: now,
      expiresAt: options.expiresInDays === null ? null : now + options.expiresInDays * 86_400_000,
    };
    await this.#db.addToken(row, secretHash(token));
    return { token, info: tokenView({ ...row, revokedAt: null }) };
  }

  async revokeToken(tokenId: string): Promise<void> {
    if (!(await this.#db.revokeToken(tokenId, this.#now())))
      throw new CallsightError('CS_ERR_NOT_FOUND', `no unrevoked token ${tokenId}`);
    this.#revoked();
  }
}
