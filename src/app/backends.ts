import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from './config/Config.js';
import { SqliteConnectionRegistry } from '../gateway/SqliteConnectionRegistry.js';
import type { ConnectionRegistry } from '../gateway/ConnectionRegistryTypes.js';
import { PostgresConnectionRegistry } from '../gateway/PostgresConnectionRegistry.js';
import type { Logger } from '../platform/logger.js';
import { connectNats, type NatsConnection } from '../platform/nats/NatsConnection.js';
import { SqliteConfigurationStore } from '../configurations/SqliteConfigurationStore.js';
import type { ConfigurationStore } from '../configurations/ConfigurationStoreTypes.js';
import { PostgresConfigurationStore } from '../configurations/PostgresConfigurationStore.js';
import type { PostCallStore } from '../pipeline/records/PostCall.js';
import { PostgresPostCallStore } from '../calls/PostgresPostCallStore.js';
import { SqlitePostCallStore } from '../calls/SqlitePostCallStore.js';
import { PostgresDatabase } from '../platform/database/PostgresDatabase.js';
import { JetStreamDataStream } from '../stream/JetStreamDataStream.js';
import { SqliteDataStream } from '../stream/SqliteDataStream.js';
import type { DataStream, StreamRetention } from '../stream/StreamTypes.js';

/** The storage and messaging a Callsight process runs on, chosen by `stream.backend` and `database.backend`. */
export interface Backends {
  /** Null when not asked for (BackendPart), as are the three below. */
  readonly stream: DataStream | null;
  readonly registry: ConnectionRegistry | null;
  readonly configurations: ConfigurationStore | null;
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
 * rest. If one fails to open, those already open are closed again.
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
  const closers: (() => Promise<void> | void)[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close();
  };
  try {
    let nats: NatsConnection | null = null;
    let stream: DataStream | null = null;
    if (config.stream.backend === 'jetstream') {
      const connection = await connectNats({
        url: config.nats.url,
        name: `callsight ${config.role} ${hostname()}`,
        logger,
      });
      nats = connection;
      closers.push(() => connection.drain().catch(() => connection.close()));
    }
    if (!needs.has('stream')) {
      // (no data stream in this process)
    } else if (nats) {
      stream = await JetStreamDataStream.open({
        connection: nats,
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
    const theStream = stream;
    if (theStream) closers.push(() => theStream.close());

    const origin = { region: config.voiceConnector.region, account: config.voiceConnector.account };
    let database: PostgresDatabase | null = null;
    let registry: ConnectionRegistry | null = null;
    let configurations: ConfigurationStore | null = null;
    let postCall: PostCallStore | null = null;
    if (config.database.backend === 'postgres' && (connectionsOnly || needs.size > 0)) {
      const db = await PostgresDatabase.open({
        url: config.database.url,
        poolSize: config.database.poolSize,
        logger: logger.child({ stage: 'database' }),
      });
      database = db;
      closers.push(() => db.close());
    }
    if (database) {
      const db = database;
      if (needs.has('registry'))
        registry = await PostgresConnectionRegistry.open({
          database: db,
          // Stable across restarts of this gateway, so a restart ends the connections it held.
          ...(config.http.port !== 0 ? { owner: `${hostname()}:${config.http.port}` } : {}),
          logger: logger.child({ stage: 'registry' }),
        });
      if (needs.has('configurations'))
        configurations = PostgresConfigurationStore.open({
          database: db,
          ...origin,
          logger: logger.child({ stage: 'configurations' }),
        });
      if (needs.has('postCall')) postCall = new PostgresPostCallStore(db);
    } else {
      const file = join(dataDir, 'callsight.db');
      if (needs.has('registry')) {
        const opened = SqliteConnectionRegistry.open({
          path: file,
          logger: logger.child({ stage: 'registry' }),
        });
        registry = opened;
        closers.push(() => opened.close());
      }
      if (needs.has('configurations')) {
        const opened = SqliteConfigurationStore.open({
          path: file,
          ...origin,
          logger: logger.child({ stage: 'configurations' }),
        });
        configurations = opened;
        closers.push(() => opened.close());
      }
      if (needs.has('postCall')) postCall = new SqlitePostCallStore(file);
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
          await stream?.close();
          await registry?.close();
          await configurations?.close();
          await postCall?.close();
          await database?.close();
          await nats?.drain().catch(() => nats?.close());
        })()),
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
