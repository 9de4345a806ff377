/**
 * The ConnectionRegistry contract (src/gateway/ConnectionRegistryTypes.ts), run against every
 * implementation by its test file.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidStateError } from '../../src/platform/errors.js';
import type { ConnectionRegistry } from '../../src/gateway/ConnectionRegistryTypes.js';

export type TestRegistry = ConnectionRegistry & { readonly closed: boolean };

export interface RegistryHarness<Spec> {
  readonly name: string;
  readonly skip: () => string | false;
  /** A storage no other test uses. */
  fresh(): Promise<Spec>;
  open(spec: Spec, options?: { flushIntervalMs?: number }): Promise<TestRegistry>;
  /** The last sequence as stored right now, read past the registry (what another process would see). */
  storedLastSequence(spec: Spec, connectionId: string): Promise<unknown>;
}

const filters = { from: null, types: ['transcribe'], callId: null };

export function connectionRegistryContract<Spec>(harness: RegistryHarness<Spec>): void {
  describe(`ConnectionRegistry contract: ${harness.name}`, () => {
    test('tracks connections, batches last-sequence writes, and marks disconnects', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = await harness.fresh();
      const registry = await harness.open(spec, { flushIntervalMs: 100 });
      const stored = () => harness.storedLastSequence(spec, 'a');
      await registry.add({ connectionId: 'a', connectedAt: 1000, remoteAddress: '127.0.0.1:5000', filters });
      await registry.add({ connectionId: 'b', connectedAt: 2000, remoteAddress: '127.0.0.1:5001', filters });
      for (let i = 1; i <= 500; i++) registry.updateLastSequence('a', String(i));
      assert.equal(await stored(), null, 'per-frame updates are not written one by one');
      const deadline = Date.now() + 2000;
      while ((await stored()) !== '500' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.equal(await stored(), '500');

      registry.updateLastSequence('b', '7');
      await registry.markDisconnected('b', 3000);
      const all = await registry.list('all');
      assert.deepEqual(
        all.map((r) => [r.connectionId, r.lastSequenceSent, r.disconnectedAt]),
        [
          ['a', '500', null],
          ['b', '7', 3000],
        ],
      );
      assert.deepEqual(all[0]?.filters, filters);
      assert.equal(all[0]?.remoteAddress, '127.0.0.1:5000');
      assert.equal(all[0]?.connectedAt, 1000);
      assert.deepEqual(
        (await registry.list('active')).map((r) => r.connectionId),
        ['a'],
      );
      await registry.close();
      await registry.close();
      assert.equal(registry.closed, true);

      await assert.rejects(
        registry.add({ connectionId: 'c', connectedAt: 1, remoteAddress: 'x', filters }),
        InvalidStateError,
      );
      await assert.rejects(registry.list('all'), InvalidStateError);
      await assert.rejects(registry.markDisconnected('a'), InvalidStateError);
      assert.throws(() => registry.updateLastSequence('a', '1'), InvalidStateError);

      // A restart means every connection the old process held is gone.
      const reopened = await harness.open(spec);
      assert.deepEqual(await reopened.list('active'), []);
      assert.equal((await reopened.list('all')).length, 2);
      await reopened.close();
    });

    test('close() writes the pending last sequences', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const spec = await harness.fresh();
      const registry = await harness.open(spec, { flushIntervalMs: 60_000 });
      await registry.add({
        connectionId: 'z',
        connectedAt: 5,
        remoteAddress: '[::1]:9',
        filters: { from: '12', types: null, callId: 'c-1' },
      });
      registry.updateLastSequence('z', '41');
      registry.updateLastSequence('z', '42');
      await registry.close();
      assert.equal(await harness.storedLastSequence(spec, 'z'), '42');
      const reopened = await harness.open(spec);
      const [row] = await reopened.list('all');
      assert.deepEqual(row?.filters, { from: '12', types: null, callId: 'c-1' });
      await reopened.close();
    });

    test('updates for many connections in one interval are all written', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const registry = await harness.open(await harness.fresh(), { flushIntervalMs: 50 });
      for (let i = 0; i < 50; i++)
        await registry.add({ connectionId: `c${i}`, connectedAt: i, remoteAddress: 'x', filters });
      for (let i = 0; i < 50; i++) registry.updateLastSequence(`c${i}`, String(i * 10));
      const rows = await registry.list('all');
      assert.deepEqual(
        rows.map((r) => r.lastSequenceSent),
        Array.from({ length: 50 }, (_, i) => String(i * 10)),
      );
      await registry.close();
    });
  });
}
