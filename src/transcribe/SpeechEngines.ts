import { CallsightError } from '../platform/errors.js';
import type { LabelledMetric } from '../platform/metrics.js';
import type { Logger } from '../platform/logger.js';
import { FallbackStream, type EngineSwitch } from './FallbackStream.js';
import { EMBEDDED_ENGINE } from './SpeechEngineConfig.js';
import type { OpenStreamOptions, SpeechEngine, SpeechEngineKind } from './SpeechEngineTypes.js';

/**
 * The engines of this process by name, with their fallbacks: what a pipeline opens a channel's
 * recognition with. `default` is used when a configuration names none (the embedded engine).
 */
export class SpeechEngines {
  readonly #engines: ReadonlyMap<string, SpeechEngine>;
  readonly #fallbacks: ReadonlyMap<string, string>;
  readonly defaultName: string;

  constructor(
    engines: readonly SpeechEngine[],
    fallbacks: ReadonlyMap<string, string> = new Map(),
    defaultName = EMBEDDED_ENGINE,
  ) {
    this.#engines = new Map(engines.map((e) => [e.name, e]));
    this.#fallbacks = fallbacks;
    this.defaultName = defaultName;
  }

  /** Name → kind of every engine (what the configuration check needs to judge an element). */
  kinds(): ReadonlyMap<string, SpeechEngineKind> {
    return new Map([...this.#engines.values()].map((e) => [e.name, e.kind]));
  }

  get(name: string = this.defaultName): SpeechEngine {
    const engine = this.#engines.get(name);
    if (!engine)
      throw new CallsightError('CS_ERR_ASR_UNAVAILABLE', `no speech engine is named ${JSON.stringify(name)}`);
    return engine;
  }

  /** The engine and its fallbacks, in order (the config check refused loops). */
  chain(name: string = this.defaultName): SpeechEngine[] {
    const chain = [this.get(name)];
    for (let next = this.#fallbacks.get(name); next !== undefined; next = this.#fallbacks.get(next)) {
      const engine = this.#engines.get(next);
      if (!engine || chain.includes(engine)) break;
      chain.push(engine);
    }
    return chain;
  }

  /** One channel's recognition on `name` and its fallbacks. */
  openStream(
    name: string | undefined,
    options: OpenStreamOptions,
    onSwitch: (event: EngineSwitch) => void,
    logger: Logger,
  ): FallbackStream {
    return new FallbackStream(this.chain(name), options, onSwitch, logger);
  }

  /** The engines' metrics, those of the same name (two engines of a kind) as one. */
  metrics(): LabelledMetric[] {
    const byName = new Map<string, LabelledMetric[]>();
    for (const engine of this.#engines.values())
      for (const metric of engine.metrics?.() ?? [])
        byName.set(metric.name, [...(byName.get(metric.name) ?? []), metric]);
    return [...byName.values()].map(([first, ...rest]) => ({
      ...first!,
      values: () => [first!, ...rest].flatMap((m) => m.values()),
    }));
  }

  /** Resolves when every engine can open streams. */
  async ready(): Promise<void> {
    await Promise.all([...this.#engines.values()].map((e) => e.ready()));
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#engines.values()].map((e) => e.close()));
  }
}
