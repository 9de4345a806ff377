/** The PostCallStore contract (src/pipeline/records/PostCall.ts), run against every implementation. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidStateError } from '../../src/platform/errors.js';
import type { PostCallAnalytics } from '../../src/analytics/PostCallTypes.js';
import type { PostCallStore } from '../../src/pipeline/records/PostCall.js';

export interface PostCallStoreHarness {
  readonly name: string;
  readonly skip: () => string | false;
  /** A store on storage no other test uses. */
  open(): Promise<PostCallStore>;
}

const analytics = (n: number) =>
  ({
    JobStatus: 'COMPLETED',
    n,
    Transcript: [{ Content: 'hello ü', Items: [] }],
  }) as unknown as PostCallAnalytics;
const tick = () => new Promise((r) => setTimeout(r, 3));

export function postCallStoreContract(harness: PostCallStoreHarness): void {
  describe(`PostCallStore contract: ${harness.name}`, () => {
    test('save returns the URL; get returns the newest document of the call, or of one pipeline', async (t) => {
      if (harness.skip()) return t.skip(harness.skip() as string);
      const store = await harness.open();
      assert.equal(await store.get('call/1'), null);
      assert.equal(
        await store.save({ callId: 'call/1', pipelineId: 'p1', analytics: analytics(1) }),
        '/api/calls/call%2F1/analytics',
      );
      await tick();
      await store.save({ callId: 'call/1', pipelineId: 'p2', analytics: analytics(2) });
      await store.save({ callId: 'other', pipelineId: 'p3', analytics: analytics(3) });
      assert.deepEqual(await store.get('call/1'), analytics(2));
      assert.deepEqual(await store.get('call/1', 'p1'), analytics(1));
      assert.equal(await store.get('call/1', 'p3'), null);
      await tick();
      // Saving a pipeline's document again replaces it (and makes it the newest).
      await store.save({ callId: 'call/1', pipelineId: 'p1', analytics: analytics(4) });
      assert.deepEqual(await store.get('call/1'), analytics(4));
      assert.equal(await store.eraseCall('call/1'), 2, 'both pipelines of the call');
      assert.equal(await store.get('call/1'), null);
      assert.deepEqual(await store.get('other'), analytics(3), 'other calls stay');
      assert.equal(await store.eraseCall('call/1'), 0);
      await store.close();
      await store.close();
      await assert.rejects(store.get('call/1'), InvalidStateError);
      await assert.rejects(
        store.save({ callId: 'x', pipelineId: 'y', analytics: analytics(5) }),
        InvalidStateError,
      );
    });
  });
}
