import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { httpBaseUrl, recordingStoreOptions, recordingUrl } from '../../src/app/recordings.js';
import { loadConfig } from '../../src/app/config/Config.js';
import { silentLogger } from '../../src/platform/logger.js';

describe('recording settings', () => {
  test('by default recordings stay in <dataDir>/recordings for 30 days, with no S3', () => {
    const options = recordingStoreOptions(loadConfig(), '/srv/callsight', silentLogger);
    assert.deepEqual(
      [options.dir, options.retentionDays, options.s3],
      [join('/srv/callsight', 'recordings'), 30, null],
    );
  });

  test('recording.* from the environment: a folder, retention, and an S3-compatible bucket', () => {
    const config = loadConfig({
      env: {
        CALLSIGHT_RECORDING_DIR: '/var/recordings',
        CALLSIGHT_RECORDING_RETENTION_DAYS: '0',
        CALLSIGHT_RECORDING_S3_ENDPOINT: 'http://127.0.0.1:9000',
        CALLSIGHT_RECORDING_S3_BUCKET: 'calls',
        CALLSIGHT_RECORDING_S3_ACCESS_KEY_ID: 'id',
        CALLSIGHT_RECORDING_S3_SECRET_ACCESS_KEY: 'secret',
        CALLSIGHT_RECORDING_S3_FORCE_PATH_STYLE: 'true',
      },
    });
    const options = recordingStoreOptions(config, './data', silentLogger);
    assert.equal(options.dir, '/var/recordings');
    assert.equal(options.retentionDays, 0);
    assert.deepEqual(options.s3, {
      endpoint: 'http://127.0.0.1:9000',
      bucket: 'calls',
      region: 'us-east-1',
      accessKeyId: 'id',
      secretAccessKey: 'secret',
      forcePathStyle: true,
    });
    assert.throws(
      () => loadConfig({ env: { CALLSIGHT_RECORDING_RETENTION_DAYS: '-1' } }),
      /recording\.retentionDays/,
    );
  });

  test("the record's URL: the HTTP bind address when specific, else the advertised one", () => {
    assert.equal(httpBaseUrl('0.0.0.0', '192.0.2.10', 8080), 'http://192.0.2.10:8080');
    assert.equal(httpBaseUrl('127.0.0.1', '192.0.2.10', 8080), 'http://127.0.0.1:8080');
    assert.equal(httpBaseUrl('::', '2001:db8::1', 8080), 'http://[2001:db8::1]:8080');
    assert.equal(
      recordingUrl('http://192.0.2.10:8080', 'c3a8e5d2', '9b2d6e41'),
      'http://192.0.2.10:8080/api/calls/c3a8e5d2/recording.wav?pipelineId=9b2d6e41',
    );
  });
});
