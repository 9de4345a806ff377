import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/logger.js';

/** A destination that keeps what is written, claiming to be a terminal or not. */
function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, text: () => chunks.join('') };
}

describe('createLogger', () => {
  test('JSON lines when the destination is not a terminal', () => {
    const { stream, text } = sink(false);
    createLogger('info', stream).info({ callId: 'c-1' }, 'call started');
    const line = JSON.parse(text().trim()) as Record<string, unknown>;
    assert.equal(line.msg, 'call started');
    assert.equal(line.callId, 'c-1');
    assert.equal(line.service, 'callsight');
    assert.equal(line.level, 30);
  });

  test('human-readable lines on a terminal: time, level, message, fields; no JSON', () => {
    const { stream, text } = sink(true);
    const logger = createLogger('info', stream);
    logger.info({ callId: 'c-1' }, 'call started');
    logger.debug('not at this level');
    const out = text();
    assert.throws(() => JSON.parse(out.trim().split('\n')[0]!));
    assert.match(out, /\d\d:\d\d:\d\d\.\d{3}/);
    assert.match(out, /INFO/);
    assert.match(out, /call started/);
    assert.match(out, /callId: "c-1"/);
    assert.doesNotMatch(out, /not at this level/);
  });

  test('credentials are redacted from log lines, at the top and one level down', async () => {
    let out = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        out += chunk.toString();
        done();
      },
    });
    const logger = createLogger('info', sink);
    logger.info({ password: 'hunter2-secret', user: { name: 'ann', token: 'cs_leaky' } }, 'one');
    logger.info(
      { req: { headers: { authorization: 'Bearer cs_leaky2', cookie: 'callsight_session=abc' } } },
      'two',
    );
    logger.child({ secret: 'whsec_x' }).info('three');
    await new Promise((resolve) => setImmediate(resolve));
    for (const leaked of ['hunter2-secret', 'cs_leaky', 'cs_leaky2', 'callsight_session=abc', 'whsec_x'])
      assert.ok(!out.includes(leaked), `${leaked} in ${out}`);
    assert.match(out, /"name":"ann"/);
    assert.equal((out.match(/\[redacted\]/g) ?? []).length, 5);
  });
});
