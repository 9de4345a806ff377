import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config/Config.js';
import { SqliteConnectionRegistry } from '../gateway/SqliteConnectionRegistry.js';
import type { ConnectionRegistry } from '../gateway/ConnectionRegistryTypes.js';
import { PostgresConnectionRegistry } from '../gateway/PostgresConnectionRegistry.js';
import type { Logger } from '../platform/logger.js';
import { ResourceStack } from '../platform/ResourceStack.js';
import { connectNats, type NatsConnection } from '../platform/nats/NatsConnection.js';
import { SqliteConfigurationStore } from '../configurations/SqliteConfigurationStore.js';
import type { ConfigurationStore } from '../configurations/ConfigurationStoreTypes.js';
import { PostgresConfigurationStore } from '../configurations/PostgresConfigurationStore.js';
import type { VocabularyStore } from '../configurations/Vocabulary.js';
import { PostgresVocabularyStore, SqliteVocabularyStore } from '../configurations/VocabularyStores.js';
import type { VocabularyFilterStore } from '../configurations/VocabularyFilter.js';
import {
  PostgresVocabularyFilterStore,
  SqliteVocabularyFilterStore,
} from '../configurations/VocabularyFilterStores.js';
import type { PostCallStore } from '../pipeline/records/PostCall.js';
import { PostgresPostCallStore } from '../calls/PostgresPostCallStore.js';
import { SqlitePostCallStore } from '../calls/SqlitePostCallStore.js';
import { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import { unreachable } from './startChecks.js';
import { JetStreamDataStream } from '../stream/JetStreamDataStream.js';
import { SqliteDataStream } from '../stream/SqliteDataStream.js';
import type { DataStream, StreamRetention } from '../stream/StreamTypes.js';

/** The storage and messaging a Callsight process runs on, chosen by `stream.backend` and `database.backend`. */
export interface Backends {
  /** Null when not asked for (BackendPart), as are the three below. */
  readonly stream: DataStream | null;
  readonly registry: ConnectionRegistry | null;
  readonly configurations: ConfigurationStore | null;
  /** Custom vocabularies, opened with the configurations (their part). */
  readonly vocabularies: VocabularyStore | null;
  /** Vocabulary filters, likewise. */
  readonly vocabularyFilters: VocabularyFilterStore | null;
  readonly postCall: PostCallStore | null;
  /** The process's one NATS connection (stream.backend jetstream), for whatever else speaks NATS. */
  readonly nats: NatsConnection | null;
  /** The process's one PostgreSQL pool (database.backend postgres), e.g. for a PostgresCallDirectory. */
  readonly database: PostgresDatabase | null;
  /** Closes the stream and the stores, then the connections. */
  close(): Promise<void>;
}

/**
 * What a process opens: everything in one process; a role process only what its roles use (a `sip`
 * process has no data stream and no stores, only a worker-less gateway the connection registry…).
 */
export type BackendPart = 'stream' | 'registry' | 'configurations' | 'postCall';

export const ALL_BACKEND_PARTS: readonly BackendPart[] = ['stream', 'registry', 'configurations', 'postCall'];

/** A part the caller asked openBackends for. */
export function opened<T>(part: T | null, name: string): T {
  if (part === null) throw new Error(`backend part ${name} was not opened`);
  return part;
}

/** stream.retentionHours and stream.maxRecords, for either stream (0 means no limit). */
export function streamRetention(config: Config): StreamRetention {
  return {
    ...(config.stream.retentionHours > 0 ? { maxAgeMs: config.stream.retentionHours * 3_600_000 } : {}),
    ...(config.stream.maxRecords > 0 ? { maxRecords: config.stream.maxRecords } : {}),
  };
}

/**
 * Opens the backends the configuration names. The defaults are the embedded ones, exactly as a single
 * process has always used them: `<dataDir>/stream.db` for the stream, `<dataDir>/callsight.db` for the
 * rest. Closed in reverse order of opening, the stream first and the connections last; if one fails
 * to open, those already open are closed again.
 */
export async function openBackends(
  config: Config,
  dataDir: string,
  logger: Logger,
  parts: readonly BackendPart[] = ALL_BACKEND_PARTS,
): Promise<Backends> {
  const needs = new Set(parts);
  // A role process needs NATS and PostgreSQL for coordination even when it opens no store.
  const connectionsOnly = config.role !== 'all';
  const origin = { region: config.voiceConnector.region, account: config.voiceConnector.account };
  const file = join(dataDir, 'callsight.db');
  const stack = new ResourceStack(logger);
  return stack.open(async () => {
    const nats =
      config.stream.backend === 'jetstream'
        ? stack.adopt(
            'nats',
            await connectNats({
              url: config.nats.url,
              name: `callsight ${config.role} ${hostname()}`,
              logger,
            }).catch((err: unknown) => {
              throw unreachable(err, 'CS_ERR_STREAM_UNAVAILABLE', 'nats.url');
            }),
            (c) => c.drain().catch(() => c.close()),
          )
        : null;
    const database =
      config.database.backend === 'postgres' && (connectionsOnly || needs.size > 0)
        ? stack.use(
            'database',
            await PostgresDatabase.open({
              url: config.database.url,
              poolSize: config.database.poolSize,
              logger: logger.child({ stage: 'database' }),
            }).catch((err: unknown) => {
              throw unreachable(err, 'CS_ERR_DATABASE_UNAVAILABLE', 'database.url');
            }),
          )
        : null;
    const postCall = needs.has('postCall')
      ? stack.use(
          'post-call store',
          database ? new PostgresPostCallStore(database) : new SqlitePostCallStore(file),
        )
      : null;
    const configurations = needs.has('configurations')
      ? stack.use(
          'configurations',
          database
            ? PostgresConfigurationStore.open({
                database,
                ...origin,
                logger: logger.child({ stage: 'configurations' }),
              })
            : SqliteConfigurationStore.open({
                path: file,
                ...origin,
                logger: logger.child({ stage: 'configurations' }),
              }),
        )
      : null;
    const vocabularies = needs.has('configurations')
      ? stack.use(
          'vocabularies',
          database
            ? new PostgresVocabularyStore({ database, logger: logger.child({ stage: 'configurations' }) })
            : new SqliteVocabularyStore({ path: file, logger: logger.child({ stage: 'configurations' }) }),
        )
      : null;
    const vocabularyFilters = needs.has('configurations')
      ? stack.use(
          'vocabulary filters',
          database
            ? new PostgresVocabularyFilterStore({
                database,
                logger: logger.child({ stage: 'configurations' }),
              })
            : new SqliteVocabularyFilterStore({
                path: file,
                logger: logger.child({ stage: 'configurations' }),
              }),
        )
      : null;
    const registry = needs.has('registry')
      ? stack.use(
          'connection registry',
          database
            ? await PostgresConnectionRegistry.open({
                database,
                // Stable across restarts of this gateway, so a restart ends the connections it held.
                ...(config.http.port !== 0 ? { owner: `${hostname()}:${config.http.port}` } : {}),
                logger: logger.child({ stage: 'registry' }),
              })
            : SqliteConnectionRegistry.open({ path: file, logger: logger.child({ stage: 'registry' }) }),
        )
      : null;
    const stream = needs.has('stream')
      ? stack.use(
          'data stream',
          nats
            ? await JetStreamDataStream.open({
                connection: nats,
                streamName: config.nats.streamName,
                subjectPrefix: config.nats.subjectPrefix,
                replicas: config.nats.replicas,
                retention: streamRetention(config),
                logger: logger.child({ stage: 'stream' }),
              })
            : SqliteDataStream.open({
                path: join(dataDir, 'stream.db'),
                retention: streamRetention(config),
                maxHeldRecords: config.stream.maxHeldRecords,
                logger: logger.child({ stage: 'stream' }),
              }),
        )
      : null;
    return {
      stream,
      registry,
      configurations,
      vocabularies,
      vocabularyFilters,
      postCall,
      nats,
      database,
      close: () => stack.closeAll(),
    };
  });
}
