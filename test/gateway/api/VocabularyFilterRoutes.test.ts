import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { registerVocabularyFilterRoutes } from '../../../src/gateway/api/VocabularyFilterRoutes.js';
import {
  PostgresVocabularyFilterStore,
  SqliteVocabularyFilterStore,
} from '../../../src/configurations/VocabularyFilterStores.js';
import { useTestDatabase } from '../../helpers/postgres.js';
import { tempDir } from '../wsHarness.js';
import { namedListApi, type Json } from './namedListApi.js';

const tmp = tempDir('callsight-vocabulary-filter-routes-');
const testDb = useTestDatabase();
after(() => tmp.cleanup());

const PROFANITY = { VocabularyFilterName: 'profanity', LanguageCode: 'en-US', Words: ['darn', 'heck'] };

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`/api/vocabulary-filters on ${backend}`, () => {
    const api = namedListApi({
      backend,
      testDb,
      dir: tmp.dir,
      schema: 'vocabulary_filters',
      sqlite: (file) => new SqliteVocabularyFilterStore({ path: file }),
      postgres: (database) => new PostgresVocabularyFilterStore({ database }),
      register: registerVocabularyFilterRoutes,
    });
    const call = api.call;

    test('create, get, list, update (language kept when left out), delete, in Transcribe shapes', async (t) => {
      const skip = api.skip();
      if (skip) return t.skip(skip);
      const created = await call('POST', '/api/vocabulary-filters', PROFANITY);
      assert.equal(created.status, 201);
      assert.deepEqual(
        [created.body.VocabularyFilterName, created.body.Words],
        ['profanity', ['darn', 'heck']],
      );
      assert.match(String(created.body.LastModifiedTime), /^\d{4}-\d\d-\d\dT/);
      const secret = { VocabularyFilterName: 'launch', LanguageCode: 'en-GB', Words: ['Nuvexa'] };
      assert.equal((await call('POST', '/api/vocabulary-filters', secret)).status, 201);

      const list = await call('GET', '/api/vocabulary-filters');
      assert.deepEqual(
        (list.body.VocabularyFilters as Json[]).map((f) => [f.VocabularyFilterName, f.LanguageCode]),
        [
          ['launch', 'en-GB'],
          ['profanity', 'en-US'],
        ],
      );
      // Transcribe's UpdateVocabularyFilter takes no language: the stored one stays.
      const updated = await call('PUT', '/api/vocabulary-filters/launch', { Words: ['Nuvexa', 'Zentrix'] });
      assert.equal(updated.status, 200);
      assert.deepEqual([updated.body.LanguageCode, updated.body.Words], ['en-GB', ['Nuvexa', 'Zentrix']]);
      const relabelled = await call('PUT', '/api/vocabulary-filters/launch', {
        LanguageCode: 'en-US',
        Words: ['Zentrix'],
      });
      assert.deepEqual([relabelled.body.LanguageCode, relabelled.body.Words], ['en-US', ['Zentrix']]);
      assert.deepEqual((await call('GET', '/api/vocabulary-filters/launch')).body.Words, ['Zentrix']);

      assert.equal((await call('DELETE', '/api/vocabulary-filters/launch')).status, 204);
      assert.equal((await call('GET', '/api/vocabulary-filters/launch')).status, 404);
      assert.equal(api.changes(), 5, 'every write is reported (the filter cache reloads)');
    });

    test('refused: a taken name (409), a missing one (404), an invalid body with every problem (400)', async (t) => {
      const skip = api.skip();
      if (skip) return t.skip(skip);
      const again = await call('POST', '/api/vocabulary-filters', PROFANITY);
      assert.equal(again.status, 409);
      assert.equal(again.body.code, 'CS_ERR_VOCABULARY_FILTER_CONFLICT');
      assert.equal(again.body.exception, 'ConflictException');
      assert.equal((await call('PUT', '/api/vocabulary-filters/nope', { Words: ['x'] })).status, 404);
      assert.equal((await call('DELETE', '/api/vocabulary-filters/nope')).status, 404);
      const bad = await call('POST', '/api/vocabulary-filters', {
        VocabularyFilterName: 'bad name',
        LanguageCode: 'english',
        Words: ['two words', 'route66'],
        VocabularyFilterFileUri: 's3://bucket/words.txt',
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.body.code, 'CS_ERR_BAD_REQUEST');
      const errors = bad.body.errors as { path: string; message: string }[];
      assert.deepEqual(errors.map((e) => e.path).sort(), [
        'LanguageCode',
        'VocabularyFilterFileUri',
        'VocabularyFilterName',
        'Words[0]',
        'Words[1]',
      ]);
      assert.match(errors.find((e) => e.path === 'VocabularyFilterFileUri')!.message, /inline in Words/);
      const noName = await call('POST', '/api/vocabulary-filters', { LanguageCode: 'en-US', Words: ['x'] });
      assert.deepEqual(noName.body.errors, [{ path: 'VocabularyFilterName', message: 'Required' }]);
      assert.equal((await call('PUT', '/api/vocabulary-filters/profanity', { Words: [] })).status, 400);
      const renamed = await call('PUT', '/api/vocabulary-filters/profanity', {
        ...PROFANITY,
        VocabularyFilterName: 'other',
      });
      assert.equal(renamed.status, 400);
      assert.deepEqual((await call('GET', '/api/vocabulary-filters/profanity')).body.Words, ['darn', 'heck']);
    });
  });
}
