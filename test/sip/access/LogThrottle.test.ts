import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LogThrottle } from '../../../src/sip/access/LogThrottle.js';

function throttle(options: { intervalMs?: number; maxLinesPerInterval?: number } = {}) {
  let now = 0;
  const log = new LogThrottle({ intervalMs: 1000, maxLinesPerInterval: 5, ...options, now: () => now });
  return { log, advance: (ms: number) => (now += ms) };
}

describe('LogThrottle', () => {
  test('one line per source per interval; the next one says how many were held back', () => {
    const { log, advance } = throttle();
    assert.deepEqual(log.admit('192.0.2.1'), { suppressed: 0, othersSuppressed: 0 });
    for (let i = 0; i < 9; i++) assert.equal(log.admit('192.0.2.1'), null);
    advance(999);
    assert.equal(log.admit('192.0.2.1'), null);
    advance(1);
    assert.deepEqual(log.admit('192.0.2.1'), { suppressed: 10, othersSuppressed: 0 });
    assert.equal(log.admit('192.0.2.1'), null);
  });

  test('sources are throttled independently', () => {
    const { log } = throttle();
    assert.ok(log.admit('192.0.2.1'));
    assert.ok(log.admit('192.0.2.2'));
    assert.equal(log.admit('192.0.2.1'), null);
    assert.equal(log.admit('192.0.2.2'), null);
  });

  test('a flood from many sources (spoofed) writes at most the global budget, and reports the rest', () => {
    const { log, advance } = throttle({ maxLinesPerInterval: 3 });
    let written = 0;
    for (let i = 0; i < 10_000; i++) if (log.admit(`10.0.${i >> 8}.${i & 0xff}`)) written++;
    assert.equal(written, 3);
    assert.ok(log.trackedKeys <= 3, `memory stays bounded: ${log.trackedKeys} keys`);
    advance(1000);
    assert.deepEqual(log.admit('198.51.100.1'), { suppressed: 0, othersSuppressed: 9_997 });
    assert.deepEqual(log.admit('198.51.100.2'), { suppressed: 0, othersSuppressed: 0 });
  });

  test('held-back lines of a source that went quiet are not lost', () => {
    const { log, advance } = throttle();
    log.admit('192.0.2.1');
    log.admit('192.0.2.1');
    log.admit('192.0.2.1');
    advance(5000);
    // The quiet source is forgotten when another one logs: its count goes with that line.
    assert.deepEqual(log.admit('192.0.2.9'), { suppressed: 0, othersSuppressed: 2 });
    assert.equal(log.trackedKeys, 1);
  });

  test('a source over the global budget keeps its own count for later', () => {
    const { log, advance } = throttle({ maxLinesPerInterval: 1 });
    assert.ok(log.admit('a'));
    assert.equal(log.admit('b'), null);
    advance(1000);
    assert.deepEqual(log.admit('b'), { suppressed: 0, othersSuppressed: 1 });
  });
});
