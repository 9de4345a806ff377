/**
 * What Callsight honours of a Chime call analytics configuration: each element type, and each
 * Transcribe processor option, with its support level and what it becomes. ConfigurationPlan.ts
 * judges configurations by it; docs/configuration-analytics.md renders it.
 */
import type { ElementType } from './ConfigurationTypes.js';

/** How far Callsight honours an element. */
export type SupportLevel =
  /** Runs as configured. */
  | 'supported'
  /** Accepted and runs, but part of what Chime does is missing (a warning says which). */
  | 'partial'
  /** Accepted and stored; does nothing until a later release (a warning says so). */
  | 'later'
  /** Refused with an error. */
  | 'rejected';

export interface ElementSupportInfo {
  readonly role: 'processor' | 'sink';
  readonly support: SupportLevel;
  /** What the element becomes in Callsight. */
  readonly callsight: string;
}

/** Every Chime element type and what it is in Callsight (rendered in docs/configuration-analytics.md). */
export const ELEMENT_SUPPORT: Readonly<Record<ElementType, ElementSupportInfo>> = {
  AmazonTranscribeProcessor: {
    role: 'processor',
    support: 'supported',
    callsight:
      'Speech recognition on the engine named by the Callsight field `CallsightSpeechEngine` (config file `speechEngines:`: Amazon Transcribe, an OpenAI-compatible server, a Vosk server), by default the embedded pocketsphinx in worker threads; `Transcribe` records. With pocketsphinx LanguageCode must be en-US; options the engine cannot honour are accepted with a warning (docs/asr.md).',
  },
  AmazonTranscribeCallAnalyticsProcessor: {
    role: 'processor',
    support: 'supported',
    callsight:
      "Local speech recognition as for AmazonTranscribeProcessor (en-US), then Callsight's call analytics models in worker threads: `TranscribeCallAnalytics` records (sentiment, issues, PII identified or redacted), category events, real-time alerts, post-call analytics (served at `/api/calls/{callId}/analytics`) and a `Summarization` record.",
  },
  VoiceAnalyticsProcessor: {
    role: 'processor',
    support: 'partial',
    callsight:
      "Voice tone analysis from the voice itself (pitch, loudness, rate, pauses, against the speaker's own baseline) and the words' sentiment, in worker threads: `VoiceToneAnalysisStatus` events every 5 s of speech per channel. Speaker search needs voice embeddings Callsight does not ship: accepted with a warning, and each call gets a `SpeakerSearchStatus` event saying it is not available.",
  },
  KinesisDataStreamSink: {
    role: 'sink',
    support: 'supported',
    callsight:
      "Callsight's data stream (and from there the WebSocket gateway). InsightsTarget is kept but not used.",
  },
  LambdaFunctionSink: {
    role: 'sink',
    support: 'partial',
    callsight:
      'A webhook when InsightsTarget is an http(s) URL; an AWS ARN is refused (Callsight cannot invoke Lambda).',
  },
  SqsQueueSink: {
    role: 'sink',
    support: 'partial',
    callsight:
      'A webhook when InsightsTarget is an http(s) URL; an AWS ARN is refused (Callsight cannot send to SQS).',
  },
  SnsTopicSink: {
    role: 'sink',
    support: 'partial',
    callsight:
      'A webhook when InsightsTarget is an http(s) URL; an AWS ARN is refused (Callsight cannot publish to SNS).',
  },
  S3RecordingSink: {
    role: 'sink',
    support: 'supported',
    callsight:
      'A stereo WAV per pipeline (channel 0 left, channel 1 right, 16 kHz), in the local recordings folder or an S3-compatible store (config `recording.*`), announced by a `Recording` record. Destination is kept but not used; RecordingFileFormat Opus is accepted with a warning and recorded as WAV.',
  },
  VoiceEnhancementSink: {
    role: 'sink',
    support: 'rejected',
    callsight: 'Not supported (accepted only with Disabled: true).',
  },
};

export type OptionSupport = 'supported' | 'ignored' | 'rejected';

/**
 * The Transcribe and Transcribe Call Analytics processor options and what Callsight does with each.
 * A boolean option only counts when it is true. LanguageCode and language identification are judged
 * separately (planTranscribe).
 */
