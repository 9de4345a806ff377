import type { SpeechEngines } from '../../transcribe/SpeechEngines.js';
import type {
  CustomVocabulary,
  RecognitionSettings,
  VocabularyFilterList,
} from '../../transcribe/SpeechEngineTypes.js';
import type { Logger } from '../../platform/logger.js';
import type { RecognitionChoice } from './RecognitionChannels.js';

type ElementConfig = Readonly<Record<string, unknown>>;

const text = (config: ElementConfig, key: string): string | undefined =>
  typeof config[key] === 'string' ? config[key] : undefined;

/** VocabularyName and VocabularyNames (or the filter pair) as one comma-separated list. */
function names(config: ElementConfig, one: string, many: string): string | undefined {
  const list = [text(config, one), text(config, many)].filter((v): v is string => v !== undefined);
  return list.length > 0 ? list.join(',') : undefined;
}

/** Where the stored word lists are found by name (absent, or undefined: none of that name). */
export interface WordListLookup {
  readonly vocabulary?: (name: string) => CustomVocabulary | undefined;
  readonly vocabularyFilter?: (name: string) => VocabularyFilterList | undefined;
}

/** The lists of the comma-separated names that exist; a name without one is left out with a warning. */
function lookUp<T>(
  list: string | undefined,
  find: ((name: string) => T | undefined) | undefined,
  what: string,
  logger: Logger | undefined,
): T[] | undefined {
  const found: T[] = [];
  for (const name of (list ?? '')
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)) {
    const item = find?.(name);
    if (item !== undefined) found.push(item);
    else logger?.warn({ name }, `no ${what} of that name: left out`);
  }
  return found.length > 0 ? found : undefined;
}

/**
 * What a Transcribe processor element (AmazonTranscribeProcessorConfiguration or its call analytics
 * twin, validated when stored) asks of recognition, and the engine it names in its Callsight
 * extension field `CallsightSpeechEngine` (absent: the default engine).
 */
export function recognitionChoice(
  engines: SpeechEngines,
  config: ElementConfig,
  lists: WordListLookup = {},
  logger?: Logger,
): RecognitionChoice {
  const vocabularyNames = names(config, 'VocabularyName', 'VocabularyNames');
  const filterNames = names(config, 'VocabularyFilterName', 'VocabularyFilterNames');
  const engineName = text(config, 'CallsightSpeechEngine');
  // Amazon Transcribe looks the filter names up in AWS: a name missing here is no news there.
  const filteredHere = engines.kinds().get(engineName ?? engines.defaultName) !== 'amazon-transcribe';
  const settings: Record<string, unknown> = {
    languageCode: text(config, 'LanguageCode') ?? text(config, 'PreferredLanguage') ?? 'en-US',
    identifyLanguage: config.IdentifyLanguage === true ? true : undefined,
    identifyMultipleLanguages: config.IdentifyMultipleLanguages === true ? true : undefined,
    languageOptions: text(config, 'LanguageOptions'),
    preferredLanguage: text(config, 'PreferredLanguage'),
    vocabularyNames,
    vocabularies: lookUp(vocabularyNames, lists.vocabulary, 'custom vocabulary', undefined),
    vocabularyFilterNames: filterNames,
    vocabularyFilters: lookUp(
      filterNames,
      lists.vocabularyFilter,
      'vocabulary filter',
      filteredHere ? logger : undefined,
    ),
    vocabularyFilterMethod: text(config, 'VocabularyFilterMethod'),
    languageModelName: text(config, 'LanguageModelName'),
    enablePartialResultsStabilization: config.EnablePartialResultsStabilization === true ? true : undefined,
    partialResultsStability: text(config, 'PartialResultsStability'),
    contentIdentificationType: text(config, 'ContentIdentificationType'),
    contentRedactionType: text(config, 'ContentRedactionType'),
    piiEntityTypes: text(config, 'PiiEntityTypes'),
    showSpeakerLabel: config.ShowSpeakerLabel === true ? true : undefined,
  };
  for (const key of Object.keys(settings)) if (settings[key] === undefined) delete settings[key];
  return {
    engines,
    ...(engineName ? { engineName } : {}),
    settings: settings as unknown as RecognitionSettings,
  };
}
