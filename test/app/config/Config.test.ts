import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { helpText, loadConfig, readConfigFile, unreadVariables } from '../../../src/app/config/Config.js';
import { OPTIONS } from '../../../src/app/config/ConfigOptions.js';
import { CallsightError } from '../../../src/platform/errors.js';

describe('configuration', () => {
  test('defaults are the embedded ones the README promises', () => {
    const config = loadConfig();
    assert.equal(config.sip.udpPort, 5060);
    assert.equal(config.sip.tcpPort, 5060);
    assert.deepEqual([config.rtp.portMin, config.rtp.portMax], [20000, 20999]);
    assert.equal(config.http.port, 8080);
    assert.equal(config.dataDir, './data');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.sip), 'deep-frozen');
  });

  test('a YAML file overrides defaults and environment variables override the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsight-config-'));
    const file = join(dir, 'callsight.yaml');
    writeFileSync(file, 'http:\n  port: 9000\nsip:\n  udpPort: 5070\n');
    const config = loadConfig({
      file: readConfigFile(file),
      env: {
        CALLSIGHT_SIP_UDP_PORT: '5080',
        CALLSIGHT_ASR_ENABLED: 'false',
        CALLSIGHT_ASR_NUMBER_PASS: 'false',
      },
    });
    assert.equal(config.http.port, 9000);
    assert.equal(config.sip.udpPort, 5080);
    assert.equal(config.asr.enabled, false);
    assert.equal(config.asr.numberPass, false);
    assert.equal(loadConfig({ file: {}, env: {} }).asr.numberPass, true, 'on by default');
  });

  test('every problem is reported at once, with its path and variable', () => {
    assert.throws(
      () =>
        loadConfig({
          file: { http: { port: 'eighty' }, sip: { udpport: 1 }, rtp: { portMin: 30000, portMax: 20000 } },
          env: { CALLSIGHT_RTP_JITTER_BUFFER_MS: 'lots' },
        }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
        assert.match(err.message, /http\.port/);
        assert.match(err.message, /sip\.udpport/);
        assert.match(err.message, /CALLSIGHT_RTP_JITTER_BUFFER_MS/);
        return true;
      },
    );
  });

  test('single sign-on needs its provider, and a role map that parses; the secret is never in the message', () => {
    assert.throws(
      () =>
        loadConfig({
          env: {
            CALLSIGHT_AUTH_MODE: 'local+oidc',
            CALLSIGHT_AUTH_OIDC_ISSUER: 'http://id.example.com',
            CALLSIGHT_AUTH_OIDC_CLIENT_SECRET: 'the-secret-value',
            CALLSIGHT_AUTH_OIDC_ROLE_MAP: 'staff=root',
          },
        }),
      (err: Error) => {
        assert.match(
          err.message,
          /auth\.oidc\.issuer \(from CALLSIGHT_AUTH_OIDC_ISSUER\): must be https \(plain http only on a loopback host\)/,
        );
        assert.match(err.message, /auth\.oidc\.clientId: auth\.mode local\+oidc needs the client id/);
        assert.match(
          err.message,
          /auth\.oidc\.roleMap \(from CALLSIGHT_AUTH_OIDC_ROLE_MAP\): "staff=root": the role must be one of/,
        );
        assert.ok(!err.message.includes('the-secret-value'));
        return true;
      },
    );
    const config = loadConfig({
      env: {
        CALLSIGHT_AUTH_MODE: 'oidc',
        CALLSIGHT_AUTH_OIDC_ISSUER: 'https://id.example.com/realms/acme',
        CALLSIGHT_AUTH_OIDC_CLIENT_ID: 'callsight',
        CALLSIGHT_AUTH_OIDC_ROLE_MAP: 'ops=supervisor',
      },
    });
    assert.equal(config.auth.oidc.roleClaim, 'groups');
  });

  test('a config file that is not JSON/YAML is refused with its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'callsight-config-'));
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{ "http": ');
    assert.throws(() => readConfigFile(file), /bad\.json is not valid/);
  });

  test('--help lists every variable, and the README table is the generated one', () => {
    const help = helpText();
    for (const option of OPTIONS) assert.ok(help.includes(option.env), option.env);
    const table = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/print-config-table.ts'], {
      encoding: 'utf8',
    });
    const readme = readFileSync('README.md', 'utf8');
    assert.ok(
      readme.includes(table.trim()),
      'README.md configuration table is out of date: run bash scripts/update-readme-config.sh',
    );
  });

  test('SIP access settings default to every host and no authentication', () => {
    const { sip } = loadConfig();
    assert.equal(sip.allowedHosts, '');
    assert.equal(sip.authUsers, '');
    assert.equal(sip.authRealm, 'callsight');
    assert.equal(sip.authAlgorithms, 'SHA-256,MD5');
  });

  test('media.codecs: wideband first by default; an unknown or repeated codec is refused naming it', () => {
    assert.equal(loadConfig({ env: {} }).media.codecs, 'G722,opus,PCMU,PCMA');
    assert.equal(loadConfig({ env: { CALLSIGHT_MEDIA_CODECS: 'pcma, g722' } }).media.codecs, 'pcma, g722');
    for (const [value, why] of [
      ['G722,G729', /media\.codecs .*"G729", not one of PCMU, PCMA, G722, opus/],
      ['opus,OPUS', /media\.codecs .*names OPUS twice/],
      [' , ', /media\.codecs .*names no codec/],
    ] as const)
      assert.throws(
        () => loadConfig({ env: { CALLSIGHT_MEDIA_CODECS: value } }),
        (err: unknown) => err instanceof CallsightError && why.test(err.message),
        value,
      );
  });

  test('a bad allowed host, user entry or algorithm is refused naming it, and never echoes a password', () => {
    assert.throws(
      () =>
        loadConfig({
          env: {
            CALLSIGHT_SIP_ALLOWED_HOSTS: '192.0.2.0/24, 10.0.0.1/8',
            CALLSIGHT_SIP_AUTH_USERS: 'alice:t0p-secret,bob:',
            CALLSIGHT_SIP_AUTH_ALGORITHMS: 'SHA-256,SHA1',
          },
          file: { sip: { authRealm: 'bad\nrealm' } },
        }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_CONFIG_INVALID');
        assert.match(
          err.message,
          /sip\.allowedHosts \(from CALLSIGHT_SIP_ALLOWED_HOSTS\): allowed host "10\.0\.0\.1\/8"/,
        );
        assert.match(err.message, /did you mean 10\.0\.0\.0\/8/);
        assert.match(
          err.message,
          /sip\.authUsers \(from CALLSIGHT_SIP_AUTH_USERS\): entry 2: user "bob" has an empty password/,
        );
        assert.match(err.message, /sip\.authAlgorithms .*"SHA1"/);
        assert.match(err.message, /sip\.authRealm: must be printable ASCII/);
        assert.ok(!err.message.includes('t0p-secret'), err.message);
        return true;
      },
    );
  });

  test('TLS settings: certificate and key go together, a client allow-list needs the client CAs', () => {
    assert.equal(loadConfig().sip.tlsPort, 5061);
    assert.throws(
      () =>
        loadConfig({
          env: {
            CALLSIGHT_SIP_TLS_CERT_FILE: '/etc/callsight/sip.crt',
            CALLSIGHT_SIP_TLS_CLIENT_ALLOW_LIST: 'sbc1.example.com',
          },
        }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.match(err.message, /sip\.tlsKeyFile: sip\.tlsCertFile and sip\.tlsKeyFile go together/);
        assert.match(
          err.message,
          /sip\.tlsClientAllowList \(from CALLSIGHT_SIP_TLS_CLIENT_ALLOW_LIST\): needs sip\.tlsClientCaFile/,
        );
        return true;
      },
    );
  });

  test('the program refuses a bad setting with exit code 2 and a clear message', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, CALLSIGHT_HTTP_PORT: '99999' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /http\.port \(from CALLSIGHT_HTTP_PORT\)/);
  });

  test('the program refuses a bad allowed host at boot, naming the entry', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { ...process.env, CALLSIGHT_SIP_ALLOWED_HOSTS: '127.0.0.1, trunk.example.com' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(
      result.stderr,
      /sip\.allowedHosts \(from CALLSIGHT_SIP_ALLOWED_HOSTS\): allowed host "trunk\.example\.com"/,
    );
  });
  test('CALLSIGHT_ variables that no setting reads are named, never their values', () => {
    const env = {
      CALLSIGHT_SIP_PORT: '5070', // the setting is CALLSIGHT_SIP_UDP_PORT
      CALLSIGHT_HTTP_PORT: '8081',
      CALLSIGHT_CONFIG: 'callsight.yaml',
      CALLSIGHT_CARRIER_PASSWORD: 'secret',
      CALLSIGHT_AWS_KEY: 'secret',
      CALLSIGHT_TEST_POSTGRES_URL: 'postgres://x',
      PATH: '/usr/bin',
    };
    const file = {
      routes: [{ auth: { username: 'acme', passwordEnv: 'CALLSIGHT_CARRIER_PASSWORD' } }],
      speechEngines: [{ name: 'aws', credentials: { accessKeyId: { env: 'CALLSIGHT_AWS_KEY' } } }],
    };
    assert.deepEqual(unreadVariables(env, file), ['CALLSIGHT_SIP_PORT']);
    assert.deepEqual(unreadVariables(env), [
      'CALLSIGHT_AWS_KEY',
      'CALLSIGHT_CARRIER_PASSWORD',
      'CALLSIGHT_SIP_PORT',
    ]);
  });

  test('the backends default to the embedded ones; other values are refused with their variable', () => {
    const config = loadConfig();
    assert.equal(config.stream.backend, 'sqlite');
    assert.equal(config.database.backend, 'sqlite');
    assert.equal(config.nats.url, 'nats://127.0.0.1:4222');
    assert.equal(config.nats.streamName, 'CALLSIGHT_RECORDS');
    const scaled = loadConfig({
      env: {
        CALLSIGHT_STREAM_BACKEND: 'jetstream',
        CALLSIGHT_DATABASE_BACKEND: 'postgres',
        CALLSIGHT_NATS_REPLICAS: '3',
      },
    });
    assert.deepEqual(
      [scaled.stream.backend, scaled.database.backend, scaled.nats.replicas],
      ['jetstream', 'postgres', 3],
    );
    assert.throws(
      () =>
        loadConfig({ env: { CALLSIGHT_STREAM_BACKEND: 'kafka' }, file: { database: { backend: 'mysql' } } }),
      (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.match(
          err.message,
          /stream\.backend \(from CALLSIGHT_STREAM_BACKEND\): .*"sqlite"\|"jetstream"/,
        );
        assert.match(err.message, /database\.backend: .*"sqlite"\|"postgres"/);
        return true;
      },
    );
  });
});
