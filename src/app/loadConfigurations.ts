import type { Config } from './config/Config.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import {
  checkedConfiguration,
  loadConfigurationFile,
  loadDefaultConfiguration,
  type LoadedConfiguration,
} from '../configurations/defaultConfiguration.js';
import { engineKinds } from './speechEngines.js';
import { unknownFilterNames } from '../configurations/FilterNames.js';
import { opened, type Backends } from './backends.js';

/**
 * Puts the start-up configurations in the store: the default one (from its file, or built in) and
 * every entry of the config file's `configurations:` list (an inline Chime document or a file path).
 * Files win over edits made through the API since the last start; the built-in default does not.
 * A configuration naming vocabulary filters that are not stored is logged with their names (a
 * pipeline leaves them out until they are created), as the configuration API warns.
 */
export async function loadConfigurations(
  config: Config,
  backends: Pick<Backends, 'configurations' | 'vocabularyFilters'>,
  origin: EventOrigin,
  logger: Logger,
): Promise<void> {
  const store = opened(backends.configurations, 'configurations');
  const filters = opened(backends.vocabularyFilters, 'vocabularyFilters');
  const file = config.pipeline.defaultConfigurationFile;
  const engines = engineKinds(config);
  const loaded: (LoadedConfiguration & { refresh: boolean })[] = [
    loadDefaultConfiguration({
      origin,
      name: config.pipeline.defaultConfiguration,
      engines,
      ...(file ? { file } : {}),
    }),
    ...config.configurations.map((entry, index) => ({
      ...(typeof entry === 'string'
        ? loadConfigurationFile(entry, undefined, engines)
        : checkedConfiguration(entry, `configurations[${index}]`, undefined, engines)),
      refresh: true,
    })),
  ];
  const known = new Set((await filters.list()).map((f) => f.VocabularyFilterName));
  for (const configuration of loaded) {
    for (const warning of configuration.warnings) {
      logger.warn({ source: configuration.source, path: warning.path }, warning.message);
    }
    const { action } = await store.ensureDefault(configuration.request, { refresh: configuration.refresh });
    logger.info(
      {
        name: configuration.request.MediaInsightsPipelineConfigurationName,
        source: configuration.source,
        action,
      },
      'call analytics configuration loaded',
    );
    const missing = unknownFilterNames(configuration.request, configuration.plan, known);
    if (missing.length > 0) {
      logger.warn(
        {
          name: configuration.request.MediaInsightsPipelineConfigurationName,
          source: configuration.source,
          missingVocabularyFilters: [...new Set(missing.map((m) => m.name))],
        },
        'configuration names vocabulary filters that do not exist: left out of its pipelines until created',
      );
    }
  }
}
