import path from 'node:path';
import { after, before } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import type { PostgresDatabase } from '../../../src/platform/database/PostgresDatabase.js';
import { silentLogger, type Logger } from '../../../src/platform/logger.js';
import type { TestDatabaseForFile } from '../../helpers/postgres.js';

export type Json = Record<string, unknown>;

interface Closable {
  close(): Promise<void>;
}

/**
 * One named-list API (vocabularies, vocabulary filters) served on loopback over a real store of the
 * backend, for the current describe block: the store opened before its tests and closed after them.
 * `skip()` says why PostgreSQL is not there; `changes()` counts the writes the routes reported.
 */
export function namedListApi<S extends Closable>(options: {
  readonly backend: 'sqlite' | 'postgres';
  readonly testDb: TestDatabaseForFile;
  readonly dir: string;
  readonly schema: string;
  readonly sqlite: (file: string) => S;
  readonly postgres: (database: PostgresDatabase) => S;
  readonly register: (server: FastifyInstance, store: S, logger: Logger, changed: () => void) => void;
}) {
  let store: S | undefined;
  let server: FastifyInstance | undefined;
  let base = '';
  let changes = 0;
  let skip: string | false = false;

  before(async () => {
    if (options.backend === 'postgres') {
      skip = options.testDb.skip();
      if (skip) return;
      store = options.postgres(await options.testDb.open(options.schema, 2));
    } else store = options.sqlite(path.join(options.dir, 'callsight.db'));
    server = Fastify();
    options.register(server, store, silentLogger, () => (changes += 1));
    base = await server.listen({ host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server?.close();
    await store?.close();
  });

  return {
    skip: () => skip,
    changes: () => changes,
    call: async (method: string, url: string, body?: unknown): Promise<{ status: number; body: Json }> => {
      const res = await fetch(`${base}${url}`, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
    },
  };
}
