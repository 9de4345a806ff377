import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config/Config.js';
import { SqliteConnectionRegistry } from '../gateway/ConnectionRegistry.js';
import type { ConnectionRegistry } from '../gateway/ConnectionRegistryTypes.js';
import { PostgresConnectionRegistry } from '../gateway/PostgresConnectionRegistry.js';
import type { Logger } from '../log/logger.js';
import { connectNats, type NatsConnection } from '../nats/NatsConnection.js';
import { SqliteConfigurationStore } from '../pipeline/config/ConfigurationStore.js';
import type { ConfigurationStore } from '../pipeline/config/ConfigurationStoreTypes.js';
import { PostgresConfigurationStore } from '../pipeline/config/PostgresConfigurationStore.js';
import type { PostCallStore } from '../pipeline/records/PostCall.js';
import { PostgresPostCallStore } from '../pipeline/store/PostgresPostCallStore.js';
import { SqlitePostCallStore } from '../pipeline/store/SqlitePostCallStore.js';
import { PostgresDatabase } from '../store/postgres/PostgresDatabase.js';
import { JetStreamDataStream } from '../stream/JetStreamDataStream.js';
import { SqliteDataStream } from '../stream/SqliteDataStream.js';
import type { DataStream, StreamRetention } from '../stream/StreamTypes.js';

/** The storage and messaging a Callsight process runs on, chosen by `stream.backend` and `database.backend`. */
export interface Backends {
  readonly stream: DataStream;
  readonly registry: ConnectionRegistry;
  readonly configurations: ConfigurationStore;
  readonly postCall: PostCallStore;
  /** The process's one NATS connection (stream.backend jetstream), for whatever else speaks NATS. */
  readonly nats: NatsConnection | null;
  /** The process's one PostgreSQL pool (database.backend postgres), e.g. for a PostgresCallDirectory. */
  readonly database: PostgresDatabase | null;
  /** Closes the stream and the stores, then the connections. */
  close(): Promise<void>;
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
 * rest. If one fails to open, those already open are closed again.
 */
export async function openBackends(config: Config, dataDir: string, logger: Logger): Promise<Backends> {
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    let nats: NatsConnection | null = null;
    let stream: DataStream;
    if (config.stream.backend === 'jetstream') {
      const connection = await connectNats({ url: config.nats.url, name: `callsight ${hostname()}`, logger });
      nats = connection;
      closers.push(() => connection.drain().catch(() => connection.close()));
      stream = await JetStreamDataStream.open({
        connection,
        streamName: config.nats.streamName,
        subjectPrefix: config.nats.subjectPrefix,
        replicas: config.nats.replicas,
        retention: streamRetention(config),
        logger: logger.child({ stage: 'stream' }),
      });
    } else {
      stream = SqliteDataStream.open({
        path: join(dataDir, 'stream.db'),
        retention: streamRetention(config),
        logger: logger.child({ stage: 'stream' }),
      });
    }
    closers.push(() => stream.close());

    const origin = { region: config.voiceConnector.region, account: config.voiceConnector.account };
    let database: PostgresDatabase | null = null;
    let registry: ConnectionRegistry;
    let configurations: ConfigurationStore;
    let postCall: PostCallStore;
    if (config.database.backend === 'postgres') {
      const db = await PostgresDatabase.open({
        url: config.database.url,
        poolSize: config.database.poolSize,
        logger: logger.child({ stage: 'database' }),
      });
      database = db;
      closers.push(() => db.close());
      registry = await PostgresConnectionRegistry.open({
        database: db,
        // Stable across restarts of this gateway, so a restart ends the connections it held.
        ...(config.http.port !== 0 ? { owner: `${hostname()}:${config.http.port}` } : {}),
        logger: logger.child({ stage: 'registry' }),
      });
      configurations = PostgresConfigurationStore.open({
        database: db,
        ...origin,
        logger: logger.child({ stage: 'configurations' }),
      });
      postCall = new PostgresPostCallStore(db);
    } else {
      const file = join(dataDir, 'callsight.db');
      registry = SqliteConnectionRegistry.open({ path: file, logger: logger.child({ stage: 'registry' }) });
      closers.push(() => registry.close());
      configurations = SqliteConfigurationStore.open({
        path: file,
        ...origin,
        logger: logger.child({ stage: 'configurations' }),
      });
      closers.push(() => configurations.close());
      postCall = new SqlitePostCallStore(file);
    }
    let closing: Promise<void> | null = null;
    return {
      stream,
      registry,
      configurations,
      postCall,
      nats,
      database,
      close: () =>
        (closing ??= (async () => {
          await stream.close();
          await registry.close();
          await configurations.close();
          await postCall.close();
          await database?.close();
          await nats?.drain().catch(() => nats?.close());
        })()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
