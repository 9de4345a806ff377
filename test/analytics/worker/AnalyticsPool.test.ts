import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AnalyticsPool } from '../../../src/analytics/worker/AnalyticsPool.js';
import { CallsightError } from '../../../src/platform/errors.js';
import { capturedLogger } from '../../helpers/capturedLogger.js';

describe('AnalyticsPool', () => {
  test(
    'a worker that dies before it is ready is not replaced: ready() rejects with the reason',
    { timeout: 60_000 },
    async () => {
      const captured = capturedLogger();
      // Too small a heap for the models to load: the worker dies during its start, every time.
      const pool = new AnalyticsPool(2, captured.logger, {
        maxOldGenerationSizeMb: 4,
        maxYoungGenerationSizeMb: 1,
      });
      await assert.rejects(pool.ready(), (err: unknown) => {
        assert.ok(err instanceof CallsightError);
        assert.equal(err.code, 'CS_ERR_ANALYTICS_FAILED');
        assert.match(err.message, /^analytics worker could not start: /);
        return true;
      });
      // Nothing respawns behind the refusal.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const replaced = captured.lines.filter((line) => line.msg === 'analytics worker exited: replacing it');
      assert.equal(replaced.length, 0, captured.text());
      await assert.rejects(pool.summary([]), /analytics pool/);
    },
  );

  test(
    'a worker that crashes after it was ready is replaced, and the pool answers again',
    { timeout: 60_000 },
    async () => {
      const captured = capturedLogger();
      const pool = new AnalyticsPool(1, captured.logger);
      try {
        await pool.ready();
        pool.crashWorkerForTesting(0);
        await new Promise<void>((resolve) => {
          const poll = setInterval(() => {
            if (captured.lines.some((line) => line.msg === 'analytics worker exited: replacing it')) {
              clearInterval(poll);
              resolve();
            }
          }, 50);
        });
        const summary = await pool.summary([]);
        assert.ok(summary);
      } finally {
        await pool.close();
      }
    },
  );
});
