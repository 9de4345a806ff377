/**
 * Call analytics models: the public entry (the processor that wires them into the pipeline imports
 * from here). See docs/analytics.md.
 */
export { PARTICIPANT_ROLES, SENTIMENTS } from './AnalyticsTypes.js';
export type {
  AnalyticsUtterance,
  AnalyticsWord,
  CharacterOffsets,
  IssueDetected,
  ParticipantRole,
  Sentiment,
  TimestampRange,
} from './AnalyticsTypes.js';

export { UtteranceAnalyzer } from './UtteranceAnalyzer.js';
export type { UtteranceAnalysis, UtteranceAnalyzerOptions, UtteranceInput } from './UtteranceAnalyzer.js';
export type { UtteranceEntity, UtteranceEvent, UtteranceItem } from './UtteranceTypes.js';

export { analyzeSentiment, DEFAULT_SENTIMENT_OPTIONS } from './SentimentAnalyzer.js';
export type { SentimentOptions, SentimentResult } from './SentimentAnalyzer.js';

export { detectIssues } from './IssueDetector.js';
export type { IssueDetectorOptions } from './IssueDetector.js';

export { detectPii } from './PiiDetector.js';
export type { PiiDetectorOptions } from './PiiDetector.js';
export { redactTranscript, redactionTag } from './PiiRedactor.js';
export type { RedactedTranscript, RedactionLabel } from './PiiRedactor.js';
export { PII_TYPES, parsePiiEntityTypes } from './PiiTypes.js';
export type { PiiEntity, PiiEntityType } from './PiiTypes.js';
export { abaRoutingValid, digitRuns, luhnValid } from './SpokenNumbers.js';
export type { DigitRun } from './SpokenNumbers.js';

export { CategoryEvaluator } from './CategoryEvaluator.js';
export type { CategoryEvaluatorOptions } from './CategoryEvaluator.js';
export { categoryProblems, parseCategories } from './CategorySchema.js';
export { CATEGORY_INPUT_TYPES } from './CategoryTypes.js';
export type {
  AbsoluteTimeRange,
  CallAnalyticsCategory,
  CategoryEvent,
  CategoryInputType,
  InterruptionFilter,
  NonTalkTimeFilter,
  RelativeTimeRange,
  Rule,
  SentimentFilter,
  TranscriptFilter,
} from './CategoryTypes.js';

export { RealTimeAlertEvaluator } from './RealTimeAlertEvaluator.js';
export type {
  AlertInput,
  RealTimeAlertEvaluatorOptions,
  RulesMatchedDetail,
} from './RealTimeAlertEvaluator.js';

export { postCallAnalytics } from './PostCallAnalytics.js';
export type { PostCallInput } from './PostCallAnalytics.js';
export type {
  ConversationCharacteristics,
  PostCallAnalytics,
  PostCallTranscriptEntry,
} from './PostCallTypes.js';
export { loudnessScores } from './Loudness.js';
export { findInterruptions, InterruptionTracker, nonTalkIntervals, speechSegment } from './SpeechTimeline.js';
export type { Interruption, SpeechSegment } from './SpeechTimeline.js';

export { summarizeCall } from './CallSummary.js';
export type { CallSummary, CallSummaryOptions, SummarySentence } from './CallSummary.js';
