import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry } from 'prom-client';
import { HealthServer } from '../../../src/app/roles/HealthServer.js';
import { silentLogger } from '../../../src/platform/logger.js';

let server: HealthServer;
let base: string;
const registry = new Registry();
let pipelines = 0;

before(async () => {
  new Counter({ name: 'callsight_test_total', help: 'a test counter', registers: [registry] }).inc(3);
  server = await HealthServer.start({
    host: '127.0.0.1',
    port: 0,
    registry,
    details: () => ({ role: 'worker', pipelines }),
    logger: silentLogger,
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(() => server.close());

describe('HealthServer (a sip or worker process)', () => {
  test('/healthz is a 503 CS_ERR_NOT_READY error with the role details until ready, then 200', async () => {
    pipelines = 2;
    const starting = await fetch(`${base}/healthz`);
    assert.equal(starting.status, 503);
    assert.deepEqual(await starting.json(), {
      code: 'CS_ERR_NOT_READY',
      exception: 'ServiceUnavailableException',
      message: 'Callsight is starting',
      details: { status: 'starting', role: 'worker', pipelines: 2 },
    });
    server.setReady(true);
    const ready = await fetch(`${base}/healthz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ok', role: 'worker', pipelines: 2 });
  });

  test('/metrics is Prometheus text; any other path is a 404 with the one error body', async () => {
    assert.match(await (await fetch(`${base}/metrics`)).text(), /^callsight_test_total 3$/m);
    const missing = await fetch(`${base}/api/calls`);
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), {
      code: 'CS_ERR_NOT_FOUND',
      exception: 'NotFoundException',
      message: 'no route for GET /api/calls',
    });
  });
});
