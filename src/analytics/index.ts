/**
 * Call analytics models: the public entry (the processor that wires them into the pipeline imports
 * from here). See docs/analytics.md.
 */
export type { AnalyticsUtterance, ParticipantRole, Sentiment } from './AnalyticsTypes.js';

export { UtteranceAnalyzer } from './UtteranceAnalyzer.js';
export type { UtteranceEvent } from './UtteranceTypes.js';

export { analyzeSentiment } from './SentimentAnalyzer.js';

export { detectIssues } from './IssueDetector.js';

export { detectPii } from './PiiDetector.js';
export { redactTranscript } from './PiiRedactor.js';
export { PII_TYPES, parsePiiEntityTypes } from './PiiTypes.js';
export { abaRoutingValid, digitRuns, luhnValid } from './SpokenNumbers.js';

export { CategoryEvaluator } from './CategoryEvaluator.js';
export { categoryProblems, parseCategories } from './CategorySchema.js';
export type { CallAnalyticsCategory } from './CategoryTypes.js';

export { RealTimeAlertEvaluator } from './RealTimeAlertEvaluator.js';
export type { AlertInput } from './RealTimeAlertEvaluator.js';

export { postCallAnalytics } from './PostCallAnalytics.js';
export { loudnessScores } from './Loudness.js';
export { findInterruptions, nonTalkIntervals } from './SpeechTimeline.js';
export type { SpeechSegment } from './SpeechTimeline.js';

export { summarizeCall } from './CallSummary.js';
