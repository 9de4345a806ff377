import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { silentLogger } from '../../src/platform/logger.js';
import { WebhookDelivery } from '../../src/events/Webhook.js';
import { freePort } from '../helpers/ports.js';

interface Received {
  readonly body: unknown;
  readonly raw: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly at: number;
}

/** A real HTTP endpoint whose answers the test scripts, one status per request. */
class Endpoint {
  readonly received: Received[] = [];
  statuses: number[] = [];
  server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        this.received.push({ body: JSON.parse(body), raw: body, headers: request.headers, at: Date.now() });
        response.writeHead(this.statuses.shift() ?? 200).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hook`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

function delivery(url: string, deadLetters: unknown[][], maxAttempts = 4) {
  return new WebhookDelivery({
    url,
    maxAttempts,
    initialBackoffMs: 40,
    timeoutMs: 1000,
    logger: silentLogger,
    deadLetter: (payload, error, attempts) => deadLetters.push([payload, error, attempts]),
  });
}

describe('WebhookDelivery', () => {
  const endpoint = new Endpoint();
  before(() => endpoint.start());
  after(() => endpoint.stop());

  test('retries 5xx with growing backoff until the endpoint accepts, then delivers once', async () => {
    endpoint.received.length = 0;
    endpoint.statuses = [503, 500, 200];
    const deadLetters: unknown[][] = [];
    const webhook = delivery(endpoint.url, deadLetters);
    webhook.send({ n: 1 });
    await webhook.close();
    assert.equal(endpoint.received.length, 3);
    assert.deepEqual(deadLetters, []);
    assert.equal(webhook.delivered, 1);
    // Lower bounds only (a busy machine can stretch a wait, never shorten it): the second wait is
    // at least 80 ms × 0.8, longer than the first's longest (40 ms × 1.2).
    const [first, second, third] = endpoint.received.map((r) => r.at);
    assert.ok(second! - first! >= 40 * 0.8 - 1, 'first retry waits its backoff');
    assert.ok(third! - second! >= 80 * 0.8 - 1, 'backoff grows');
  });

  test('signed the Standard Webhooks way: one webhook-id across retries, a fresh timestamp, v1 HMAC-SHA256 a receiver can check', async () => {
    endpoint.received.length = 0;
    endpoint.statuses = [503, 200];
    const key = randomBytes(32);
    const webhook = new WebhookDelivery({
      url: endpoint.url,
      maxAttempts: 3,
      initialBackoffMs: 20,
      timeoutMs: 1000,
      signingSecret: `whsec_${key.toString('base64')}`,
      logger: silentLogger,
      deadLetter: () => assert.fail('not dead-lettered'),
    });
    webhook.send({ n: 'signed' });
    await webhook.close();
    assert.equal(endpoint.received.length, 2);
    const [first, retry] = endpoint.received as [Received, Received];
    assert.match(String(first.headers['webhook-id']), /^msg_[\w-]+$/);
    assert.equal(retry.headers['webhook-id'], first.headers['webhook-id'], 'receivers drop replays by id');
    for (const { headers, raw } of endpoint.received) {
      const timestamp = Number(headers['webhook-timestamp']);
      assert.ok(Math.abs(Date.now() / 1000 - timestamp) < 30, 'a current timestamp');
      const expected = createHmac('sha256', key)
        .update(`${String(headers['webhook-id'])}.${timestamp}.${raw}`)
        .digest('base64');
      assert.equal(headers['webhook-signature'], `v1,${expected}`);
    }
    endpoint.statuses = [];
    const unsigned = delivery(endpoint.url, []);
    unsigned.send({ n: 'plain' });
    await unsigned.close();
    assert.equal(
      endpoint.received.at(-1)!.headers['webhook-signature'],
      undefined,
      'no secret, no signature',
    );
  });

  test('keeps payloads in order, one at a time', async () => {
    endpoint.received.length = 0;
    endpoint.statuses = [200, 503, 200, 200];
    const webhook = delivery(endpoint.url, []);
    for (let n = 1; n <= 3; n++) webhook.send({ n });
    await webhook.close();
    assert.deepEqual(
      endpoint.received.map((r) => (r.body as { n: number }).n),
      [1, 2, 2, 3],
    );
  });

  test('a 4xx is not retried: the payload goes to the dead letter at once', async () => {
    endpoint.received.length = 0;
    endpoint.statuses = [400];
    const deadLetters: unknown[][] = [];
    const webhook = delivery(endpoint.url, deadLetters);
    webhook.send({ n: 'bad' });
    await webhook.close();
    assert.equal(endpoint.received.length, 1);
    assert.deepEqual(deadLetters, [[{ n: 'bad' }, 'HTTP 400', 1]]);
  });

  test('an unreachable endpoint dead-letters after the last attempt', async () => {
    const deadLetters: unknown[][] = [];
    const webhook = delivery(`http://127.0.0.1:${await freePort()}/nobody`, deadLetters, 3);
    webhook.send({ n: 'lost?' });
    await webhook.close();
    assert.equal(deadLetters.length, 1);
    assert.deepEqual(deadLetters[0]![0], { n: 'lost?' });
    assert.equal(deadLetters[0]![2], 3);
    assert.equal(webhook.delivered, 0);
  });

  test('abort() stops retrying and dead-letters what is left; send after close is dead-lettered', async () => {
    endpoint.statuses = Array<number>(50).fill(503);
    const deadLetters: unknown[][] = [];
    const webhook = delivery(endpoint.url, deadLetters, 20);
    webhook.send({ n: 1 });
    webhook.send({ n: 2 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    webhook.abort();
    await webhook.idle();
    webhook.send({ n: 3 });
    assert.deepEqual(
      deadLetters.map((d) => (d[0] as { n: number }).n),
      [1, 2, 3],
    );
    endpoint.statuses = [];
  });
});
