import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { loadConfig } from '../../src/app/config/Config.js';
import { ENGINE_KINDS } from '../../src/configurations/EngineSupport.js';
import { checkCreateRequest } from '../../src/configurations/ConfigurationPlan.js';
import { readSecret } from '../../src/platform/secrets.js';
import { parseSpeechEngines } from '../../src/transcribe/SpeechEngineConfig.js';
import { SPEECH_ENGINE_KINDS } from '../../src/transcribe/SpeechEngineTypes.js';

const whisper = {
  name: 'whisper',
  kind: 'openai',
  endpoint: 'http://127.0.0.1:8081/v1/audio/transcriptions',
};

describe('speechEngines: in the config file', () => {
  test('the configuration check and the engines know the same kinds', () => {
    assert.deepEqual([...ENGINE_KINDS], [...SPEECH_ENGINE_KINDS]);
  });

  test('applies defaults and keeps credentials as references', () => {
    const config = loadConfig({
      file: { speechEngines: [{ ...whisper, apiKey: { env: 'OPENAI_API_KEY' }, fallback: 'pocketsphinx' }] },
    });
    assert.deepEqual(config.speechEngines[0], {
      ...whisper,
      apiKey: { env: 'OPENAI_API_KEY' },
      fallback: 'pocketsphinx',
      maxBufferedMs: 30_000,
      model: 'whisper-1',
      maxConcurrency: 2,
      partialIntervalMs: 0,
      requestTimeoutMs: 30_000,
    });
  });

  test('refuses unknown keys, a name taken twice, missing or looping fallbacks, with their paths', () => {
    assert.throws(() => parseSpeechEngines([{ ...whisper, apikey: 'x' }]), /speechEngines\.0: .*apikey/s);
    assert.throws(
      () => parseSpeechEngines([{ ...whisper, name: 'pocketsphinx' }]),
      /speechEngines\.0\.name: "pocketsphinx" is already an engine's name/,
    );
    assert.throws(
      () => parseSpeechEngines([{ ...whisper, fallback: 'nope' }]),
      /speechEngines\.0\.fallback: no engine is named "nope"/,
    );
    assert.throws(
      () =>
        parseSpeechEngines([
          { ...whisper, fallback: 'vosk' },
          { name: 'vosk', kind: 'vosk', endpoint: 'ws://127.0.0.1:2700', fallback: 'whisper' },
        ]),
      /falls back in a loop \(whisper → vosk → whisper\)/,
    );
  });

  test('secrets come from the environment or a file, and errors never show them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'secret-'));
    writeFileSync(join(dir, 'key'), 's3cret\n');
    assert.equal(readSecret({ file: join(dir, 'key') }, 'apiKey'), 's3cret');
    assert.equal(readSecret({ env: 'KEY' }, 'apiKey', { KEY: 'from-env' }), 'from-env');
    assert.throws(
      () => readSecret({ env: 'MISSING' }, 'apiKey', {}),
      /apiKey: environment variable MISSING is not set/,
    );
    assert.throws(() => readSecret({ file: join(dir, 'none') }, 'apiKey'), /cannot read .*none: ENOENT/);
  });
});

describe('CallsightSpeechEngine in a configuration', () => {
  const engines = new Map([
    ['pocketsphinx', 'pocketsphinx'],
    ['whisper', 'openai'],
    ['aws', 'amazon-transcribe'],
  ] as const);
  const request = (config: Record<string, unknown>) => ({
    MediaInsightsPipelineConfigurationName: 'contract',
    Elements: [
      { Type: 'AmazonTranscribeProcessor', AmazonTranscribeProcessorConfiguration: config },
      { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: {} },
    ],
  });

  test('an engine that is not declared is refused', () => {
    const result = checkCreateRequest(
      request({ LanguageCode: 'en-US', CallsightSpeechEngine: 'nope' }),
      engines,
    );
    assert.equal(result.ok, false);
    assert.match(JSON.stringify(result.ok ? [] : result.errors), /no speech engine is named \\"nope\\"/);
  });

  test("options are judged against the engine's kind", () => {
    const aws = checkCreateRequest(
      request({ LanguageCode: 'de-DE', VocabularyName: 'products', CallsightSpeechEngine: 'aws' }),
      engines,
    );
    assert.ok(aws.ok && aws.warnings.length === 0, 'Transcribe takes any language and a vocabulary');
    assert.equal(
      aws.ok && aws.plan.processors[0]?.kind === 'speech-recognition' && aws.plan.processors[0].engine,
      'aws',
    );
    const whisperPlan = checkCreateRequest(
      request({
        LanguageCode: 'de-DE',
        VocabularyName: 'products',
        LanguageModelName: 'claims',
        CallsightSpeechEngine: 'whisper',
      }),
      engines,
    );
    assert.ok(whisperPlan.ok);
    assert.deepEqual(
      whisperPlan.warnings.map((w) => w.path),
      ['Elements[0].AmazonTranscribeProcessorConfiguration.LanguageModelName'],
      'a vocabulary is sent as the prompt; a language model cannot be',
    );
    const embedded = checkCreateRequest(request({ LanguageCode: 'de-DE' }), engines);
    assert.equal(embedded.ok, false, 'pocketsphinx ships en-US only');
  });
});
