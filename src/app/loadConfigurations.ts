import type { Config } from './config/Config.js';
import type { EventOrigin } from '../events/EventEnvelope.js';
import type { Logger } from '../platform/logger.js';
import type { ConfigurationStore } from '../configurations/ConfigurationStoreTypes.js';
import {
  checkedConfiguration,
  loadConfigurationFile,
  loadDefaultConfiguration,
  type LoadedConfiguration,
} from '../configurations/defaultConfiguration.js';
import { engineKinds } from './speechEngines.js';

/**
 * Puts the start-up configurations in the store: the default one (from its file, or built in) and
 * every entry of the config file's `configurations:` list (an inline Chime document or a file path).
 * Files win over edits made through the API since the last start; the built-in default does not.
 */
export async function loadConfigurations(
  config: Config,
  store: ConfigurationStore,
  origin: EventOrigin,
  logger: Logger,
): Promise<void> {
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
  }
}
