import { randomUUID } from 'node:crypto';

/**
 * Stream records of invented calls in the shapes of docs/messages.md and
 * /work/shared/reference/chime-spec.md §2, including the kinds Callsight does not emit yet (call
 * analytics utterances with sentiment, PII and issues, categories, voice tone, real-time alerts,
 * recordings, summaries, post-call analytics). They are appended to a real data stream and reach the
 * browser through the real gateway, for the web app's tests and its responsiveness benchmark.
 */

const ORIGIN = { account: '000000000000', region: 'local', voiceConnectorId: 'callsight-vc' };

const LINES: readonly {
  role: 'CUSTOMER' | 'AGENT';
  text: string;
  sentiment: string;
  pii?: { content: string; type: string };
  issue?: string;
}[] = [
  { role: 'AGENT', text: 'Thank you for calling customer service, my name is Sarah.', sentiment: 'POSITIVE' },
  { role: 'CUSTOMER', text: 'Hello, I am calling about my phone bill.', sentiment: 'NEUTRAL' },
  {
    role: 'CUSTOMER',
    text: 'I was charged twice this month for the same plan.',
    sentiment: 'NEGATIVE',
    issue: 'charged twice this month',
  },
  { role: 'AGENT', text: 'I am sorry to hear that, let me check your account.', sentiment: 'NEUTRAL' },
  {
    role: 'CUSTOMER',
    text: 'My card number is 4111 1111 1111 1111.',
    sentiment: 'NEUTRAL',
    pii: { content: '4111 1111 1111 1111', type: 'CREDIT_DEBIT_NUMBER' },
  },
  {
    role: 'AGENT',
    text: 'I can see the second payment, I will send the money back to your card.',
    sentiment: 'POSITIVE',
  },
  {
    role: 'CUSTOMER',
    text: 'Also my internet keeps dropping every evening, I want to cancel.',
    sentiment: 'MIXED',
    issue: 'internet keeps dropping every evening',
  },
  { role: 'AGENT', text: 'Let me book a technician for tomorrow morning.', sentiment: 'POSITIVE' },
  { role: 'CUSTOMER', text: 'Great, thank you so much for your help.', sentiment: 'POSITIVE' },
];

export interface SyntheticCallOptions {
  readonly fromNumber?: string;
  readonly toNumber?: string;
  /** When the call starts (its INVITE); transcript times count from it. */
  readonly startedAt?: number;
  /** Partial results before each final. */
  readonly partials?: number;
  /**
   * `analytics`: Transcribe Call Analytics utterances (roles, sentiment, PII, issues), voice tone,
   * alerts and categories; `transcribe`: plain Transcribe results. A Chime configuration has one or
   * the other, never both.
   */
  readonly kind?: 'analytics' | 'transcribe';
}

/** One call's records, produced step by step: `start()`, then `next()` until it returns [], then `end()`. */
export class SyntheticCall {
  readonly callId = randomUUID();
  readonly transactionId = randomUUID();
  readonly pipelineId = randomUUID();
  readonly fromNumber: string;
  readonly toNumber: string;
  readonly startedAt: number;
  readonly #partials: number;
  readonly #analytics: boolean;
  #line = 0;
  #clock = 1.0;

  constructor(options: SyntheticCallOptions = {}) {
    this.fromNumber = options.fromNumber ?? '+12065550100';
    this.toNumber = options.toNumber ?? '+13605550199';
    this.startedAt = options.startedAt ?? Date.now();
    this.#partials = options.partials ?? 3;
    this.#analytics = (options.kind ?? 'analytics') === 'analytics';
  }

