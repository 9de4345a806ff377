import type { ParticipantRole } from '../PipelineTypes.js';
import type { UtteranceEntity, UtteranceEvent } from '../../analytics/UtteranceTypes.js';
import type { RecognitionResult } from '../../transcribe/SpeechEngineTypes.js';

/**
 * The TCA UtteranceEvent of a result an engine analysed itself (Transcribe Call Analytics): its
 * sentiment, issues and PII entities as the engine gave them, in the record's shape
 * (docs/messages.md §13).
 */
export function engineUtteranceEvent(result: RecognitionResult, role: ParticipantRole): UtteranceEvent {
  const analysis = result.analysis;
  return {
    UtteranceId: result.resultId,
    ParticipantRole: role,
    IsPartial: result.isPartial,
    BeginOffsetMillis: Math.round(result.startMs),
    EndOffsetMillis: Math.round(result.endMs),
    Transcript: result.transcript,
    ...(analysis?.sentiment && !result.isPartial ? { Sentiment: analysis.sentiment } : {}),
    Items: result.words.map((w) => ({
      Content: w.word,
      Confidence: w.confidence,
      VocabularyFilterMatch: w.vocabularyFilterMatch ?? false,
      Stable: w.stable ?? !result.isPartial,
      ItemType: w.type ?? 'pronunciation',
      BeginOffsetMillis: Math.round(w.startMs),
      EndOffsetMillis: Math.round(w.endMs),
    })),
    Entities: (result.entities ?? []).map((e): UtteranceEntity => ({
      Content: e.content,
      Confidence: e.confidence,
      Category: 'PII',
      // Transcribe's PII types are the ones Callsight's detector uses (analytics/PiiTypes.ts).
      Type: e.type as UtteranceEntity['Type'],
      BeginOffset: Math.round(e.startMs),
      EndOffset: Math.round(e.endMs),
    })),
    IssuesDetected: (analysis?.issues ?? []).map((i) => ({
      CharacterOffsets: { Begin: i.begin, End: i.end },
    })),
  };
}
