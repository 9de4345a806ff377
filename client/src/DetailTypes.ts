/**
 * Every `detail-type` a record or event on Callsight's stream may carry: Chime's, spelt as Chime
 * spells them so that consumers written for Chime keep working, and Callsight's own. Producers,
 * rules and readers name them through this table only; docs/messages.md lists them.
 *
 * The client package (client/, which the web app uses too) is published on its own, so it keeps a
 * copy: src/events/DetailTypes.ts and client/src/DetailTypes.ts are the same file, byte for byte
 * (test/events/DetailTypes.test.ts).
 */
export const DetailType = {
  /** Voice Connector streaming events: STARTED, ALL_STARTED, UPDATED, ENDED, FAILED. */
  StreamingStatus: 'Chime VoiceConnector Streaming Status',
  /** A media insights pipeline's lifecycle (InProgress, Paused, Stopped, Failed…). */
  StateChange: 'Media Insights State Change',
  /** The pipeline record sent as a transcribing processor starts. */
  CallAnalyticsMetadata: 'CallAnalyticsMetadata',
  /** A transcript segment, partial or final. */
  Transcribe: 'Transcribe',
  /** A call analytics utterance: transcript, sentiment, issues, PII. */
  TranscribeCallAnalytics: 'TranscribeCallAnalytics',
  /** Call analytics categories matched in real time. */
  CategoryEvent: 'TranscribeCallAnalyticsCategoryEvent',
  /** A real-time alert rule matched. */
  RulesMatched: 'Media Insights Rules Matched',
  /** Post-call analytics finished. */
  PostCall: 'Call Analytics Post Call Job State Change',
  /** The call's summary, at its end. */
  Summarization: 'Summarization',
  /** A call's recording is finished. */
  Recording: 'Recording',
  /** Voice tone analysis, every few seconds of speech per channel. */
  VoiceToneAnalysisStatus: 'VoiceToneAnalysisStatus',
  /** Speaker search, answered once per call as not available. */
  SpeakerSearchStatus: 'SpeakerSearchStatus',
  /** Chime's voice analytics task status: Callsight emits none, other producers' records may carry it. */
  VoiceAnalyticsStatus: 'VoiceAnalyticsStatus',
  /** Callsight's own: a pipeline element failed. */
  PipelineAlert: 'Callsight Pipeline Alert',
  /** Callsight's own: a webhook gave up on a payload. */
  WebhookDeadLetter: 'Callsight Webhook Dead Letter',
  /** Callsight's own: a call was erased (who and what was removed, never the content). */
  CallErased: 'Callsight Call Erased',
} as const;

export type DetailType = (typeof DetailType)[keyof typeof DetailType];
