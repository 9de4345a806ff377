import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { Baresip, baresipAvailable } from '../helpers/baresip.js';
import { startCallsight, type RunningCallsight, authFetch } from '../helpers/callsight.js';
import { freePort } from '../helpers/ports.js';
import {
  SIPP,
  runScenario,
  sippAvailable,
  startScenarioServer,
  type ScenarioServer,
} from '../helpers/sipp.js';

/*
 * A route's trunk towards real SIP peers on loopback (SIPp scenarios and baresip as the targets,
 * SIPp as the caller): digest challenges answered, failover by priority over a silent target and a
 * 503, a wrong password ending in the route's 503, and OPTIONS pings marking targets down and up.
 */

const SCENARIOS = fileURLToPath(new URL('../scenarios/', import.meta.url));
const PASSWORD = 'carrier-s3cret-7';
/** Each target's timeoutSec: the silent target costs this much before the next is tried. */
const TIMEOUT_SEC = 2;

interface RouteStateView {
  readonly name: string;
  readonly authentication: { readonly username: string } | null;
  readonly targets: readonly {
    uri: string;
    priority: number;
    state: string;
    lastStatus: number | null;
    rttMs: number | null;
    lastChange: string | null;
  }[];
}

/** The built app with these routes, speech recognition off. */
function startWithRoutes(
  routes: unknown[],
  scratch: string[],
  env: Record<string, string>,
): Promise<RunningCallsight> {
  const dir = mkdtempSync(join(tmpdir(), 'callsight-trunk-'));
  scratch.push(dir);
  const config = join(dir, 'callsight.yaml');
  writeFileSync(config, stringify({ routes }));
  return startCallsight({
    env: {
      CALLSIGHT_CONFIG: config,
      CALLSIGHT_SIP_ADVERTISED_ADDRESS: '127.0.0.1',
      CALLSIGHT_ASR_ENABLED: 'false',
      ...env,
    },
  });
}

/** sipp calls `number` through Callsight; resolves with what the caller got and how long it took. */
async function callThrough(app: RunningCallsight, number: string): Promise<{ outcome: string; ms: number }> {
  const started = Date.now();
  const run = await runScenario(join(SCENARIOS, 'uac-routed.xml'), app.sipPort, { args: ['-s', number] });
  const outcome = (await run.waitForLog(/^(answered|refused 503)$/, 30_000))[1]!;
  const ms = Date.now() - started;
  const exit = await run.exited;
  assert.equal(
    exit.exitCode,
    0,
    `the caller's sipp failed:\n${exit.output}\n--- callsight ---\n${app.stderr()}`,
  );
  return { outcome, ms };
}

