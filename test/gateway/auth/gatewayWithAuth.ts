import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessControl } from '../../../src/access/AccessControl.js';
import { IdentityStore } from '../../../src/access/IdentityStore.js';
import type { OidcSignIn } from '../../../src/access/Oidc.js';
import type { Role } from '../../../src/access/Roles.js';
import { loadConfig } from '../../../src/app/config/Config.js';
import { registerGatewayRoutes } from '../../../src/app/roles/GatewayRole.js';
import { CallErasure } from '../../../src/calls/CallErasure.js';
import { SqliteVocabularyStore } from '../../../src/configurations/VocabularyStores.js';
import { SqliteVocabularyFilterStore } from '../../../src/configurations/VocabularyFilterStores.js';
import { SqlitePostCallStore } from '../../../src/calls/SqlitePostCallStore.js';
import { SqliteConfigurationStore } from '../../../src/configurations/SqliteConfigurationStore.js';
import { HttpServer, type HttpServerOptions } from '../../../src/gateway/HttpServer.js';
import { CallsightError } from '../../../src/platform/errors.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { RecordingStore } from '../../../src/recording/RecordingStore.js';
import { SqliteDataStream } from '../../../src/stream/SqliteDataStream.js';

export const PASSWORD = 'a-long-test-password';
export const ADMIN_TOKEN = 'cs_route-matrix-admin-token';

/** A user per role, signed in: their session cookies. */
export type Sessions = Record<Role, string>;

export interface AuthGateway {
  readonly server: HttpServer;
  readonly base: string;
  readonly access: AccessControl;
  readonly stream: SqliteDataStream;
  readonly sessions: Sessions;
  close(): Promise<void>;
}

/**
 * The gateway's HTTP server with every route App registers (over empty stores: no call is active,
 * no pipeline runs), auth.mode local, and one signed-in user per role. The agent is `+1555000x`.
 */
export async function startAuthGateway(
  options: Partial<Pick<HttpServerOptions, 'host' | 'hostPolicy' | 'recheckMs' | 'webRoot'>> & {
    /** Single sign-on besides passwords (auth.mode local+oidc). */
    oidc?: OidcSignIn;
    /** Erasure removes the call's stream records (otherwise it keeps nothing: 404). */
    eraseRecords?: boolean;
  } = {},
): Promise<AuthGateway> {
  const { oidc, eraseRecords = false, ...serverOptions } = options;
  const dir = mkdtempSync(join(tmpdir(), 'callsight-auth-'));
  const file = join(dir, 'callsight.db');
  const store = IdentityStore.openSqlite(file);
  const access = new AccessControl({ mode: 'local', store, sessionTtlMs: 3_600_000, oidc: oidc ?? null });
  await access.bootstrap(ADMIN_TOKEN);
  const stream = SqliteDataStream.open({ path: join(dir, 'stream.db') });
  const postCall = new SqlitePostCallStore(file);
  const configurations = SqliteConfigurationStore.open({
    path: file,
    region: 'us-east-1',
    account: '000000000000',
  });
  const recordings = await RecordingStore.open({
    dir: join(dir, 'recordings'),
    retentionDays: 0,
    s3: null,
    logger: silentLogger,
  });
  const notFound = () => Promise.reject(new CallsightError('CS_ERR_NOT_FOUND', 'no such pipeline'));
  const server = await HttpServer.start({
    ...serverOptions,
    stream,
    access,
    routes: (app) =>
      registerGatewayRoutes(app, {
        config: loadConfig(),
        logger: silentLogger,
        stream,
        calls: { active: () => Promise.resolve([]) },
        routes: { routes: () => Promise.resolve([]) },
        pipelines: {
          findStream: () => Promise.resolve(undefined),
          create: notFound,
          list: () => Promise.resolve([]),
          get: notFound,
          setStatus: notFound,
          stop: notFound,
          voiceTone: notFound,
        },
        postCall,
        configurations,
        vocabularies: new SqliteVocabularyStore({ path: file }),
        vocabularyFilters: new SqliteVocabularyFilterStore({ path: file }),
        recordings,
        erasure: new CallErasure({
          parts: eraseRecords ? { records: stream } : {},
          inProgress: () => Promise.resolve(false),
          audit: () => Promise.resolve(),
          origin: { account: '000000000000', region: 'us-east-1' },
          logger: silentLogger,
        }),
      }),
  });
  server.setReady(true);
  const base = `http://127.0.0.1:${server.port}`;
  const sessions = {} as Record<Role, string>;
  for (const role of ['admin', 'supervisor', 'viewer', 'agent'] as const) {
    const username = `${role}-user`;
    await access.addUser({
      username,
      role,
      password: PASSWORD,
      ...(role === 'agent' ? { agentPatterns: ['^\\+1555000\\d$'] } : {}),
    });
    const signedIn = await access.login(username, PASSWORD, '127.0.0.1');
    sessions[role] = signedIn!.session;
  }
  return {
    server,
    base,
    access,
    stream,
    sessions,
    async close() {
      await server.close();
      await stream.close();
      await recordings.close();
      await configurations.close();
      await postCall.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function cookie(session: string): Record<string, string> {
  return { cookie: `callsight_session=${session}` };
}
