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

/** One Amazon Transcribe streaming Result, flattened into `TranscriptEvent` as the seed reads it. */
export interface TranscribeRecord extends PipelineRecordBase {
  readonly TranscriptEvent: {
    readonly ResultId: string;
    readonly StartTime: number;
    readonly EndTime: number;
    readonly IsPartial: boolean;
    readonly ChannelId: string;
    readonly Alternatives: readonly [
      { readonly Transcript: string; readonly Items: readonly TranscribeItem[]; readonly Entities: null },
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
      Alternatives: [
        {
          Transcript: result.transcript,
          Items: result.words.map((word) => ({
            StartTime: seconds(word.startMs),
            EndTime: seconds(word.endMs),
            ItemType: 'pronunciation',
            Content: word.word,
            Confidence: Math.round(word.confidence * 1e4) / 1e4,
            // Transcribe marks items of a final as stable; a partial's words may still change.
            Stable: !result.isPartial,
            Speaker: null,
            VocabularyFilterMatch: false,
          })),
          Entities: null,
        },
      ],
    },
  };
}
