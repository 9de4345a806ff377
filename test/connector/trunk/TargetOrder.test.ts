import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { orderTargets } from '../../../src/connector/trunk/TargetOrder.js';

const target = (name: string, priority: number, weight = 1) => ({ name, priority, weight });

/** A seeded generator (mulberry32), so that the shares below are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('orderTargets: priority, then weight', () => {
  test('lower priority values first, whatever the order of the list', () => {
    const order = orderTargets([target('c', 3), target('a', 1), target('b', 2)]);
    assert.deepEqual(
      order.map((t) => t.name),
      ['a', 'b', 'c'],
    );
  });

  test('among equal priorities, each goes first in proportion to its weight; every target is still tried', () => {
    const random = seeded(7);
    const firsts = new Map<string, number>();
    const runs = 20_000;
    for (let i = 0; i < runs; i++) {
      const order = orderTargets(
        [target('a', 1, 3), target('b', 1, 1), target('backup', 2, 50)],
        undefined,
        random,
      );
      assert.deepEqual(order.map((t) => t.name).sort(), ['a', 'b', 'backup']);
      assert.equal(order[2]!.name, 'backup', 'a higher priority value never goes before a lower one');
      firsts.set(order[0]!.name, (firsts.get(order[0]!.name) ?? 0) + 1);
    }
    const shareA = firsts.get('a')! / runs;
    // 3 of 4 expected; with 20 000 draws the standard deviation is 0.3 points.
    assert.ok(Math.abs(shareA - 0.75) < 0.015, `a went first in ${(shareA * 100).toFixed(1)} % of calls`);
  });

  test('the second place is drawn among those left: weights 2, 1, 1 give the heavy one second place 1 time in 3 when it lost the first', () => {
    const random = seeded(11);
    let heavySecond = 0;
    let heavyNotFirst = 0;
    for (let i = 0; i < 20_000; i++) {
      const order = orderTargets(
        [target('x', 5, 2), target('y', 5, 1), target('z', 5, 1)],
        undefined,
        random,
      );
      if (order[0]!.name === 'x') continue;
      heavyNotFirst++;
      if (order[1]!.name === 'x') heavySecond++;
    }
    // After y (or z) went first: x has 2 of the 3 weight left.
    assert.ok(Math.abs(heavySecond / heavyNotFirst - 2 / 3) < 0.02, `${heavySecond}/${heavyNotFirst}`);
  });

  test('targets that are not usable (down) are left out', () => {
    const order = orderTargets([target('a', 1), target('b', 1), target('c', 2)], (t) => t.name !== 'a');
    assert.deepEqual(order.map((t) => t.name).sort(), ['b', 'c']);
    assert.deepEqual(
      orderTargets([target('a', 1)], () => false),
      [],
    );
  });
});
