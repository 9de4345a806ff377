import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { registerVocabularyRoutes } from '../../../src/gateway/api/VocabularyRoutes.js';
import {
  PostgresVocabularyStore,
  SqliteVocabularyStore,
} from '../../../src/configurations/VocabularyStores.js';
import { useTestDatabase } from '../../helpers/postgres.js';
import { tempDir } from '../wsHarness.js';
import { namedListApi, type Json } from './namedListApi.js';

const tmp = tempDir('callsight-vocabulary-routes-');
const testDb = useTestDatabase();
after(() => tmp.cleanup());

const TABLE = {
  VocabularyName: 'surnames',
  LanguageCode: 'en-US',
  Table: [
    { Phrase: 'Kowalczyk', SoundsLike: 'ko-val-chik', DisplayAs: 'Kowalczyk' },
    { Phrase: 'Los-Angeles', IPA: 'l ɔ s æ n dʒ ə l ə s' },
  ],
};

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`/api/vocabularies on ${backend}`, () => {
    const api = namedListApi({
      backend,
      testDb,
      dir: tmp.dir,
      schema: 'vocabularies',
      sqlite: (file) => new SqliteVocabularyStore({ path: file }),
      postgres: (database) => new PostgresVocabularyStore({ database }),
      register: registerVocabularyRoutes,
    });
    const call = api.call;

    test('create, read, list, update, delete, as Transcribe shapes them', async (t) => {
      const skip = api.skip();
      if (skip) return t.skip(skip);
      const created = await call('POST', '/api/vocabularies', TABLE);
      assert.equal(created.status, 201);
      assert.equal(created.body.VocabularyState, 'READY');
      assert.deepEqual(created.body.Table, TABLE.Table);
      const phrases = {
        VocabularyName: 'products',
        LanguageCode: 'en-US',
        Phrases: ['Zentrix', 'Acme Cloud'],
      };
      assert.equal((await call('POST', '/api/vocabularies', phrases)).status, 201);

      const got = await call('GET', '/api/vocabularies/products');
      assert.equal(got.status, 200);
      assert.deepEqual(got.body.Phrases, ['Zentrix', 'Acme Cloud']);
      const list = await call('GET', '/api/vocabularies');
      assert.deepEqual(
        (list.body.Vocabularies as Json[]).map((v) => v.VocabularyName),
        ['products', 'surnames'],
      );

      const updated = await call('PUT', '/api/vocabularies/products', {
        LanguageCode: 'en-GB',
        Phrases: ['Nuvexa'],
      });
      assert.equal(updated.status, 200);
      assert.deepEqual([updated.body.LanguageCode, updated.body.Phrases], ['en-GB', ['Nuvexa']]);
      assert.deepEqual((await call('GET', '/api/vocabularies/products')).body.Phrases, ['Nuvexa']);

      assert.equal((await call('DELETE', '/api/vocabularies/products')).status, 204);
      assert.equal((await call('GET', '/api/vocabularies/products')).status, 404);
      assert.equal(api.changes(), 4, 'every write is reported (the vocabulary cache reloads)');
    });

    test('refused: a taken name (409), a missing one (404), an invalid body with every problem (400)', async (t) => {
      const skip = api.skip();
      if (skip) return t.skip(skip);
      const again = await call('POST', '/api/vocabularies', TABLE);
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'CS_ERR_VOCABULARY_CONFLICT');
      assert.equal(
        (await call('PUT', '/api/vocabularies/nope', { LanguageCode: 'en-US', Phrases: ['x'] })).status,
        404,
      );
      assert.equal((await call('DELETE', '/api/vocabularies/nope')).status, 404);
      const bad = await call('POST', '/api/vocabularies', {
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
      const renamed = await call('PUT', '/api/vocabularies/surnames', {
        ...TABLE,
        VocabularyName: 'other',
      });
      assert.equal(renamed.status, 400);
    });
  });
}