/** Waits for a log line (pino writes asynchronously: the caller may hear the 503 first). */
async function logged(app: RunningCallsight, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!pattern.test(app.stdout())) {
    if (Date.now() > deadline) assert.fail(`no log line matches ${pattern}:\n${app.stdout().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe(
  'trunk failover and authentication against SIPp targets',
  { skip: !sippAvailable && `${SIPP} is missing` },
  () => {
    const scratch: string[] = [];
    const servers: ScenarioServer[] = [];
    let app: RunningCallsight;
    let silentPort: number;
    let unavailable: ScenarioServer;
    let carrier: ScenarioServer;
    let wrongPassword: ScenarioServer;

    before(async () => {
      silentPort = await freePort();
      [unavailable, carrier, wrongPassword] = await Promise.all([
        startScenarioServer(join(SCENARIOS, 'uas-503.xml')),
        startScenarioServer(join(SCENARIOS, 'uas-auth.xml'), { injection: [PASSWORD] }),
        startScenarioServer(join(SCENARIOS, 'uas-auth.xml'), { injection: ['the-carrier-expects-this'] }),
      ]);
      servers.push(unavailable, carrier, wrongPassword);
      const auth = { username: 'acme', passwordEnv: 'TRUNK_PASSWORD' };
      app = await startWithRoutes(
        [
          {
            name: 'carrier',
            match: { toNumber: ['+15550100'] },
            // Listed out of order: priority decides.
            targets: [
              { uri: `sip:127.0.0.1:${carrier.port}`, priority: 3 },
              { uri: `sip:127.0.0.1:${silentPort}`, priority: 1 },
              { uri: `sip:127.0.0.1:${unavailable.port}`, priority: 2 },
            ],
            auth,
            timeoutSec: TIMEOUT_SEC,
            direction: 'Outbound',
          },
          {
            name: 'wrong-password',
            match: { toNumber: ['+15550200'] },
            target: `sip:127.0.0.1:${wrongPassword.port}`,
            auth,
            timeoutSec: TIMEOUT_SEC,
          },
        ],
        scratch,
        {
          // Pings would mark the silent target down and skip it: this suite tests the timeout.
          CALLSIGHT_TARGET_PING_INTERVAL_SEC: '0',
          TRUNK_PASSWORD: PASSWORD,
          LOG_LEVEL: 'debug',
        },
      );
    });

    after(async () => {
      const code = await app?.stop();
      await Promise.all(servers.map((s) => s.stop()));
      for (const dir of [...scratch, app?.dataDir ?? ''])
        if (dir) rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, app?.stderr());
    });

    test('the call falls over from the silent target (timeout) and the 503 one to the one that challenges, and is answered', async () => {
      const { outcome, ms } = await callThrough(app, '+15550100');
      assert.equal(outcome, 'answered', app.stdout().slice(-6000));
      assert.ok(ms >= TIMEOUT_SEC * 1000, `the silent target was given ${TIMEOUT_SEC} s first (${ms} ms)`);
      await unavailable.waitForLog(/^503 acknowledged$/);
      // The carrier saw the INVITE without credentials, the ACK of its 401, then CSeq 2 with a right answer.
      await carrier.waitForLog(/^first INVITE: 1 INVITE authorization $/);
      await carrier.waitForLog(/^challenge acknowledged: 1 ACK$/);
      await carrier.waitForLog(/^second INVITE: 2 INVITE$/);
      await carrier.waitForLog(/^credentials accepted$/);
      const exit = await carrier.exited;
      assert.equal(exit.exitCode, 0, `the carrier's sipp: ${exit.output}`);
      assert.equal((await unavailable.exited).exitCode, 0);
    });

    test('a wrong password: the second 401 is ACKed and ends the route with 503 for the caller (CS_ERR_TRUNK_AUTH_FAILED)', async () => {
      const { outcome } = await callThrough(app, '+15550200');
      assert.equal(outcome, 'refused 503');
      await wrongPassword.waitForLog(/^credentials refused$/);
      const exit = await wrongPassword.exited;
      assert.equal(exit.exitCode, 0, `the carrier's sipp: ${exit.output}`);
      await logged(app, /"code":"CS_ERR_TRUNK_AUTH_FAILED"[^\n]*"route":"wrong-password"[^\n]*"user":"acme"/);
      await logged(app, /"code":"CS_ERR_TRUNK_UNAVAILABLE"[^\n]*"route":"wrong-password"/);
    });

    test('GET /api/routes names the username, and no log line holds the password', async () => {
      const res = await authFetch(`http://127.0.0.1:${app.httpPort}/api/routes`);
      const text = await res.text();
      const { routes } = JSON.parse(text) as { routes: RouteStateView[] };
      assert.deepEqual(
        routes.find((r) => r.name === 'carrier')?.targets.map((t) => [t.priority, t.state]),
        [
          [3, 'unknown'],
          [1, 'unknown'],
          [2, 'unknown'],
        ],
        'pings are off: every target unknown, listed as configured',
      );
      assert.deepEqual(routes[0]?.authentication, { username: 'acme' });
      for (const where of [text, app.stdout(), app.stderr()]) assert.ok(!where.includes(PASSWORD));
    });
  },
);

