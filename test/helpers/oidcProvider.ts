import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { parseRoleMap, type OidcSettings } from '../../src/access/Oidc.js';

const OIDC_CLIENT_ID = 'callsight-test';
const OIDC_CLIENT_SECRET = 'a-test-client-secret-of-some-length';
/** The scope that releases the claims below besides the standard ones. */
const OIDC_SCOPES = 'openid profile callsight';

/** A test account's claims (besides `sub`, its name at the login form). */
export interface TestAccount {
  readonly preferred_username?: string;
  readonly groups?: readonly string[];
  readonly callsight_agent?: readonly string[];
}

export interface TestOidcProvider {
  readonly issuer: string;
  /** Callsight's settings for this provider's test client, mapping `groups` values by `roleMap`. */
  settings(roleMap: string): OidcSettings;
  /** Registers the relying party (Callsight's redirect URL is known once it listens). */
  start(redirectUrl: string): void;
  close(): Promise<void>;
}

/**
 * A real OpenID provider (the certified `oidc-provider` library) on a loopback port, with one
 * confidential client that must use PKCE, and the given accounts: anyone may sign in on its
 * development login page with an account's name (the sub) and any password. Consent is taken as
 * given (the client is first-party), so the login page is the only page.
 */
export async function startOidcProvider(
  accounts: Readonly<Record<string, TestAccount>>,
  host = '127.0.0.1',
): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | null = null;
  const server = createServer((req, res) => {
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    settings: (roleMap) => ({
      issuer,
      clientId: OIDC_CLIENT_ID,
      clientSecret: OIDC_CLIENT_SECRET,
      redirectUrl: '',
      scopes: OIDC_SCOPES,
      usernameClaim: 'preferred_username',
      roleClaim: 'groups',
      roleMap: parseRoleMap(roleMap),
      agentClaim: 'callsight_agent',
    }),
    start(redirectUrl) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: OIDC_CLIENT_ID,
            client_secret: OIDC_CLIENT_SECRET,
            redirect_uris: [redirectUrl],
            grant_types: ['authorization_code'],
            response_types: ['code'],
            token_endpoint_auth_method: 'client_secret_post',
          },
        ],
        pkce: { required: () => true },
        claims: {
          openid: ['sub'],
          profile: ['preferred_username'],
          callsight: ['groups', 'callsight_agent'],
        },
        scopes: ['openid', 'profile', 'callsight'],
        cookies: { keys: ['test-cookie-key-for-the-provider'] },
        features: { devInteractions: { enabled: true } },
        findAccount: (_ctx, sub) => {
          const account = accounts[sub];
          return account && { accountId: sub, claims: () => ({ sub, ...account }) };
        },
        loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
          const accountId = ctx.oidc.session?.accountId;
          if (!accountId) return undefined;
          const grant = new ctx.oidc.provider.Grant({ clientId: OIDC_CLIENT_ID, accountId });
          grant.addOIDCScope(OIDC_SCOPES);
          await grant.save();
          return grant;
        },
      });
      const callback = provider.callback();
      handler = (req, res) => void callback(req, res);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
