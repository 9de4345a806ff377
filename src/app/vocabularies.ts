import type { VocabularyStore } from '../configurations/Vocabulary.js';
import type { Logger } from '../platform/logger.js';
import type { CustomVocabulary } from '../transcribe/SpeechEngineTypes.js';

/**
 * The stored custom vocabularies in memory, so a pipeline being built (synchronously, also from a
 * job's document) finds them by name. Reloaded after every write through this process's API and every
 * `refreshMs`, which is how writes through another process (a shared PostgreSQL) arrive.
 */
export class VocabularyCache {
  readonly #store: VocabularyStore;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  #byName: ReadonlyMap<string, CustomVocabulary> = new Map();

  private constructor(store: VocabularyStore, logger: Logger, refreshMs: number) {
    this.#store = store;
    this.#logger = logger;
    this.#timer = setInterval(() => this.refresh(), refreshMs).unref();
  }

  static async start(store: VocabularyStore, logger: Logger, refreshMs = 10_000): Promise<VocabularyCache> {
    const cache = new VocabularyCache(store, logger, refreshMs);
    await cache.#load();
    return cache;
  }

  get(name: string): CustomVocabulary | undefined {
    return this.#byName.get(name);
  }

  refresh(): void {
    this.#load().catch((err: unknown) => this.#logger.warn({ err }, 'vocabularies not reloaded'));
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #load(): Promise<void> {
    this.#byName = new Map((await this.#store.list()).map((v) => [v.VocabularyName, v]));
  }
}
