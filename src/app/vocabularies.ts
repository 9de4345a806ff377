import type { NamedListStore } from '../configurations/NamedListStores.js';
import type { Logger } from '../platform/logger.js';
import type { ResourceStack } from '../platform/ResourceStack.js';
import type { Vocabulary } from '../configurations/Vocabulary.js';
import type { VocabularyFilter } from '../configurations/VocabularyFilter.js';
import { opened, type Backends } from './backends.js';

/**
 * A kind of stored named list (custom vocabularies, vocabulary filters) in memory, so a pipeline
 * being built (synchronously, also from a job's document) finds them by name. Reloaded after every
 * write through this process's API and every `refreshMs`, which is how writes through another
 * process (a shared PostgreSQL) arrive.
 */
export class NamedListCache<T> {
  readonly #store: Pick<NamedListStore<T, unknown>, 'list'>;
  readonly #nameOf: (item: T) => string;
  readonly #logger: Logger;
  readonly #timer: NodeJS.Timeout;
  #byName: ReadonlyMap<string, T> = new Map();

  private constructor(
    store: Pick<NamedListStore<T, unknown>, 'list'>,
    nameOf: (item: T) => string,
    logger: Logger,
    refreshMs: number,
  ) {
    this.#store = store;
    this.#nameOf = nameOf;
    this.#logger = logger;
    this.#timer = setInterval(() => this.refresh(), refreshMs).unref();
  }

  static async start<T>(
    store: Pick<NamedListStore<T, unknown>, 'list'>,
    nameOf: (item: T) => string,
    logger: Logger,
    refreshMs = 10_000,
  ): Promise<NamedListCache<T>> {
    const cache = new NamedListCache(store, nameOf, logger, refreshMs);
    await cache.#load();
    return cache;
  }

  get(name: string): T | undefined {
    return this.#byName.get(name);
  }

  refresh(): void {
    this.#load().catch((err: unknown) => this.#logger.warn({ err }, 'named lists not reloaded'));
  }

  close(): void {
    clearInterval(this.#timer);
  }

  async #load(): Promise<void> {
    this.#byName = new Map((await this.#store.list()).map((item) => [this.#nameOf(item), item]));
  }
}

/** The custom vocabularies and vocabulary filters a process's pipelines use, by name. */
export interface WordLists {
  readonly vocabularies: NamedListCache<Vocabulary>;
  readonly filters: NamedListCache<VocabularyFilter>;
}

/** Both caches, loaded, closed with the stack. */
export async function openWordLists(
  backends: Backends,
  stack: ResourceStack,
  logger: Logger,
): Promise<WordLists> {
  const vocabularies = await NamedListCache.start(
    opened(backends.vocabularies, 'vocabularies'),
    (v) => v.VocabularyName,
    logger,
  );
  stack.defer('vocabulary cache', () => vocabularies.close());
  const filters = await NamedListCache.start(
    opened(backends.vocabularyFilters, 'vocabularyFilters'),
    (f) => f.VocabularyFilterName,
    logger,
  );
  stack.defer('vocabulary filter cache', () => filters.close());
  return { vocabularies, filters };
}
