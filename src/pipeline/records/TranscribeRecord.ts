import { DetailType } from '../../events/DetailTypes.js';
import type { RecognitionResult } from '../../transcribe/SpeechEngineTypes.js';
import { recordBase, type PipelineRecordBase } from './PipelineRecord.js';

export interface TranscribeItem {
  readonly StartTime: number;
  readonly EndTime: number;
  readonly ItemType: 'pronunciation' | 'punctuation';
  readonly Content: string;
  readonly Confidence: number | null;
  readonly Stable: boolean | null;
  readonly Speaker: string | null;
  readonly VocabularyFilterMatch: boolean;
}

/** A PII entity Transcribe identified or redacted (ContentIdentificationType / ContentRedactionType). */
export interface TranscribeEntity {
  readonly Category: string;
  readonly Type: string;
  readonly Content: string;
  readonly StartTime: number;
  readonly EndTime: number;
  readonly Confidence: number;
}

/** One Amazon Transcribe streaming Result, flattened into `TranscriptEvent` as the seed reads it. */
export interface TranscribeRecord extends PipelineRecordBase {
  readonly TranscriptEvent: {
    readonly ResultId: string;
    readonly StartTime: number;
    readonly EndTime: number;
    readonly IsPartial: boolean;
    readonly ChannelId: string;
    /** Only when the engine reports the language (Amazon Transcribe). */
    readonly LanguageCode?: string;
    readonly Alternatives: readonly [
      {
        readonly Transcript: string;
        readonly Items: readonly TranscribeItem[];
        /** null unless the engine identifies content (Amazon Transcribe with ContentIdentificationType/ContentRedactionType). */
        readonly Entities: readonly TranscribeEntity[] | null;
      },
    ];
  };
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

export function channelId(channel: number): string {
  return `ch_${channel}`;
}

export function transcribeRecord(
  result: RecognitionResult,
  pipelineId: string,
  metadata: Record<string, unknown>,
  at: Date,
): TranscribeRecord {
  return {
    ...recordBase(DetailType.Transcribe, pipelineId, metadata, at),
    TranscriptEvent: {
      ResultId: result.resultId,
      StartTime: seconds(result.startMs),
      EndTime: seconds(result.endMs),
      IsPartial: result.isPartial,
      ChannelId: channelId(result.channel),
      ...(result.languageCode ? { LanguageCode: result.languageCode } : {}),
      Alternatives: [
        {
          Transcript: result.transcript,
          Items: result.words.map((word) => ({
            StartTime: seconds(word.startMs),
            EndTime: seconds(word.endMs),
            ItemType: word.type ?? 'pronunciation',
            Content: word.word,
            Confidence: Math.round(word.confidence * 1e4) / 1e4,
            // Transcribe marks items of a final as stable; a partial's words may still change.
            Stable: word.stable ?? !result.isPartial,
            Speaker: null,
            VocabularyFilterMatch: word.vocabularyFilterMatch ?? false,
          })),
          Entities:
            result.entities?.map((e) => ({
              Category: e.category,
              Type: e.type,
              Content: e.content,
              StartTime: seconds(e.startMs),
              EndTime: seconds(e.endMs),
              Confidence: Math.round(e.confidence * 1e4) / 1e4,
            })) ?? null,
        },
      ],
    },
  };
}
