import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as tick } from 'node:timers/promises';
import { pino } from 'pino';
import { CallsightError } from '../../src/platform/errors.js';
import { ResourceStack } from '../../src/platform/ResourceStack.js';

/** A stack whose log lines the test reads, and a record of what closed, in order. */
function stack() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { stack: new ResourceStack(logger), closed: [] as string[], lines };
}

describe('ResourceStack', () => {
  test('closes the parts newest first, each after the one before has finished', async () => {
    const { stack: s, closed } = stack();
    s.defer('first', () => closed.push('first'));
    s.defer('second', async () => {
      await tick();
      closed.push('second');
    });
    const third = s.adopt('third', { name: 'third' }, (r) => void closed.push(r.name));
    assert.deepEqual(third, { name: 'third' });
    const fourth = s.use('fourth', { close: () => closed.push('fourth') });
    assert.equal(typeof fourth.close, 'function');
    await s.closeAll();
    assert.deepEqual(closed, ['fourth', 'third', 'second', 'first']);
  });

  test('a part that fails to close is logged, the others still close, then closeAll rejects with its error', async () => {
    const { stack: s, closed, lines } = stack();
    s.defer('database', () => closed.push('database'));
    s.defer('stream', () => {
      throw new Error('stream would not close');
    });
    s.defer('http', () => closed.push('http'));
    await assert.rejects(s.closeAll(), /stream would not close/);
    assert.deepEqual(closed, ['http', 'database']);
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.msg, 'failed to close');
    assert.equal(lines[0]!.part, 'stream');
    assert.equal(lines[0]!.level, 50);
  });

  test('several failures reject with an AggregateError holding each', async () => {
    const { stack: s, lines } = stack();
    s.defer('a', () => Promise.reject(new Error('a failed')));
    s.defer('b', () => Promise.reject(new Error('b failed')));
    const err = await s.closeAll().then(
      () => assert.fail('closeAll resolved'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof AggregateError, 'an AggregateError');
    assert.deepEqual(
      err.errors.map((e: Error) => e.message),
      ['b failed', 'a failed'],
    );
    assert.deepEqual(
      lines.map((l) => l.part),
      ['b', 'a'],
    );
  });

  test('closeAll is idempotent: each part closes once, every call gets the same outcome', async () => {
    const { stack: s, closed } = stack();
    s.defer('only', () => closed.push('only'));
    const first = s.closeAll();
    assert.equal(s.closeAll(), first);
    await first;
    await s.closeAll();
    assert.deepEqual(closed, ['only']);
  });

  test('a start that fails at part 4 closes parts 3, 2, 1 and throws the start error, not a close error', async () => {
    const { stack: s, closed, lines } = stack();
    const start = s.open(async () => {
      for (const part of ['1', '2']) {
        await tick();
        s.defer(part, () => closed.push(part));
      }
      s.defer('3', () => {
        closed.push('3');
        throw new Error('part 3 could not close either');
      });
      throw new Error('part 4 could not start');
    });
    await assert.rejects(start, /part 4 could not start/);
    assert.deepEqual(closed, ['3', '2', '1']);
    assert.deepEqual(
      lines.map((l) => l.part),
      ['3'],
    );
  });

  test('a start that succeeds leaves the parts open', async () => {
    const { stack: s, closed } = stack();
    const result = await s.open(async () => {
      s.defer('1', () => closed.push('1'));
      await tick();
      return 'running';
    });
    assert.equal(result, 'running');
    assert.deepEqual(closed, []);
    await s.closeAll();
    assert.deepEqual(closed, ['1']);
  });

  test('a part pushed once closing has begun is refused', async () => {
    const { stack: s } = stack();
    await s.closeAll();
    assert.throws(
      () => s.defer('late', () => undefined),
      (err: unknown) => err instanceof CallsightError && err.code === 'CS_ERR_CLOSED',
    );
  });
});