  get #pipelineArn(): string {
    return `arn:callsight:chime:${ORIGIN.region}:${ORIGIN.account}:media-pipeline/${this.pipelineId}`;
  }

  get #metadata(): string {
    return JSON.stringify({
      voiceConnectorId: ORIGIN.voiceConnectorId,
      callId: this.callId,
      transactionId: this.transactionId,
      fromNumber: this.fromNumber,
      toNumber: this.toNumber,
      direction: 'Inbound',
    });
  }

  #envelope(detailType: string, detail: object, at = Date.now()): object {
    return {
      version: '0',
      id: randomUUID(),
      'detail-type': detailType,
      source: 'aws.chime',
      account: ORIGIN.account,
      time: new Date(at).toISOString().replace(/\.\d+Z$/, 'Z'),
      region: ORIGIN.region,
      resources: [],
      detail,
    };
  }

  #callFields(): object {
    return {
      version: '0',
      voiceConnectorId: ORIGIN.voiceConnectorId,
      transactionId: this.transactionId,
      callId: this.callId,
      direction: 'Inbound',
      fromNumber: this.fromNumber,
      toNumber: this.toNumber,
    };
  }

  #stream(channel: number): object {
    return {
      isCaller: channel === 0,
      mediaType: 'audio/L16',
      startFragmentNumber: `${this.startedAt}00${channel}`,
      startTime: new Date(this.startedAt + 200).toISOString(),
      streamArn: `arn:callsight:kinesisvideo:local:000000000000:stream/CallsightVoiceConnector-callsight-vc-${this.transactionId}-${channel}/${this.startedAt}`,
      sdp: { mediaIndex: channel },
    };
  }

  #flat(detailType: string, payload: object): object {
    return {
      time: new Date().toISOString(),
      'service-type': 'CallAnalytics',
      'detail-type': detailType,
      mediaInsightsPipelineId: this.pipelineId,
      metadata: this.#metadata,
      ...payload,
    };
  }

  #stateChange(eventType: string): object {
    return this.#envelope('Media Insights State Change', {
      version: '0',
      mediaInsightsPipelineArn: this.#pipelineArn,
      eventType,
      ...this.#callFields(),
    });
  }

  start(): object[] {
    const inviteHeaders = {
      from: `"Alice" <sip:${this.fromNumber}@198.51.100.7>;tag=1928301774`,
      to: `<sip:${this.toNumber}@callsight.example.com>`,
      'call-id': `${this.transactionId}@198.51.100.7`,
      cseq: '1 INVITE',
      subject: '<img src=x onerror=alert(1)>',
    };
    return [
      ...[0, 1].map((channel) =>
        this.#envelope('Chime VoiceConnector Streaming Status', {
          streamingStatus: 'STARTED',
          ...this.#callFields(),
          ...this.#stream(channel),
          inviteHeaders,
        }),
      ),
      this.#envelope('Chime VoiceConnector Streaming Status', {
        streamingStatus: 'ALL_STARTED',
        ...this.#callFields(),
        startTime: new Date(this.startedAt).toISOString(),
        inviteHeaders,
        streams: [0, 1].map((channel) => ({ ...this.#stream(channel), channelId: channel })),
      }),
      this.#stateChange('chime:MediaInsightsInProgress'),
      this.#flat('CallAnalyticsMetadata', {
        metadata: JSON.stringify({
          ...JSON.parse(this.#metadata),
          oneTimeMetadata: JSON.stringify({ inviteHeaders: JSON.stringify(inviteHeaders) }),
        }),
      }),
    ];
  }

  /** The next utterance: partials then a final, as Transcribe and as call analytics, plus what it triggers. */
  next(): object[] {
    const line = LINES[this.#line % LINES.length]!;
    const turn = this.#line++;
    const channel = line.role === 'CUSTOMER' ? 'ch_0' : 'ch_1';
    const words = line.text.split(' ');
    const begin = this.#clock;
    const end = begin + words.length * 0.35;
    this.#clock = end + 0.8;
    const resultId = randomUUID();
    const utteranceId = randomUUID();
    const records: object[] = [];
    for (let p = 1; p <= this.#partials; p++) {
      const partial = words.slice(0, Math.ceil((words.length * p) / (this.#partials + 1))).join(' ');
      records.push(
        this.#analytics
          ? this.#utterance(utteranceId, line.role, begin, end, partial, true)
          : this.#transcribe(resultId, channel, begin, end, partial, true),
      );
    }
    if (!this.#analytics) {
      records.push(this.#transcribe(resultId, channel, begin, end, line.text, false, words));
      return records;
    }
    records.push(
      this.#utterance(
        utteranceId,
        line.role,
        begin,
        end,
        line.text,
        false,
        line.sentiment,
        line.pii,
        line.issue,
      ),
    );
    if (turn % 3 === 2) records.push(this.#voiceTone(line.role, turn, end));
    if (line.issue?.includes('cancel') || line.text.includes('cancel')) {
      records.push(
        this.#envelope('Media Insights Rules Matched', {
          version: '0',
          sourceMetadata: {},
          ruleName: 'cancellation-intent',
          utteranceId,
          beginTimestamp: new Date(this.startedAt + begin * 1000).toISOString(),
          callId: this.callId,
          transactionId: this.transactionId,
        }),
      );
      records.push(
        this.#flat('TranscribeCallAnalyticsCategoryEvent', {
          CategoryEvent: {
            MatchedCategories: ['cancellation-intent'],
            MatchedDetails: {
              'cancellation-intent': {
                TimestampRanges: [
                  { BeginOffsetMillis: Math.round(begin * 1000), EndOffsetMillis: Math.round(end * 1000) },
                ],
              },
            },
          },
        }),
      );
    }
    return records;
  }

  /** Utterances in one pass over the script. */
  get length(): number {
    return LINES.length;
  }

  end(): object[] {
    const endedAt = Date.now();
    return [
      ...[0, 1].map((channel) =>
        this.#envelope('Chime VoiceConnector Streaming Status', {
          streamingStatus: 'ENDED',
          ...this.#callFields(),
          ...this.#stream(channel),
          endTime: new Date(endedAt).toISOString(),
        }),
      ),
      this.#stateChange('chime:MediaInsightsStopped'),
      this.#flat('Recording', {
        s3MediaObjectConsoleUrl: `/api/calls/${this.callId}/recording?pipelineId=${this.pipelineId}`,
        recordingDurationSeconds: String(Math.round((endedAt - this.startedAt) / 1000)),
      }),
      this.#postCallEvent(),
      {
        'detail-type': 'Summarization',
        metadata: this.#metadata,
        summarization:
          'The customer was charged twice for the same plan; the agent refunded the second payment and booked a technician for the evening internet drops.',
      },
    ];
  }

  /** Where the post-call document is served (Callsight's GET /api/calls/{callId}/analytics). */
  get postCallLocation(): string {
    return `/api/calls/${this.callId}/analytics`;
  }

  /** The post-call analytics document (Transcribe Call Analytics' shape), in part. */
  postCallDocument(): object {
    return {
      JobStatus: 'COMPLETED',
      LanguageCode: 'en-US',
      Channel: 'VOICE',
      Participants: [{ ParticipantRole: 'AGENT' }, { ParticipantRole: 'CUSTOMER' }],
      Transcript: [],
      Categories: { MatchedCategories: ['cancellation-intent'], MatchedDetails: {} },
      ConversationCharacteristics: {
        TotalConversationDurationMillis: 41_000,
        TalkTime: {
          TotalTimeMillis: 29_000,
          DetailsByParticipant: { AGENT: { TotalTimeMillis: 13_000 }, CUSTOMER: { TotalTimeMillis: 16_000 } },
        },
        TalkSpeed: {
          DetailsByParticipant: {
            AGENT: { AverageWordsPerMinute: 158 },
            CUSTOMER: { AverageWordsPerMinute: 171 },
          },
        },
        NonTalkTime: { TotalTimeMillis: 7_200, Instances: [] },
        Interruptions: { TotalCount: 1, TotalTimeMillis: 900, InterruptionsByInterrupter: {} },
        Sentiment: { OverallSentiment: { AGENT: 3.4, CUSTOMER: 0.8 }, SentimentByPeriod: { QUARTER: {} } },
      },
    };
  }

  #postCallEvent(): object {
    return {
      ...(this.#envelope('Call Analytics Post Call Job State Change', {
        StreamingSessionId: this.pipelineId,
        PostCallStatus: 'COMPLETED',
        Transcript: {
          TranscriptFileUri: this.postCallLocation,
          RedactedTranscriptFileUri: this.postCallLocation,
        },
        mediaInsightsPipelineArn: this.#pipelineArn,
        callId: this.callId,
        transactionId: this.transactionId,
      }) as Record<string, unknown>),
      source: 'callsight',
    };
  }

  #transcribe(
    resultId: string,
    channel: string,
    begin: number,
    end: number,
    text: string,
    partial: boolean,
    words: readonly string[] = [],
  ): object {
    const step = (end - begin) / Math.max(1, words.length);
    return this.#flat('Transcribe', {
      TranscriptEvent: {
        ResultId: resultId,
        StartTime: round(begin),
        EndTime: round(end),
        IsPartial: partial,
        ChannelId: channel,
        Alternatives: [
          {
            Transcript: text,
            Items: words.map((word, i) => ({
              StartTime: round(begin + i * step),
              EndTime: round(begin + (i + 1) * step),
              ItemType: 'pronunciation',
              Content: word,
              Confidence: 0.93,
              Stable: true,
              Speaker: null,
              VocabularyFilterMatch: false,
            })),
            Entities: null,
          },
        ],
      },
    });
  }

  #utterance(
    id: string,
    role: string,
    begin: number,
    end: number,
    text: string,
    partial: boolean,
    sentiment?: string,
    pii?: { content: string; type: string },
    issue?: string,
  ): object {
    const issueAt = issue ? text.indexOf(issue) : -1;
    return this.#flat('TranscribeCallAnalytics', {
      UtteranceEvent: {
        UtteranceId: id,
        ParticipantRole: role,
        IsPartial: partial,
        BeginOffsetMillis: Math.round(begin * 1000),
        EndOffsetMillis: Math.round(end * 1000),
        Transcript: text,
        ...(partial ? {} : { Sentiment: sentiment }),
        Items: [],
        Entities:
          pii && text.includes(pii.content)
            ? [
                {
                  Content: pii.content,
                  Confidence: 0.97,
                  Category: 'PII',
                  Type: pii.type,
                  BeginOffset: 4900,
                  EndOffset: 7100,
                },
              ]
            : [],
        IssuesDetected:
          !partial && issueAt >= 0
            ? [{ CharacterOffsets: { Begin: issueAt, End: issueAt + issue!.length } }]
            : [],
      },
    });
  }

  #voiceTone(role: 'CUSTOMER' | 'AGENT', turn: number, at: number): object {
    const positive = role === 'AGENT' ? 0.6 : 0.15 + (turn % 5) * 0.12;
    const negative = role === 'AGENT' ? 0.1 : 0.55 - (turn % 5) * 0.1;
    const endTime = this.startedAt + at * 1000;
    const tone = {
      startTime: new Date(Math.max(this.startedAt, endTime - 30_000)).toISOString(),
      endTime: new Date(endTime).toISOString(),
      voiceToneLabel: positive > negative ? 'positive' : 'negative',
      voiceToneScore: { positive, negative, neutral: round(1 - positive - negative) },
    };
    return {
      ...(this.#envelope('VoiceToneAnalysisStatus', {
        taskId: randomUUID(),
        detailStatus: 'VoiceToneAnalysisSuccessful',
        isCaller: role === 'CUSTOMER',
        transactionId: this.transactionId,
        voiceConnectorId: ORIGIN.voiceConnectorId,
        callId: this.callId,
        voiceToneAnalysisDetails: { currentAverageVoiceTone: tone, overallAverageVoiceTone: tone },
      }) as Record<string, unknown>),
      'service-type': 'VoiceAnalytics',
    };
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
