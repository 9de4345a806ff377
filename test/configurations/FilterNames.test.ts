import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaInsightsPipelineConfigurationElement } from '../../src/configurations/ConfigurationTypes.js';
import { planConfiguration } from '../../src/configurations/ConfigurationPlan.js';
import { unknownFilterWarnings } from '../../src/configurations/FilterNames.js';

const ENGINES = new Map([
  ['pocketsphinx', 'pocketsphinx'],
  ['aws', 'amazon-transcribe'],
] as const);

function warnings(elements: readonly MediaInsightsPipelineConfigurationElement[], known: string[]) {
  const configuration = { Elements: elements };
  return unknownFilterWarnings(configuration, planConfiguration(configuration, ENGINES), new Set(known));
}

const transcribe = (config: Record<string, unknown>) =>
  ({
    Type: 'AmazonTranscribeProcessor',
    AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US', ...config },
  }) as MediaInsightsPipelineConfigurationElement;

test('a filter name with no stored filter is warned about, one warning a name', () => {
  assert.deepEqual(
    warnings(
      [transcribe({ VocabularyFilterName: 'profanity', VocabularyFilterNames: 'profanity,launch, secret' })],
      ['profanity'],
    ),
    [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.VocabularyFilterNames',
        message:
          'AmazonTranscribeProcessor: no vocabulary filter is named "launch" (/api/vocabulary-filters); it is left out until one is created',
      },
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.VocabularyFilterNames',
        message:
          'AmazonTranscribeProcessor: no vocabulary filter is named "secret" (/api/vocabulary-filters); it is left out until one is created',
      },
    ],
  );
});

test('names for Amazon Transcribe are its own (looked up in AWS): no warning', () => {
  assert.deepEqual(
    warnings([transcribe({ VocabularyFilterName: 'in-aws', CallsightSpeechEngine: 'aws' })], []),
    [],
  );
});
