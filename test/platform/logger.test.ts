import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/platform/logger.js';

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
