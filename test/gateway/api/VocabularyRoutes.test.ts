import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerVocabularyRoutes } from '../../../src/gateway/api/VocabularyRoutes.js';
import type { VocabularyStore } from '../../../src/configurations/Vocabulary.js';
import {
  PostgresVocabularyStore,
  SqliteVocabularyStore,
} from '../../../src/configurations/VocabularyStores.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { useTestDatabase } from '../../helpers/postgres.js';
import { tempDir } from '../wsHarness.js';

type Json = Record<string, unknown>;

const tmp = tempDir('callsight-vocabulary-routes-');
const testDb = useTestDatabase();

const TABLE = {
  VocabularyName: 'surnames',
  LanguageCode: 'en-US',
  Table: [
    { Phrase: 'Kowalczyk', SoundsLike: 'ko-val-chik', DisplayAs: 'Kowalczyk' },
    { Phrase: 'Los-Angeles', IPA: 'l ɔ s æ n dʒ ə l ə s' },
  ],
};

/** The API on a store; `changes` counts the writes it reported. */
async function serve(
  store: VocabularyStore,
): Promise<{ base: string; server: FastifyInstance; changes: () => number }> {
  const server = Fastify();
  let changes = 0;
  registerVocabularyRoutes(server, store, silentLogger, () => (changes += 1));
  const address = await server.listen({ host: '127.0.0.1', port: 0 });
  return { base: address, server, changes: () => changes };
}

async function call(
  base: string,
  method: string,
  url: string,
  body?: unknown,
): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${base}${url}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Json) };
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`/api/vocabularies on ${backend}`, () => {
    let store: VocabularyStore;
    let api: Awaited<ReturnType<typeof serve>>;
    let skip: string | false = false;

    before(async () => {
      if (backend === 'postgres') {
        skip = testDb.skip();
        if (skip) return;
        store = new PostgresVocabularyStore({ database: await testDb.open('vocabularies', 2) });
      } else store = new SqliteVocabularyStore({ path: path.join(tmp.dir, 'callsight.db') });
      api = await serve(store);
    });
    after(async () => {
      await api?.server.close();
      await store?.close();
      if (backend === 'sqlite') tmp.cleanup();
    });

    test('create, read, list, update, delete, as Transcribe shapes them', async (t) => {
      if (skip) return t.skip(skip);
      const created = await call(api.base, 'POST', '/api/vocabularies', TABLE);
      assert.equal(created.status, 201);
      assert.equal(created.body.VocabularyState, 'READY');
      assert.deepEqual(created.body.Table, TABLE.Table);
      const phrases = {
        VocabularyName: 'products',
        LanguageCode: 'en-US',
        Phrases: ['Zentrix', 'Acme Cloud'],
      };
      assert.equal((await call(api.base, 'POST', '/api/vocabularies', phrases)).status, 201);

      const got = await call(api.base, 'GET', '/api/vocabularies/products');
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.Phrases, ['Zentrix', 'Acme Cloud']);
      const list = await call(api.base, 'GET', '/api/vocabularies');
      assert.deepEqual(
        (list.body.Vocabularies as Json[]).map((v) => v.VocabularyName),
        ['products', 'surnames'],
      );

      const updated = await call(api.base, 'PUT', '/api/vocabularies/products', {
        LanguageCode: 'en-GB',
        Phrases: ['Nuvexa'],
      });
      assert.equal(updated.status, 200);
      assert.deepEqual([updated.body.LanguageCode, updated.body.Phrases], ['en-GB', ['Nuvexa']]);
      assert.deepEqual((await call(api.base, 'GET', '/api/vocabularies/products')).body.Phrases, ['Nuvexa']);

      assert.equal((await call(api.base, 'DELETE', '/api/vocabularies/products')).status, 204);
      assert.equal((await call(api.base, 'GET', '/api/vocabularies/products')).status, 404);
      assert.equal(api.changes(), 4, 'every write is reported (the vocabulary cache reloads)');
    });

    test('refused: a taken name (409), a missing one (404), an invalid body with every problem (400)', async (t) => {
      if (skip) return t.skip(skip);
      const again = await call(api.base, 'POST', '/api/vocabularies', TABLE);
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'CS_ERR_VOCABULARY_CONFLICT');
      assert.equal(
        (await call(api.base, 'PUT', '/api/vocabularies/nope', { LanguageCode: 'en-US', Phrases: ['x'] }))
          .status,
        404,
      );
      assert.equal((await call(api.base, 'DELETE', '/api/vocabularies/nope')).status, 404);
      const bad = await call(api.base, 'POST', '/api/vocabularies', {
        VocabularyName: 'bad name',
        LanguageCode: 'english',
        Phrases: ['route 66'],
        Table: [{ Phrase: 'two words', SoundsLike: 'a', IPA: 'b' }],
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'CS_ERR_BAD_REQUEST');
      const paths = (bad.body.errors as { path: string }[]).map((e) => e.path).sort();
      assert.deepEqual(paths, [
        '',
        'LanguageCode',
        'Phrases[0]',
        'Table[0]',
        'Table[0].Phrase',
        'VocabularyName',
      ]);
      const renamed = await call(api.base, 'PUT', '/api/vocabularies/surnames', {
        ...TABLE,
        VocabularyName: 'other',
      });
      assert.equal(renamed.status, 400);
    });
  });
}
