import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { CallsightError, ValidationError } from '../../src/platform/errors.js';
import {
  DEFAULT_CONFIGURATION_NAME,
  defaultConfiguration,
  loadConfigurationFile,
  loadDefaultConfiguration,
} from '../../src/configurations/defaultConfiguration.js';
import { tempDir } from '../gateway/wsHarness.js';
import { DG_EVENTBRIDGE_ALERTS_NESTED, SEED_CONFIGURATION } from './fixtures.js';

const tmp = tempDir('callsight-default-configuration-');
after(tmp.cleanup);
const origin = { region: 'local', account: '000000000000' };

function write(name: string, text: string): string {
  const file = path.join(tmp.dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('default configuration', () => {
  test('built in: callsight-default, Transcribe en-US into the data stream, no warning at start', () => {
    const loaded = loadDefaultConfiguration({ origin });
    assert.equal(loaded.source, 'built-in');
    assert.equal(loaded.refresh, false);
    assert.deepEqual(loaded.warnings, []);
    assert.deepEqual(loaded.request, defaultConfiguration(origin));
    assert.equal(loaded.request.MediaInsightsPipelineConfigurationName, DEFAULT_CONFIGURATION_NAME);
    assert.deepEqual(
      loaded.request.Elements.map((e) => e.Type),
      ['AmazonTranscribeProcessor', 'KinesisDataStreamSink'],
    );
    assert.deepEqual(
      loaded.plan.processors.map((p) => [p.element, p.kind === 'speech-recognition' && p.languageCode]),
      [['AmazonTranscribeProcessor', 'en-US']],
    );
  });

  test('from a YAML file: a name-less file gets the default name and is refreshed on start', () => {
    const file = write(
      'default.yaml',
      [
        'Elements:',
        '  - Type: AmazonTranscribeCallAnalyticsProcessor',
        '    AmazonTranscribeCallAnalyticsProcessorConfiguration: { LanguageCode: en-US, FilterPartialResults: true }',
        '  - Type: KinesisDataStreamSink',
        '  - Type: LambdaFunctionSink',
        '    LambdaFunctionSinkConfiguration: { InsightsTarget: "https://hooks.example.com/calls" }',
        '',
      ].join('\n'),
    );
    const loaded = loadDefaultConfiguration({ file, origin });
    assert.equal(loaded.source, file);
    assert.equal(loaded.refresh, true);
    assert.equal(loaded.request.MediaInsightsPipelineConfigurationName, 'callsight-default');
    assert.deepEqual(
      loaded.plan.sinks.map((s) => s.kind),
      ['data-stream', 'webhook'],
    );
    assert.deepEqual(loaded.warnings, []);
  });

  test('from a JSON file: its own name is kept', () => {
    const file = write('alerts.json', JSON.stringify(DG_EVENTBRIDGE_ALERTS_NESTED));
    const loaded = loadConfigurationFile(file, 'ignored-name');
    assert.equal(loaded.request.MediaInsightsPipelineConfigurationName, 'config_name');
  });

  test('an invalid file fails start-up with every problem and its path', () => {
    const file = write(
      'seed.json',
      JSON.stringify({
        ...SEED_CONFIGURATION,
        Elements: [...SEED_CONFIGURATION.Elements, { Type: 'Bogus' }],
      }),
    );
    assert.throws(
      () => loadConfigurationFile(file),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
        assert.ok(err.cause instanceof ValidationError);
        assert.deepEqual(
          err.cause.problems.map((p) => p.path),
          ['Elements[4].LambdaFunctionSinkConfiguration.InsightsTarget', 'Elements[5].Type'],
        );
        assert.match(
          err.message,
          new RegExp(
            `^call analytics configuration ${file.replaceAll('/', '\\/')} is invalid:\n  Elements\\[4\\]`,
          ),
        );
        return true;
      },
    );
    assert.throws(() => loadConfigurationFile(write('broken.yaml', 'Elements: [\n')), /Not valid YAML/);
    assert.throws(
      () => loadConfigurationFile(path.join(tmp.dir, 'missing.yaml')),
      /cannot read call analytics configuration/,
    );
  });
});
