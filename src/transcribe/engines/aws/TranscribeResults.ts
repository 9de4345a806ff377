import type { CategoryEvent, Result, UtteranceEvent } from '@aws-sdk/client-transcribe-streaming';
import type { EngineCategoryMatch, RecognitionResult, RecognizedWord } from '../../SpeechEngineTypes.js';

/*
 * Amazon Transcribe's streaming results in Callsight's terms. Transcribe times count from the
 * stream's first audio (`StartTime` in seconds for StartStreamTranscription, `BeginOffsetMillis`
 * for Call Analytics); `baseMs` is that audio's call time.
 */

const clamp01 = (v: number | undefined): number => Math.max(0, Math.min(1, v ?? 0));

/** A StartStreamTranscription Result (first alternative) of one channel's stream. */
export function transcribeResult(result: Result, channel: number, baseMs: number): RecognitionResult {
  const at = (seconds: number | undefined): number => baseMs + (seconds ?? 0) * 1000;
  const alternative = result.Alternatives?.[0];
  const words = (alternative?.Items ?? []).map((item): RecognizedWord => ({
    word: item.Content ?? '',
    startMs: at(item.StartTime),
    endMs: at(item.EndTime),
    confidence: clamp01(item.Confidence),
    type: item.Type === 'punctuation' ? 'punctuation' : 'pronunciation',
    ...(item.Stable !== undefined ? { stable: item.Stable } : {}),
    vocabularyFilterMatch: item.VocabularyFilterMatch === true,
  }));
  const entities = alternative?.Entities?.map((e) => ({
    category: e.Category ?? 'PII',
    type: e.Type ?? '',
    content: e.Content ?? '',
    startMs: at(e.StartTime),
    endMs: at(e.EndTime),
    confidence: clamp01(e.Confidence),
  }));
  return {
    resultId: result.ResultId ?? '',
    channel,
    isPartial: result.IsPartial === true,
    startMs: at(result.StartTime),
    endMs: at(result.EndTime),
    transcript: alternative?.Transcript ?? '',
    words,
    ...(entities && entities.length > 0 ? { entities } : {}),
    ...(result.LanguageCode ? { languageCode: result.LanguageCode } : {}),
  };
}

/** A Call Analytics UtteranceEvent, with its sentiment and issues as the engine's analysis. */
export function callAnalyticsResult(
  event: UtteranceEvent,
  channel: number,
  baseMs: number,
): RecognitionResult {
  const at = (ms: number | undefined): number => baseMs + (ms ?? 0);
  const words = (event.Items ?? []).map((item): RecognizedWord => ({
    word: item.Content ?? '',
    startMs: at(item.BeginOffsetMillis),
    endMs: at(item.EndOffsetMillis),
    confidence: clamp01(item.Confidence),
    type: item.Type === 'punctuation' ? 'punctuation' : 'pronunciation',
    ...(item.Stable !== undefined ? { stable: item.Stable } : {}),
    vocabularyFilterMatch: item.VocabularyFilterMatch === true,
  }));
  return {
    resultId: event.UtteranceId ?? '',
    channel,
    isPartial: event.IsPartial === true,
    startMs: at(event.BeginOffsetMillis),
    endMs: at(event.EndOffsetMillis),
    transcript: event.Transcript ?? '',
    words,
    entities: (event.Entities ?? []).map((e) => ({
      category: e.Category ?? 'PII',
      type: e.Type ?? '',
      content: e.Content ?? '',
      startMs: at(e.BeginOffsetMillis),
      endMs: at(e.EndOffsetMillis),
      confidence: clamp01(e.Confidence),
    })),
    ...(event.LanguageCode ? { languageCode: event.LanguageCode } : {}),
    analysis: {
      ...(event.Sentiment ? { sentiment: event.Sentiment } : {}),
      issues: (event.IssuesDetected ?? []).map((i) => ({
        begin: i.CharacterOffsets?.Begin ?? 0,
        end: i.CharacterOffsets?.End ?? 0,
      })),
    },
  };
}

/** A CategoryEvent, its points of interest moved to call time. */
export function categoryMatch(event: CategoryEvent, baseMs: number): EngineCategoryMatch {
  const details = Object.fromEntries(
    Object.entries(event.MatchedDetails ?? {}).map(([name, points]) => [
      name,
      {
        TimestampRanges: (points.TimestampRanges ?? []).map((r) => ({
          BeginOffsetMillis: baseMs + (r.BeginOffsetMillis ?? 0),
          EndOffsetMillis: baseMs + (r.EndOffsetMillis ?? 0),
        })),
      },
    ]),
  );
  return { MatchedCategories: event.MatchedCategories ?? [], MatchedDetails: details };
}
