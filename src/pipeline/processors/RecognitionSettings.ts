import type { SpeechEngines } from '../../transcribe/SpeechEngines.js';
import type { CustomVocabulary, RecognitionSettings } from '../../transcribe/SpeechEngineTypes.js';
import type { RecognitionChoice } from './RecognitionChannels.js';

type ElementConfig = Readonly<Record<string, unknown>>;

const text = (config: ElementConfig, key: string): string | undefined =>
  typeof config[key] === 'string' ? config[key] : undefined;

/** VocabularyName and VocabularyNames (or the filter pair) as one comma-separated list. */
function names(config: ElementConfig, one: string, many: string): string | undefined {
  const list = [text(config, one), text(config, many)].filter((v): v is string => v !== undefined);
  return list.length > 0 ? list.join(',') : undefined;
}

/**
 * What a Transcribe processor element (AmazonTranscribeProcessorConfiguration or its call analytics
 * twin, validated when stored) asks of recognition, and the engine it names in its Callsight
 * extension field `CallsightSpeechEngine` (absent: the default engine).
 */
export function recognitionChoice(
  engines: SpeechEngines,
  config: ElementConfig,
  vocabulary: (name: string) => CustomVocabulary | undefined = () => undefined,
): RecognitionChoice {
  const vocabularyNames = names(config, 'VocabularyName', 'VocabularyNames');
  const vocabularies = (vocabularyNames ?? '')
    .split(',')
    .map((name) => vocabulary(name.trim()))
    .filter((v): v is CustomVocabulary => v !== undefined);
  const settings: Record<string, unknown> = {
    languageCode: text(config, 'LanguageCode') ?? text(config, 'PreferredLanguage') ?? 'en-US',
    identifyLanguage: config.IdentifyLanguage === true ? true : undefined,
    identifyMultipleLanguages: config.IdentifyMultipleLanguages === true ? true : undefined,
    languageOptions: text(config, 'LanguageOptions'),
    preferredLanguage: text(config, 'PreferredLanguage'),
    vocabularyNames,
    vocabularies: vocabularies.length > 0 ? vocabularies : undefined,
    vocabularyFilterNames: names(config, 'VocabularyFilterName', 'VocabularyFilterNames'),
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
  const engineName = text(config, 'CallsightSpeechEngine');
  return {
    engines,
    ...(engineName ? { engineName } : {}),
    settings: settings as unknown as RecognitionSettings,
  };
}