export const TRANSCRIBE_OPTION_SUPPORT: Readonly<
  Record<string, { readonly support: OptionSupport; readonly reason: string }>
> = {
  LanguageCode: { support: 'supported', reason: 'en-US only.' },
  FilterPartialResults: { support: 'supported', reason: 'Partial results are not written to the sinks.' },
  IdentifyLanguage: {
    support: 'ignored',
    reason: 'Language identification is not available; every call is transcribed as en-US.',
  },
  IdentifyMultipleLanguages: {
    support: 'ignored',
    reason: 'Language identification is not available; every call is transcribed as en-US.',
  },
  LanguageOptions: {
    support: 'ignored',
    reason: 'Every call is transcribed as en-US (refused when the options do not include en-US).',
  },
  PreferredLanguage: { support: 'ignored', reason: 'Every call is transcribed as en-US.' },
  VocabularyName: {
    support: 'supported',
    reason: "The vocabulary's terms are added to the embedded engine's dictionary and language model.",
  },
  VocabularyNames: {
    support: 'supported',
    reason: "The vocabularies' terms are added to the embedded engine's dictionary and language model.",
  },
  VocabularyFilterName: {
    support: 'supported',
    reason:
      'The filters of /api/vocabulary-filters are applied by Callsight to partial and final results before any record or analysis (a name with no filter is left out with a warning).',
  },
  VocabularyFilterNames: {
    support: 'supported',
    reason:
      'The filters of /api/vocabulary-filters are applied by Callsight to partial and final results before any record or analysis (a name with no filter is left out with a warning).',
  },
  VocabularyFilterMethod: {
    support: 'supported',
    reason:
      'mask (the default) writes ***, remove drops the word, tag keeps it; matching items have VocabularyFilterMatch.',
  },
  LanguageModelName: { support: 'ignored', reason: 'Custom language models are not available.' },
  ShowSpeakerLabel: {
    support: 'ignored',
    reason: 'Speaker diarization is not available; each channel is one speaker.',
  },
  EnablePartialResultsStabilization: {
    support: 'ignored',
    reason: 'Partial results are not stabilized; a partial may change until its final result.',
  },
  PartialResultsStability: { support: 'ignored', reason: 'Partial results are not stabilized.' },
  ContentIdentificationType: { support: 'ignored', reason: 'PII is not identified in transcripts.' },
  ContentRedactionType: {
    support: 'rejected',
    reason:
      'Callsight cannot redact PII, so transcripts would contain what this asks to redact; remove ContentRedactionType (and PiiEntityTypes) to accept unredacted transcripts.',
  },
  PiiEntityTypes: { support: 'ignored', reason: 'PII is neither identified nor redacted.' },
  PostCallAnalyticsSettings: {
    support: 'ignored',
    reason: 'Post-call analytics arrives in a later release.',
  },
  CallAnalyticsStreamCategories: {
    support: 'ignored',
    reason: 'Categories arrive with call analytics in a later release.',
  },
};

/**
 * Where the call analytics processor does more than the plain Transcribe one: its options in
 * Callsight (they override TRANSCRIBE_OPTION_SUPPORT for that element).
 */
export const CALL_ANALYTICS_OPTION_SUPPORT: Readonly<
  Record<string, { readonly support: OptionSupport; readonly reason: string }>
> = {
  ContentIdentificationType: { support: 'supported', reason: 'PII entities are marked in each utterance.' },
  ContentRedactionType: {
    support: 'supported',
    reason: 'PII is replaced with [PII] in transcripts and word items before any record exists.',
  },
  PiiEntityTypes: { support: 'supported', reason: 'Only these PII types are marked or redacted.' },
  CallAnalyticsStreamCategories: {
    support: 'supported',
    reason:
      'Categories are defined in the config file (`categories:`); these names pick the ones matched in real time.',
  },
  PostCallAnalyticsSettings: {
    support: 'ignored',
    reason:
      'Post-call analytics are always produced and kept by Callsight (GET /api/calls/{callId}/analytics); OutputLocation and DataAccessRoleArn are not used. ContentRedactionOutput is honoured: with ContentRedactionType and an S3RecordingSink it says whether the unredacted recording is kept beside the redacted one.',
  },
};

/** The one language Callsight's embedded speech engine ships. */
export const SUPPORTED_LANGUAGE = 'en-US';
