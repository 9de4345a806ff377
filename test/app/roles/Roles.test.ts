import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkRoleBackends, parseRoles } from '../../../src/app/roles/Roles.js';
import { loadConfig } from '../../../src/app/config/Config.js';
import { CallsightError } from '../../../src/platform/errors.js';

const MAIN = new URL('../../../dist/src/main.js', import.meta.url).pathname;

describe('roles', () => {
  test('all is one process; a comma list names the roles in any order, each once', () => {
    assert.deepEqual(parseRoles('all'), { all: true, sip: true, worker: true, gateway: true, name: 'all' });
    assert.deepEqual(parseRoles('gateway, sip'), {
      all: false,
      sip: true,
      worker: false,
      gateway: true,
      name: 'sip,gateway',
    });
    assert.equal(parseRoles('worker')?.name, 'worker');
    for (const bad of ['', 'sip,sip', 'media', 'all,sip', 'sip,,worker'])
      assert.equal(parseRoles(bad), null, bad);
  });

  test('the role comes from the file, CALLSIGHT_ROLE or --role; a bad one is refused with its variable', () => {
    assert.equal(loadConfig().role, 'all');
    assert.equal(
      loadConfig({ file: { role: 'worker' }, env: { CALLSIGHT_ROLE: 'sip,gateway' } }).role,
      'sip,gateway',
    );
    assert.throws(
      () => loadConfig({ env: { CALLSIGHT_ROLE: 'mixer' } }),
      /role \(from CALLSIGHT_ROLE\): must be `all`, or a comma-separated list/,
    );
  });

  test('a role process refuses the embedded SQLite backends, naming the settings to set', () => {
    assert.doesNotThrow(() => checkRoleBackends(loadConfig(), parseRoles('all')!));
    const scaled = loadConfig({
      env: { CALLSIGHT_STREAM_BACKEND: 'jetstream', CALLSIGHT_DATABASE_BACKEND: 'postgres' },
    });
    assert.doesNotThrow(() => checkRoleBackends(scaled, parseRoles('worker')!));
    assert.throws(
      () =>
        checkRoleBackends(
          loadConfig({ env: { CALLSIGHT_STREAM_BACKEND: 'jetstream' } }),
          parseRoles('worker')!,
        ),
      (err: unknown) =>
        err instanceof CallsightError &&
        err.code === 'CS_ERR_CONFIG_INVALID' &&
        /database\.backend must be postgres \(CALLSIGHT_DATABASE_BACKEND=postgres\)/.test(err.message) &&
        !/stream\.backend/.test(err.message),
    );
  });

  test('npm start -- --role gateway on the defaults exits 2 with that message, before opening anything', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'callsight-role-'));
    const run = spawnSync(process.execPath, [MAIN, '--role', 'gateway'], {
      env: { ...process.env, CALLSIGHT_DATA_DIR: dataDir, CALLSIGHT_HTTP_PORT: '0', LOG_LEVEL: 'silent' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    assert.equal(run.status, 2, run.stderr);
    assert.match(
      run.stderr,
      /role gateway runs as one of several processes and cannot use the embedded SQLite backends/,
    );
    assert.match(run.stderr, /stream\.backend must be jetstream \(CALLSIGHT_STREAM_BACKEND=jetstream\)/);
    assert.match(run.stderr, /database\.backend must be postgres/);
  });
});
