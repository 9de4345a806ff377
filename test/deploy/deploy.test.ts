import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { loadConfig } from '../../src/app/config/Config.js';
import { OPTIONS } from '../../src/app/config/ConfigOptions.js';
import { parseRoles } from '../../src/app/roles/Roles.js';

/*
 * The deploy/ files cannot be run here (no container registry, no systemd): this checks that what
 * they use exists in the program — its entry point, command-line flags, CALLSIGHT_* variables and
 * their values, ports, the health route, the signal it stops on, and the Debian packages it needs.
 */

const ROOT = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), 'utf8');
const ENV_NAMES = new Set(OPTIONS.map((o) => o.env));
const defaultOf = (env: string) => OPTIONS.find((o) => o.env === env)!.default;
const MAIN = 'dist/src/main.js';

/** The CALLSIGHT_* names a text sets or reads. */
function envNamesIn(text: string): string[] {
  return [...new Set([...text.matchAll(/\bCALLSIGHT_[A-Z0-9_]+/g)].map(([name]) => name))];
}

/** Flags passed to main: --role ROLES and --config FILE are the ones it takes besides --help/--version. */
function checkArgs(args: readonly string[], where: string): void {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--role') assert.ok(parseRoles(args[++i] ?? '') !== null, `${where}: --role ${args[i]}`);
    else if (arg === '--config') i++;
    else assert.fail(`${where}: main.ts takes no ${arg}`);
  }
}

