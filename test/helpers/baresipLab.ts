import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { Baresip, type BaresipOptions } from './baresip.js';
import { startCallsight, type RunningCallsight } from './callsight.js';
import { RecordCollector, callIdOf, detailOf } from './wsRecords.js';

/**
 * A Callsight started with a YAML config, its live record stream, and the baresip phones a test
 * starts around it; `close()` stops them all, removes their folders and checks Callsight exited 0.
 */
export class BaresipLab {
  readonly scratch: string[] = [];
  readonly #phones: Baresip[] = [];
  #callsight: RunningCallsight | null = null;
  #live: RecordCollector | null = null;

  get callsight(): RunningCallsight {
    assert.ok(this.#callsight, 'start() first');
    return this.#callsight;
  }

  get live(): RecordCollector {
    assert.ok(this.#live, 'start() first');
    return this.#live;
  }

  async phone(options: BaresipOptions): Promise<Baresip> {
    const started = await Baresip.start(options);
    this.#phones.push(started);
    return started;
  }

  async start(config: Record<string, unknown>, env: Record<string, string> = {}): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'callsight-lab-'));
    this.scratch.push(dir);
    writeFileSync(join(dir, 'callsight.yaml'), stringify(config));
    this.#callsight = await startCallsight({
      env: {
        CALLSIGHT_CONFIG: join(dir, 'callsight.yaml'),
        CALLSIGHT_SIP_ADVERTISED_ADDRESS: '127.0.0.1',
        ...env,
      },
    });
    this.#live = new RecordCollector(`http://127.0.0.1:${this.#callsight.httpPort}`);
    await this.#live.opened;
  }

  dial(from: Baresip, to: string): Promise<{ ok: boolean; data: string }> {
    return from.command('dial', `sip:${to}@127.0.0.1:${this.callsight.sipPort}`);
  }

  /** The callId of the call to `to`, once its ALL_STARTED is out. */
  async callOf(to: string): Promise<string> {
    const frame = await this.live.waitFor(
      (f) => detailOf(f).streamingStatus === 'ALL_STARTED' && detailOf(f).toNumber === to,
      15_000,
      `ALL_STARTED to ${to}`,
    );
    return callIdOf(frame)!;
  }

  async pipelineStopped(callId: string, timeoutMs = 60_000): Promise<void> {
    await this.live.waitFor(
      (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
      timeoutMs,
      'the pipeline to stop',
    );
  }

  async close(): Promise<void> {
    this.#live?.close();
    await Promise.all(this.#phones.map((p) => p.stop()));
    const code = await this.#callsight?.stop();
    for (const dir of [...this.scratch, this.#callsight?.dataDir ?? ''])
      if (dir) rmSync(dir, { recursive: true, force: true });
    assert.equal(code, 0, this.#callsight?.stderr());
  }
}
