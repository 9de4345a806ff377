import type { CallInfo } from '../connector/CallTypes.js';
import type { PcmFrame } from '../media/MediaTypes.js';
import { Pipeline, type PipelineOptions } from './Pipeline.js';

export type PipelineDefaults = Omit<PipelineOptions, 'call'>;

/** Holds the pipeline of every call in progress: one per call, started by a rule, stopped at call end. */
export class PipelineManager {
  readonly #byCall = new Map<string, Pipeline>();
  readonly #finished: Pipeline[] = [];
  readonly #defaults: PipelineDefaults;

  constructor(defaults: PipelineDefaults) {
    this.#defaults = defaults;
  }

  /** Starts the call's pipeline; a second start for the same call returns the running one. */
  start(call: CallInfo): Pipeline {
    const existing = this.#byCall.get(call.callId);
    if (existing) return existing;
    const pipeline = new Pipeline({
      ...this.#defaults,
      call,
      logger: this.#defaults.logger.child({ callId: call.callId }),
    });
    this.#byCall.set(call.callId, pipeline);
    pipeline.start();
    return pipeline;
  }

  write(callId: string, frame: PcmFrame): void {
    this.#byCall.get(callId)?.write(frame);
  }

  async stop(callId: string): Promise<void> {
    const pipeline = this.#byCall.get(callId);
    if (!pipeline) return;
    await pipeline.stop();
    this.#byCall.delete(callId);
    this.#finished.push(pipeline);
    if (this.#finished.length > 1000) this.#finished.shift();
  }

  list(): Pipeline[] {
    return [...this.#byCall.values(), ...this.#finished];
  }

  get active(): number {
    return this.#byCall.size;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#byCall.keys()].map((callId) => this.stop(callId)));
  }
}
