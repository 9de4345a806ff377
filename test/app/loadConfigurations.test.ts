import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { openBackends, opened } from '../../src/app/backends.js';
import { loadConfig } from '../../src/app/config/Config.js';
import { loadConfigurations } from '../../src/app/loadConfigurations.js';
import { silentLogger } from '../../src/platform/logger.js';
import { capturedLogger } from '../helpers/capturedLogger.js';
import { STREAM_SINK_ELEMENT } from '../helpers/configFile.js';
import { tempDir } from '../gateway/wsHarness.js';

const tmp = tempDir('callsight-load-configurations-');
after(tmp.cleanup);

const filtered = (name: string, filters: Record<string, string>) => ({
  MediaInsightsPipelineConfigurationName: name,
  Elements: [
    {
      Type: 'AmazonTranscribeProcessor',
      AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US', ...filters },
    },
    STREAM_SINK_ELEMENT,
  ],
});

test('at boot, a configuration naming vocabulary filters that do not exist is logged with their names', async () => {
  const config = loadConfig({
    file: {
      configurations: [
        filtered('half-filtered', { VocabularyFilterNames: 'profanity,launch,secret' }),
        filtered('filtered', { VocabularyFilterName: 'profanity' }),
      ],
    },
  });
  const backends = await openBackends(config, tmp.dir, silentLogger);
  try {
    const filters = opened(backends.vocabularyFilters, 'vocabularyFilters');
    await filters.create('profanity', { LanguageCode: 'en-US', Words: ['darn'] });
    const log = capturedLogger();
    const origin = { account: '123456789012', region: 'us-east-1' };
    await loadConfigurations(config, backends, origin, log.logger);

    const missing = log.lines.filter((l) => 'missingVocabularyFilters' in l);
    assert.deepEqual(
      missing.map(({ level, name, source, missingVocabularyFilters }) => ({
        level,
        name,
        source,
        missingVocabularyFilters,
      })),
      [
        {
          level: 40,
          name: 'half-filtered',
          source: 'configurations[0]',
          missingVocabularyFilters: ['launch', 'secret'],
        },
      ],
    );
    // Names of configurations and filters only: nothing of the words the filters hold.
    assert.ok(!log.text().includes('darn'));
  } finally {
    await backends.close();
  }
});
