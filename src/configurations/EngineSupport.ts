/**
 * What each kind of speech engine honours of the Transcribe processors' options. A configuration
 * chooses its engine by name in the Callsight extension field `CallsightSpeechEngine` (absent: the
 * embedded pocketsphinx engine); the names and kinds come from the config file's `speechEngines:`
 * (src/transcribe/SpeechEngineConfig.ts). The embedded engine's table is ElementSupport.ts's
 * TRANSCRIBE_OPTION_SUPPORT / CALL_ANALYTICS_OPTION_SUPPORT; the other kinds override it here.
 * Rendered in docs/asr.md.
 */

/** The kinds of src/transcribe (SPEECH_ENGINE_KINDS there; a test keeps the two lists equal). */
export const ENGINE_KINDS = ['pocketsphinx', 'amazon-transcribe', 'openai', 'vosk'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** The engines a configuration may name: name → kind. */
export type EngineKinds = ReadonlyMap<string, EngineKind>;

export const EMBEDDED_ENGINE_NAME = 'pocketsphinx';
/** What is known when nothing else is declared: the embedded engine alone. */
export const EMBEDDED_ONLY: EngineKinds = new Map([[EMBEDDED_ENGINE_NAME, 'pocketsphinx']]);

/** The Callsight extension field of both Transcribe processor configurations. */
export const ENGINE_FIELD = 'CallsightSpeechEngine';

type OptionSupportEntry = { readonly support: 'supported' | 'ignored' | 'rejected'; readonly reason: string };

export interface EngineKindSupport {
  /** Languages it transcribes: any Chime language code, or only this one. */
  readonly languages: 'any' | 'en-US';
  /** Overrides of the embedded engine's option table (both processors). */
  readonly options: Readonly<Record<string, OptionSupportEntry>>;
}

const PASSED = (what: string): OptionSupportEntry => ({ support: 'supported', reason: `Passed to ${what}.` });

const AWS: EngineKindSupport = {
  languages: 'any',
  options: Object.fromEntries(
    [
      'LanguageCode',
      'IdentifyLanguage',
      'IdentifyMultipleLanguages',
      'LanguageOptions',
      'PreferredLanguage',
      'VocabularyName',
      'VocabularyNames',
      'VocabularyFilterName',
      'VocabularyFilterNames',
      'VocabularyFilterMethod',
      'LanguageModelName',
      'ShowSpeakerLabel',
      'EnablePartialResultsStabilization',
      'PartialResultsStability',
      'ContentIdentificationType',
      'ContentRedactionType',
      'PiiEntityTypes',
    ]
      .map((option): [string, OptionSupportEntry] => [option, PASSED('Amazon Transcribe')])
      .concat([
        [
          'CallAnalyticsStreamCategories',
          {
            support: 'supported',
            reason: 'Only CategoryEvents of these Transcribe Call Analytics categories are written.',
          },
        ],
      ]),
  ),
};

/** Options a self-hosted server cannot be told: ignored with the same reason. */
const notSent = (server: string): Readonly<Record<string, OptionSupportEntry>> => ({
  VocabularyName: { support: 'ignored', reason: `Custom vocabularies are not sent to ${server}.` },
  VocabularyNames: { support: 'ignored', reason: `Custom vocabularies are not sent to ${server}.` },
  LanguageModelName: { support: 'ignored', reason: `${server} uses the model it was started with.` },
});

const PROMPTED: OptionSupportEntry = {
  support: 'supported',
  reason: "The vocabularies' phrases (DisplayAs where given) are sent as the request's prompt.",
};

const OPENAI: EngineKindSupport = {
  languages: 'any',
  options: {
    ...notSent('an OpenAI-compatible server'),
    VocabularyName: PROMPTED,
    VocabularyNames: PROMPTED,
    LanguageCode: { support: 'supported', reason: 'Sent as the request\'s language (ISO 639-1, e.g. "en").' },
    IdentifyLanguage: {
      support: 'supported',
      reason: 'No language is sent; the server detects it per utterance.',
    },
    IdentifyMultipleLanguages: {
      support: 'supported',
      reason: 'No language is sent; the server detects it per utterance.',
    },
    LanguageOptions: {
      support: 'ignored',
      reason: 'The server detects any language it knows; the options are not sent.',
    },
    PreferredLanguage: { support: 'ignored', reason: 'The server detects the language itself.' },
  },
};

const VOSK: EngineKindSupport = {
  languages: 'any',
  options: {
    ...notSent('a Vosk server'),
    LanguageCode: {
      support: 'supported',
      reason: "The Vosk server's model decides the language; LanguageCode must be the model's.",
    },
  },
};

export const ENGINE_KIND_SUPPORT: Readonly<Record<Exclude<EngineKind, 'pocketsphinx'>, EngineKindSupport>> = {
  'amazon-transcribe': AWS,
  openai: OPENAI,
  vosk: VOSK,
};
