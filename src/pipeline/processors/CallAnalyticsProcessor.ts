import { DetailType } from '../../events/DetailTypes.js';
import type { EventOrigin } from '../../events/EventEnvelope.js';
import type { PcmFrame } from '../../media/MediaTypes.js';
import { CategoryEvaluator } from '../../analytics/CategoryEvaluator.js';
import { PiiCallContext } from '../../analytics/PiiCallContext.js';
import type { CallAnalyticsCategory } from '../../analytics/CategoryTypes.js';
import { RealTimeAlertEvaluator } from '../../analytics/RealTimeAlertEvaluator.js';
import type { UtteranceAnalyzerOptions } from '../../analytics/UtteranceAnalyzer.js';
import type { UtteranceEvent } from '../../analytics/UtteranceTypes.js';
import type { AnalyticsPool } from '../../analytics/worker/AnalyticsPool.js';
import type { RealTimeAlertConfiguration } from '../../configurations/ConfigurationTypes.js';
import type { ParticipantRole, PipelineContext, PipelineProcessor } from '../PipelineTypes.js';
import { recordBase } from '../records/PipelineRecord.js';
import { postCallEvent, postCallMedia, type PostCallStore } from '../records/PostCall.js';
import type { EngineCategoryMatch, RecognitionResult } from '../../transcribe/SpeechEngineTypes.js';
import { readableWords, spokenWords } from '../../transcribe/ReadableText.js';
import { ChannelLoudness } from './ChannelLoudness.js';
import { engineUtteranceEvent } from './EngineAnalysis.js';
import { RecognitionChannels, type RecognitionChoice } from './RecognitionChannels.js';
import { startTranscription, publishAlert, sharedUtterance } from './TranscriptionOutputs.js';
import { asError } from '../../platform/errors.js';
import type { RedactedSpans } from './RedactedSpans.js';
import { VocabularyFilter } from '../../transcribe/VocabularyFilter.js';

export interface CallAnalyticsProcessorOptions {
  /** Engines that analyse as they recognise (Transcribe Call Analytics) replace the models below. */
  readonly recognition: RecognitionChoice;
  readonly analytics: AnalyticsPool;
  readonly filterPartialResults: boolean;
  /** PII identification / redaction (the element's ContentIdentificationType, ContentRedactionType, PiiEntityTypes). */
  readonly analyzer: UtteranceAnalyzerOptions;
  readonly categories: readonly CallAnalyticsCategory[];
  /** CallAnalyticsStreamCategories: which matches are sent in real time (default all). */
  readonly streamCategories?: readonly string[];
  readonly alerts: RealTimeAlertConfiguration | undefined;
  readonly postCall: PostCallStore;
  readonly origin: EventOrigin;
  /** With ContentRedactionType and a recording: where the times of redacted entities go (its audio is silenced there). */
  readonly redactedSpans?: RedactedSpans;
}

/**
 * Chime's AmazonTranscribeCallAnalyticsProcessor: speech recognition per channel, then the call
 * analytics models (in worker threads) on every result — PII marked or redacted before anything
 * leaves this processor, sentiment and issues on finals — as "TranscribeCallAnalytics" records;
 * category matches, real-time alerts ("Media Insights Rules Matched") and, at the end, the
 * post-call analytics and a summary. Results of one channel are handled in order.
 */
export class CallAnalyticsProcessor implements PipelineProcessor {
  readonly type = 'AmazonTranscribeCallAnalyticsProcessor';
  readonly #options: CallAnalyticsProcessorOptions;
  readonly #context: PipelineContext;
  readonly #fail: (error: Error) => void;
  readonly #channels: RecognitionChannels;
  readonly #categories: CategoryEvaluator;
  readonly #alerts: RealTimeAlertEvaluator;
  readonly #loudness = new ChannelLoudness();
  /** Redacted final utterances, for the post-call analytics and the summary. */
  readonly #finals: UtteranceEvent[] = [];
  /**
   * Per channel, the caller's last words (PII read across utterances is found as one), and the other
   * side's last question (in memory only).
   */
  readonly #pii = new PiiCallContext();
  /** Per channel, the analysis of the previous result: the next waits for it (keeps records in order). */
  readonly #queues = new Map<number, Promise<void>>();
  #failed = false;
  /** The vocabulary filter the results come through (for the items a partial is given here). */
  readonly #filter: VocabularyFilter | null;