describe('deploy/Dockerfile', () => {
  const dockerfile = read('deploy/Dockerfile');

  test('multi-stage on Debian, non-root, with the pocketsphinx packages the program loads', () => {
    const stages = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map(([, image]) => image!);
    assert.equal(stages.length, 2);
    for (const image of stages) assert.match(image, /bookworm/, 'Debian');
    assert.match(dockerfile, /^USER callsight$/m);
    // The packages scripts/ensure-deps.sh installs for running (the library and the model).
    for (const pkg of ['libpocketsphinx3', 'pocketsphinx-en-us']) {
      assert.ok(dockerfile.includes(pkg), pkg);
      assert.ok(read('scripts/ensure-deps.sh').includes(`[${pkg}]`), `ensure-deps.sh knows ${pkg}`);
    }
  });

  test('runs the built entry point; copies what exists after npm run build', () => {
    const entry = /^ENTRYPOINT \[(.*)\]$/m.exec(dockerfile)![1]!;
    assert.deepEqual(JSON.parse(`[${entry}]`), ['node', MAIN]);
    assert.equal((JSON.parse(read('package.json')) as { bin: { callsight: string } }).bin.callsight, MAIN);
    for (const [, from] of dockerfile.matchAll(/^COPY --from=build \/src\/(\S+) /gm))
      assert.ok(existsSync(new URL(from!, ROOT)), `${from} exists after the build`);
    assert.match(dockerfile, /npm ci/);
    assert.match(dockerfile, /npm run build/);
  });

  test('its variables are settings, its ports their defaults, its health check /healthz', () => {
    const env = Object.fromEntries(
      [...dockerfile.matchAll(/(CALLSIGHT_[A-Z0-9_]+)=(\S+)/g)].map(([, name, value]) => [name!, value!]),
    );
    for (const name of envNamesIn(dockerfile)) assert.ok(ENV_NAMES.has(name), name);
    loadConfig({ env });
    const exposed = /^EXPOSE (.*)$/m.exec(dockerfile)![1]!.split(/\s+/);
    assert.ok(exposed.includes(`${defaultOf('CALLSIGHT_SIP_UDP_PORT')}/udp`));
    assert.ok(exposed.includes(`${defaultOf('CALLSIGHT_SIP_TCP_PORT')}/tcp`));
    assert.ok(exposed.includes(`${defaultOf('CALLSIGHT_HTTP_PORT')}/tcp`));
    assert.ok(exposed.includes(`${env.CALLSIGHT_RTP_PORT_MIN}-${env.CALLSIGHT_RTP_PORT_MAX}/udp`));
    assert.match(/^HEALTHCHECK .*$/m.exec(dockerfile)![0], /HEALTHCHECK --interval/);
    assert.match(dockerfile, /\/healthz/);
    assert.match(read('src/gateway/HealthRoutes.ts'), /app\.get\(\s*'\/healthz'/);
  });
});

describe('deploy/compose.yaml', () => {
  interface Service {
    image?: string;
    command?: string[];
    environment?: Record<string, string>;
    ports?: string[];
  }
  const compose = parse(read('deploy/compose.yaml'), { merge: true }) as {
    services: Record<string, Service>;
  };
  const services = compose.services;

  test('the scale-out topology: NATS with JetStream, PostgreSQL, an S3-compatible store, sip, two workers, a gateway', () => {
    assert.ok(services.nats?.command?.includes('-js'));
    assert.match(services.postgres?.image ?? '', /^postgres/);
    assert.match(services.minio?.image ?? '', /^minio/);
    const roles = Object.entries(services)
      .filter(([, s]) => s.command?.includes('--role'))
      .map(([name, s]) => [name, s.command![s.command!.indexOf('--role') + 1]]);
    assert.deepEqual(roles.map(([, role]) => role).sort(), ['gateway', 'sip', 'worker', 'worker']);
  });

  test("each Callsight service's flags, variables and values are ones the program takes", () => {
    for (const [name, service] of Object.entries(services)) {
      if (!service.command?.includes('--role')) continue;
      checkArgs(service.command, name);
      const env = Object.fromEntries(
        Object.entries(service.environment ?? {}).map(([k, v]) => [
          k,
          String(v).replace(/\$\{[^:}]+:-([^}]*)\}/, '$1'),
        ]),
      );
      for (const key of Object.keys(env).filter((k) => k.startsWith('CALLSIGHT_')))
        assert.ok(ENV_NAMES.has(key), `${name}: ${key}`);
      const role = service.command[service.command.indexOf('--role') + 1]!;
      // The role's requirements (JetStream, PostgreSQL) are met by these settings: the loader says so.
      const config = loadConfig({ env: { ...env, CALLSIGHT_ROLE: role } });
      assert.equal(config.stream.backend, 'jetstream', name);
      assert.equal(config.database.backend, 'postgres', name);
      assert.match(config.nats.url, /^nats:\/\/nats:4222$/);
      assert.match(config.database.url, /@postgres:5432\//);
      assert.equal(new URL(config.recording.s3Endpoint).hostname, 'minio');
    }
  });

  test('published ports are the defaults the processes listen on', () => {
    const sipPort = String(defaultOf('CALLSIGHT_SIP_UDP_PORT'));
    assert.ok(services.sip?.ports?.includes(`${sipPort}:${sipPort}/udp`));
    const httpPort = String(defaultOf('CALLSIGHT_HTTP_PORT'));
    assert.ok(services.gateway?.ports?.includes(`${httpPort}:${httpPort}`));
  });
});

describe('deploy/callsight.service', () => {
  const unit = read('deploy/callsight.service');

  test('starts the built entry point and stops it with the signal main.ts handles', () => {
    const exec = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(/\s+/);
    assert.equal(exec[0], '/usr/bin/node');
    assert.ok(exec[1]!.endsWith(`/${MAIN}`));
    checkArgs(exec.slice(2), 'ExecStart');
    assert.match(unit, /^KillSignal=SIGTERM$/m);
    assert.match(read('src/main.ts'), /process\.on\('SIGINT', stop\)\.on\('SIGTERM', stop\)/);
    assert.match(unit, /^User=callsight$/m);
  });

  test('its variables are settings with valid values', () => {
    const env = Object.fromEntries(
      [...unit.matchAll(/^Environment=(CALLSIGHT_[A-Z0-9_]+)=(\S+)$/gm)].map(([, k, v]) => [k!, v!]),
    );
    for (const name of envNamesIn(unit)) assert.ok(ENV_NAMES.has(name) || name === 'CALLSIGHT_CONFIG', name);
    assert.equal(loadConfig({ env }).dataDir, '/var/lib/callsight');
    assert.match(unit, /^ReadWritePaths=\/var\/lib\/callsight$/m);
  });
});