describe(
  'OPTIONS pings: down targets are skipped until they answer again',
  {
    skip:
      (!sippAvailable && `${SIPP} is missing`) ||
      (!baresipAvailable && 'baresip (Debian) with aufile, aubridge, sndfile, ctrl_tcp is not installed'),
  },
  () => {
    const scratch: string[] = [];
    let app: RunningCallsight;
    let desk: Baresip;
    let downPort: number;
    let revived: ScenarioServer | null = null;
    const routes = async () =>
      (
        (await (await authFetch(`http://127.0.0.1:${app.httpPort}/api/routes`)).json()) as {
          routes: RouteStateView[];
        }
      ).routes[0]!;
    const waitFor = async (what: string, ok: (route: RouteStateView) => boolean) => {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const route = await routes();
        if (ok(route)) return route;
        if (Date.now() > deadline) assert.fail(`${what}: ${JSON.stringify(route)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    before(async () => {
      downPort = await freePort();
      desk = await Baresip.start({ user: '+15550300', answerMode: 'auto' });
      app = await startWithRoutes(
        [
          {
            name: 'monitored',
            targets: [
              { uri: `sip:127.0.0.1:${downPort}`, priority: 1 },
              { uri: `sip:127.0.0.1:${desk.sipPort}`, priority: 2 },
            ],
            timeoutSec: 5,
          },
        ],
        scratch,
        { CALLSIGHT_TARGET_PING_INTERVAL_SEC: '1' },
      );
    });

    after(async () => {
      const code = await app?.stop();
      await desk?.stop();
      await revived?.stop();
      for (const dir of [...scratch, app?.dataDir ?? ''])
        if (dir) rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, app?.stderr());
    });

    test('the silent target is down, baresip up (it answers OPTIONS 404: any final answer will do), with the round trip, in /api/routes and /metrics', async () => {
      const route = await waitFor(
        'one down, one up',
        (r) => r.targets[0]?.state === 'down' && r.targets[1]?.state === 'up',
      );
      const [down, up] = route.targets;
      assert.equal(down!.lastStatus, null);
      assert.equal(up!.lastStatus, 404);
      assert.ok(up!.rttMs !== null && up!.rttMs > 0 && up!.rttMs < 1000, `rtt ${up!.rttMs} ms`);
      assert.ok(up!.lastChange !== null && !Number.isNaN(Date.parse(up!.lastChange)));
      const metrics = await (await authFetch(`http://127.0.0.1:${app.httpPort}/metrics`)).text();
      assert.match(
        metrics,
        new RegExp(`callsight_trunk_target_up\\{target="sip:127\\.0\\.0\\.1:${downPort}"\\} 0`),
      );
      assert.match(
        metrics,
        new RegExp(`callsight_trunk_target_up\\{target="sip:127\\.0\\.0\\.1:${desk.sipPort}"\\} 1`),
      );
      const count = new RegExp(
        `callsight_trunk_target_options_rtt_seconds_count\\{target="sip:127\\.0\\.0\\.1:${desk.sipPort}"\\} (\\d+)`,
      ).exec(metrics);
      assert.ok(count && Number(count[1]) >= 1, 'the histogram has the answered pings');
    });

    test('a call skips the down target: baresip answers at once, not after the 5 s timeout', async () => {
      await waitFor('the first target down', (r) => r.targets[0]?.state === 'down');
      const { outcome, ms } = await callThrough(app, '+15550300');
      assert.equal(outcome, 'answered');
      assert.ok(ms < 4000, `answered in ${ms} ms`);
    });

    test('once something answers OPTIONS on the down port, the target is up again', async () => {
      const before = (await routes()).targets[0]!;
      assert.equal(before.state, 'down');
      revived = await startScenarioServer(join(SCENARIOS, 'uas-options.xml'), {
        port: downPort,
        calls: 1000,
      });
      const after = (await waitFor('the first target up again', (r) => r.targets[0]?.state === 'up'))
        .targets[0]!;
      assert.equal(after.lastStatus, 200);
      assert.ok(Date.parse(after.lastChange!) > Date.parse(before.lastChange!), 'lastChange moved');
    });
  },
);