  constructor(
    options: CallAnalyticsProcessorOptions,
    context: PipelineContext,
    fail: (error: Error) => void,
    recovered: (reason: string) => void,
  ) {
    this.#options = options;
    this.#context = context;
    this.#filter = VocabularyFilter.of(options.recognition.settings);
    this.#fail = (error) => {
      if (this.#failed) return;
      this.#failed = true;
      options.redactedSpans?.fail();
      fail(error);
    };
    this.#channels = new RecognitionChannels({
      ...options.recognition,
      context,
      callAnalytics: true,
      onResult: (result) => this.#enqueue(result),
      onCategory: (match) => this.#onEngineCategory(match),
      onError: this.#fail,
      onFallback: recovered,
    });
    this.#categories = new CategoryEvaluator(options.categories, {
      ...(options.streamCategories ? { streamCategories: options.streamCategories } : {}),
    });
    this.#alerts = new RealTimeAlertEvaluator(options.alerts, {
      callStartTime: context.call.startedAt,
      sourceMetadata: context.metadata,
    });
  }

  start(): void {
    startTranscription(this.#context, this.#channels, this.#options.redactedSpans);
  }

  write(frame: PcmFrame): void {
    if (this.#failed) return;
    this.#loudness.add(frame);
    this.#channels.write(frame);
  }

  async pause(): Promise<void> {
    await this.#channels.pause();
    await this.#drained();
  }

  resume(): void {
    this.#channels.resume();
  }

  async stop(): Promise<void> {
    try {
      await this.#channels.stop();
      await this.#drained();
    } finally {
      // Every final is out (or the processor broke): the recording may now silence what they redacted.
      if (this.#failed) this.#options.redactedSpans?.fail();
      else this.#options.redactedSpans?.finish();
    }
    if (this.#failed) return;
    const durationMs = Date.now() - this.#context.call.startedAt.getTime();
    for (const event of this.#categories.end(durationMs)) this.#emitCategory(event);
    for (const detail of this.#alerts.end()) this.#publishAlert(detail);
    await this.#finishCall(durationMs);
  }

  /** Another worker carries the pipeline on: end the recognition streams, and no post-call document. */
  async abort(): Promise<void> {
    this.#options.redactedSpans?.fail();
    await this.#channels.stop();
    await this.#drained();
  }

  async #drained(): Promise<void> {
    while (this.#queues.size > 0) await Promise.all(this.#queues.values());
  }

  #role(channelId: number): ParticipantRole {
    const defined = this.#context.channels.find((c) => c.channelId === channelId)?.participantRole;
    return defined ?? (channelId === 0 ? 'CUSTOMER' : 'AGENT');
  }

  #enqueue(result: RecognitionResult): void {
    if (this.#failed || (result.isPartial && this.#options.filterPartialResults)) return;
    const previous = this.#queues.get(result.channel) ?? Promise.resolve();
    const next = previous
      .then(() => this.#analyze(result))
      .catch((err: unknown) => this.#fail(asError(err)))
      .finally(() => {
        if (this.#queues.get(result.channel) === next) this.#queues.delete(result.channel);
      });
    this.#queues.set(result.channel, next);
  }

  async #analyze(result: RecognitionResult): Promise<void> {
    if (this.#failed) return;
    const role = this.#role(result.channel);
    // The engine analysed the utterance itself (Transcribe Call Analytics): its sentiment, issues
    // and PII stand, and its categories arrive as their own events.
    if (result.analysis) {
      this.#emitUtterance(engineUtteranceEvent(result, role), result, role);
      return;
    }
    const before = this.#pii.before(result.channel, result.startMs);
    // A partial has no word timings: its transcript's words, spread over the result.
    const words = result.words.length > 0 || !result.isPartial ? result.words : wordsOf(result, this.#filter);
    const analysis = await this.#options.analytics.analyze(this.#options.analyzer, {
      utteranceId: result.resultId,
      role,
      beginMs: result.startMs,
      endMs: result.endMs,
      words,
      isPartial: result.isPartial,
      piiContext: before.context,
      piiPrompt: before.prompt,
    });
    if (!result.isPartial)
      this.#pii.addFinal(
        result.channel,
        spokenWords(words).map((w) => w.word),
        result.startMs,
        result.endMs,
      );
    if (this.#failed) return;
    this.#emitUtterance(analysis.event, result, role, analysis.sentiment?.score);
  }

  #emitUtterance(
    event: UtteranceEvent,
    result: RecognitionResult,
    role: ParticipantRole,
    sentimentScore?: number,
  ): void {
    const { call, pipelineId, metadata } = this.#context;
    this.#context.emit(
      {
        ...recordBase(DetailType.TranscribeCallAnalytics, pipelineId, metadata, new Date()),
        UtteranceEvent: event,
      },
      { type: DetailType.TranscribeCallAnalytics, callId: call.callId },
    );
    if (event.IsPartial) return;
    for (const entity of event.Entities)
      this.#options.redactedSpans?.add({
        channel: result.channel,
        startMs: entity.BeginOffset,
        endMs: entity.EndOffset,
      });
    this.#finals.push(event);
    this.#context.shareUtterance({
      ...sharedUtterance(result, role),
      ...(event.Sentiment ? { sentiment: event.Sentiment } : {}),
      ...(sentimentScore !== undefined ? { sentimentScore } : {}),
    });
    // Categories are the engine's when it analyses (onCategory), Callsight's otherwise.
    if (!result.analysis) for (const category of this.#categories.add(event)) this.#emitCategory(category);
    for (const detail of this.#alerts.add(event)) this.#publishAlert(detail);
  }

  /** A category the engine matched: written when CallAnalyticsStreamCategories names it (or is absent). */
  #onEngineCategory(match: EngineCategoryMatch): void {
    const wanted = this.#options.streamCategories;
    const names = wanted
      ? match.MatchedCategories.filter((n) => wanted.includes(n))
      : match.MatchedCategories;
    if (names.length === 0) return;
    const details = Object.fromEntries(
      Object.entries(match.MatchedDetails).filter(([n]) => names.includes(n)),
    );
    this.#emitCategory({ MatchedCategories: names, MatchedDetails: details });
  }

  #emitCategory(CategoryEvent: EngineCategoryMatch | object): void {
    if (this.#failed) return;
    const { call, pipelineId, metadata } = this.#context;
    this.#context.emit(
      {
        ...recordBase(DetailType.CategoryEvent, pipelineId, metadata, new Date()),
        CategoryEvent,
      },
      { type: DetailType.CategoryEvent, callId: call.callId },
    );
  }

  #publishAlert(detail: object): void {
    publishAlert(this.#context, this.#options.origin, detail);
  }

  /** The post-call analytics (stored and announced) and the summary, from the redacted finals. */
  async #finishCall(durationMs: number): Promise<void> {
    const { call, pipelineId, pipelineArn, metadata } = this.#context;
    try {
      const analytics = await this.#options.analytics.postCall({
        utterances: this.#finals,
        categories: this.#categories.postCallMatches(),
        loudness: this.#loudness.scoresFor(this.#finals, (channelRole) => this.#channelOf(channelRole)),
        callDurationMs: durationMs,
        languageCode: this.#options.recognition.settings.languageCode,
        sessionId: pipelineId,
      });
      // With redaction the recording waits for the last final; the document waits for its URLs.
      const urls = await this.#options.redactedSpans?.recording();
      const media = urls ? postCallMedia(urls) : undefined;
      const document = media ? { ...analytics, Media: media } : analytics;
      const location = await this.#options.postCall.save({
        callId: call.callId,
        pipelineId,
        analytics: document,
      });
      this.#context.publish(
        postCallEvent(
          { call, pipelineId, pipelineArn, location, ...(media ? { media } : {}) },
          this.#options.origin,
        ),
      );
      if (this.#finals.length > 0) {
        const summary = await this.#options.analytics.summary(this.#finals);
        this.#context.emit(
          {
            ...recordBase(DetailType.Summarization, pipelineId, metadata, new Date()),
            summarization: summary.summarization,
          },
          { type: DetailType.Summarization, callId: call.callId },
        );
      }
    } catch (err) {
      this.#context.logger.error({ err }, 'post-call analytics failed');
    }
  }

  #channelOf(role: ParticipantRole): number {
    return (
      this.#context.channels.find((c) => c.participantRole === role)?.channelId ??
      (role === 'CUSTOMER' ? 0 : 1)
    );
  }
}

/**
 * A partial's words without timings (the recogniser times only finals), spread evenly; from the
 * recogniser's own words, made readable again, when its transcript was made readable.
 */
function wordsOf(result: RecognitionResult, filter: VocabularyFilter | null): RecognitionResult['words'] {
  const words = (result.spokenTranscript ?? result.transcript).split(/\s+/).filter(Boolean);
  const span = Math.max(1, result.endMs - result.startMs) / Math.max(1, words.length);
  const timed = words.map((word, i) => ({
    word,
    startMs: result.startMs + i * span,
    endMs: result.startMs + (i + 1) * span,
    confidence: 0,
    vocabularyFilterMatch: filter?.marks(word) ?? false,
  }));
  return result.spokenTranscript === undefined ? timed : readableWords(timed, false);
}
