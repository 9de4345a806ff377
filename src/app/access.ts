import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AccessControl } from '../access/AccessControl.js';
import { CALLBACK_PATH, OidcSignIn, parseRoleMap, type OidcSettings } from '../access/Oidc.js';
import { CallsightError, errorMessage } from '../platform/errors.js';
import { IdentityStore } from '../access/IdentityStore.js';
import type { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import type { Logger } from '../platform/logger.js';
import type { Config } from './config/Config.js';

/** The identity store the configuration names: PostgreSQL when configured, else `<dataDir>/callsight.db`. */
export function openIdentityStore(
  dataDir: string,
  database: PostgresDatabase | null,
  logger: Logger,
): IdentityStore {
  return database
    ? IdentityStore.onPostgres(database)
    : IdentityStore.openSqlite(join(dataDir, 'callsight.db'), logger);
}

/** auth.oidc.* as the relying party takes them, the client secret read from its file when given there. */
export function oidcSettings(config: Config): OidcSettings {
  const oidc = config.auth.oidc;
  let clientSecret = oidc.clientSecret;
  if (oidc.clientSecretFile !== '')
    try {
      clientSecret = readFileSync(oidc.clientSecretFile, 'utf8').trim();
    } catch (cause) {
      throw new CallsightError(
        'CS_ERR_CONFIG_INVALID',
        `auth.oidc.clientSecretFile: cannot read ${oidc.clientSecretFile}: ${errorMessage(cause)}`,
      );
    }
  const publicUrl = config.http.publicUrl.replace(/\/+$/, '');
  return {
    ...oidc,
    clientSecret,
    redirectUrl: oidc.redirectUrl || (publicUrl && `${publicUrl}${CALLBACK_PATH}`),
    roleMap: parseRoleMap(oidc.roleMap),
  };
}

/**
 * A gateway's access control (auth.mode): with `none`, a warning and every door open; otherwise
 * the identity store, single sign-on with `oidc` and `local+oidc`, the first admin created when there is no user (its password returned, for the
 * banner) and the bootstrap token ensured.
 */
export async function openAccess(
  config: Config,
  dataDir: string,
  database: PostgresDatabase | null,
  logger: Logger,
): Promise<{ access: AccessControl; adminPassword: string | undefined; close: () => Promise<void> }> {
  if (config.auth.mode === 'none') {
    logger.warn(
      'auth.mode is none: no authentication — anyone who reaches the HTTP port reads every call and changes everything',
    );
    return { access: AccessControl.none(), adminPassword: undefined, close: () => Promise.resolve() };
  }
  const store = openIdentityStore(dataDir, database, logger.child({ stage: 'access' }));
  try {
    const access = new AccessControl({
      mode: 'local',
      store,
      sessionTtlMs: config.auth.sessionHours * 3_600_000,
      logger,
      passwordSignIn: config.auth.mode !== 'oidc',
      oidc: config.auth.mode === 'local' ? null : new OidcSignIn(oidcSettings(config)),
    });
    const { adminPassword } = await access.bootstrap(config.auth.bootstrapToken || undefined);
    return { access, adminPassword, close: () => store.close() };
  } catch (err) {
    await store.close();
    throw err;
  }
}
