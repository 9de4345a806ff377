import pg from 'pg';
import type { RunningCallsight } from './callsight.js';
import { startNatsServer, type NatsServer } from './natsServer.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

/** What the scale-out e2e tests share: a NATS server and a PostgreSQL database, and ways to look at them. */

export interface ScaleOutBackends {
  readonly nats: NatsServer | null;
  readonly database: TestDatabase | null;
  /** Why the test skips (either backend missing), or false. */
  readonly skip: string | false;
}

/** Starts a NATS server (JetStream) and creates a throwaway PostgreSQL database, side by side. */
export async function startScaleOutBackends(): Promise<ScaleOutBackends> {
  const [natsOrSkip, dbOrSkip] = await Promise.all([startNatsServer(), createTestDatabase()]);
  return {
    nats: natsOrSkip.server,
    database: dbOrSkip.database,
    skip: natsOrSkip.skip || dbOrSkip.skip,
  };
}

/** The environment of a Callsight process on the scale-out backends (the data stream in JetStream, the stores in PostgreSQL). */
export function scaleOutEnv(
  nats: NatsServer,
  database: TestDatabase,
  stream: { readonly name: string; readonly subjectPrefix: string; readonly namespace?: string },
): Record<string, string> {
  return {
    CALLSIGHT_STREAM_BACKEND: 'jetstream',
    CALLSIGHT_NATS_URL: nats.url,
    CALLSIGHT_NATS_STREAM: stream.name,
    CALLSIGHT_NATS_SUBJECT_PREFIX: stream.subjectPrefix,
    ...(stream.namespace !== undefined ? { CALLSIGHT_NATS_NAMESPACE: stream.namespace } : {}),
    CALLSIGHT_DATABASE_BACKEND: 'postgres',
    CALLSIGHT_DATABASE_URL: database.url,
  };
}

/** Every pipeline's owner (`host:pid` of the worker running it; '' for none), by pipeline id. */
export async function pipelineOwners(url: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pipeline_id: string; owner: string | null }>(
      'SELECT pipeline_id, owner FROM pipelines',
    );
    return new Map(rows.map((r) => [r.pipeline_id, r.owner ?? '']));
  } finally {
    await client.end();
  }
}

/** The ids of the pipelines `worker` owns, from pipelineOwners(). */
export function pipelinesOf(owners: ReadonlyMap<string, string>, worker: RunningCallsight): string[] {
  return [...owners].filter(([, o]) => o.endsWith(`:${worker.process.pid}`)).map(([id]) => id);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
