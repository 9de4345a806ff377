import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaInsightsPipelineConfigurationElement } from '../../src/configurations/ConfigurationTypes.js';
import {
  checkCreateRequest,
  checkUpdateRequest,
  planConfiguration,
} from '../../src/configurations/ConfigurationPlan.js';
import { defaultConfiguration } from '../../src/configurations/defaultConfiguration.js';
import {
  DG_EVENTBRIDGE_ALERTS_NESTED,
  DG_RECORDING_ONLY,
  DG_VOICE_ENHANCEMENT,
  KDS,
  ROLE,
  SEED_CONFIGURATION,
} from './fixtures.js';

type Element = MediaInsightsPipelineConfigurationElement;
const transcribe = (config: Record<string, unknown> = { LanguageCode: 'en-US' }): Element => ({
  Type: 'AmazonTranscribeProcessor',
  AmazonTranscribeProcessorConfiguration: config,
});
const tca = (config: Record<string, unknown> = { LanguageCode: 'en-US' }): Element =>
  ({
    Type: 'AmazonTranscribeCallAnalyticsProcessor',
    AmazonTranscribeCallAnalyticsProcessorConfiguration: config,
  }) as Element;
const kds: Element = {
  Type: 'KinesisDataStreamSink',
  KinesisDataStreamSinkConfiguration: { InsightsTarget: KDS },
};
const sink = (type: 'LambdaFunctionSink' | 'SqsQueueSink' | 'SnsTopicSink', target?: string): Element => ({
  Type: type,
  [`${type}Configuration`]: target === undefined ? {} : { InsightsTarget: target },
});
const plan = (...Elements: Element[]) => planConfiguration({ Elements });
const paths = (issues: readonly { path: string }[]) => issues.map((i) => i.path);

describe('planConfiguration: what each element becomes', () => {
  test('the default configuration is honoured in full: no warning, no error', () => {
    const result = planConfiguration(defaultConfiguration({ region: 'local', account: '000000000000' }));
    assert.deepEqual(result, {
      processors: [
        {
          kind: 'speech-recognition',
          element: 'AmazonTranscribeProcessor',
          index: 0,
          engine: 'pocketsphinx',
          engineKind: 'pocketsphinx',
          languageCode: 'en-US',
          filterPartialResults: false,
          callAnalytics: false,
        },
      ],
      sinks: [
        {
          kind: 'data-stream',
          element: 'KinesisDataStreamSink',
          index: 1,
          insightsTarget: 'arn:callsight:kinesis:local:000000000000:stream/callsight',
        },
      ],
      warnings: [],
      errors: [],
    });
  });

  test("the seed's configuration: the Lambda ARN is refused, voice tone analysis and recording run", () => {
    const result = checkCreateRequest(SEED_CONFIGURATION);
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && result.errors, [
      {
        path: 'Elements[4].LambdaFunctionSinkConfiguration.InsightsTarget',
        message:
          "LambdaFunctionSink: Callsight cannot invoke AWS Lambda functions; set InsightsTarget to an http(s) URL and Callsight POSTs the pipeline's records there (a webhook)",
      },
    ]);
    assert.deepEqual(paths(result.warnings), ['ResourceAccessRoleArn']);

    const withWebhook = structuredClone(SEED_CONFIGURATION);
    withWebhook.Elements[4]!.LambdaFunctionSinkConfiguration!.InsightsTarget =
      'https://hooks.example.com/voice';
    const accepted = checkCreateRequest(withWebhook);
    assert.ok(accepted.ok);
    assert.deepEqual(accepted.plan.errors, []);
    assert.deepEqual(accepted.plan.sinks, [
      { kind: 'data-stream', element: 'KinesisDataStreamSink', index: 1, insightsTarget: KDS },
      {
        kind: 'recording',
        element: 'S3RecordingSink',
        index: 2,
        destination: 'arn:aws:s3:::callanalyticsreader-recordings',
        fileFormat: 'Wav',
      },
      { kind: 'webhook', element: 'LambdaFunctionSink', index: 4, url: 'https://hooks.example.com/voice' },
    ]);
    assert.deepEqual(
      accepted.plan.processors.filter((p) => p.kind === 'voice-analytics'),
      [
        {
          kind: 'voice-analytics',
          element: 'VoiceAnalyticsProcessor',
          index: 3,
          voiceToneAnalysis: true,
          speakerSearchNotice: false,
        },
      ],
    );
    assert.deepEqual(accepted.warnings, [
      {
        path: 'ResourceAccessRoleArn',
        message:
          'Callsight does not use IAM roles; ResourceAccessRoleArn is kept for compatibility and ignored',
      },
    ]);
  });

  test('only en-US can be transcribed; the error names element and field', () => {
    const result = plan(transcribe({ LanguageCode: 'fr-FR' }), kds);
    assert.deepEqual(result.errors, [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageCode',
        message:
          'AmazonTranscribeProcessor: Callsight ships only the en-US speech model, so "fr-FR" cannot be transcribed; use "en-US"',
      },
    ]);
    assert.deepEqual(result.processors, []);
    assert.deepEqual(paths(plan(tca({ LanguageCode: 'de-DE' }), kds).errors), [
      'Elements[0].AmazonTranscribeCallAnalyticsProcessorConfiguration.LanguageCode',
    ]);
  });

  test('options Callsight cannot honour are accepted with a warning each; FilterPartialResults and vocabulary filters are honoured', () => {
    const result = plan(
      transcribe({
        LanguageCode: 'en-US',
        VocabularyFilterName: 'medical-terms',
        VocabularyFilterMethod: 'mask',
        LanguageModelName: 'claims-model',
        ShowSpeakerLabel: true,
        EnablePartialResultsStabilization: false,
        ContentIdentificationType: 'PII',
        FilterPartialResults: true,
      }),
      kds,
    );
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.ShowSpeakerLabel',
        message:
          'AmazonTranscribeProcessor: ignored. Speaker diarization is not available; each channel is one speaker.',
      },
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.ContentIdentificationType',
        message: 'AmazonTranscribeProcessor: ignored. PII is not identified in transcripts.',
      },
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageModelName',
        message: 'AmazonTranscribeProcessor: ignored. Custom language models are not available.',
      },
    ]);
    const [first] = result.processors;
    assert.ok(first?.kind === 'speech-recognition');
    assert.equal(first.filterPartialResults, true);
  });

  test('language identification is warned about, and refused when en-US is not among the options', () => {
    const accepted = plan(
      transcribe({ IdentifyLanguage: true, LanguageOptions: 'en-US,es-US', PreferredLanguage: 'es-US' }),
      kds,
    );
    assert.deepEqual(accepted.errors, []);
    assert.deepEqual(paths(accepted.warnings), [
      'Elements[0].AmazonTranscribeProcessorConfiguration.IdentifyLanguage',
      'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageOptions',
      'Elements[0].AmazonTranscribeProcessorConfiguration.PreferredLanguage',
    ]);
    assert.equal(accepted.processors.length, 1);
    const refused = plan(
      transcribe({ IdentifyMultipleLanguages: true, LanguageOptions: 'fr-FR,de-DE' }),
      kds,
    );
    assert.deepEqual(refused.errors, [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageOptions',
        message:
          'AmazonTranscribeProcessor: none of these languages can be transcribed; Callsight ships only the en-US speech model',
      },
    ]);
  });

  test('PII redaction is honoured by the call analytics processor and refused by plain Transcribe', () => {
    const analytics = plan(
      tca({ LanguageCode: 'en-US', ContentRedactionType: 'PII', PiiEntityTypes: 'NAME,SSN' }),
      kds,
    );
    assert.deepEqual(analytics.errors, []);
    assert.deepEqual(analytics.warnings, []);
    const plain = plan(transcribe({ LanguageCode: 'en-US', ContentRedactionType: 'PII' }), kds);
    assert.deepEqual(plain.errors, [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.ContentRedactionType',
        message:
          'AmazonTranscribeProcessor: Callsight cannot redact PII, so transcripts would contain what this asks to redact; remove ContentRedactionType (and PiiEntityTypes) to accept unredacted transcripts.',
      },
    ]);
  });

  test('the call analytics processor runs the analytics; S3 post-call settings are not used', () => {
    const result = plan(
      tca({
        LanguageCode: 'en-US',
        PostCallAnalyticsSettings: { OutputLocation: 's3://b/p', DataAccessRoleArn: ROLE },
      }),
      kds,
    );
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, [
      {
        path: 'Elements[0].AmazonTranscribeCallAnalyticsProcessorConfiguration.PostCallAnalyticsSettings',
        message:
          'AmazonTranscribeCallAnalyticsProcessor: ignored. Post-call analytics are always produced and kept by Callsight (GET /api/calls/{callId}/analytics); OutputLocation and DataAccessRoleArn are not used. ContentRedactionOutput is honoured: with ContentRedactionType and an S3RecordingSink it says whether the unredacted recording is kept beside the redacted one.',
      },
    ]);
    assert.deepEqual(
      result.processors.map((p) => [p.element, p.kind === 'speech-recognition' && p.callAnalytics]),
      [['AmazonTranscribeCallAnalyticsProcessor', true]],
    );
  });

  test('voice tone analysis runs; speaker search is accepted with a warning; nothing enabled is warned about', () => {
    const voice = (config: Record<string, string>): Element => ({
      Type: 'VoiceAnalyticsProcessor',
      VoiceAnalyticsProcessorConfiguration: config,
    });
    const result = plan(
      transcribe(),
      kds,
      voice({ SpeakerSearchStatus: 'Enabled', VoiceToneAnalysisStatus: 'Enabled' }),
    );
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, [
      {
        path: 'Elements[2].VoiceAnalyticsProcessorConfiguration.SpeakerSearchStatus',
        message:
          'VoiceAnalyticsProcessor: speaker search needs voice embeddings Callsight does not ship; each call gets a SpeakerSearchStatus event (IdentificationFailure) saying it is not available',
      },
    ]);
    assert.deepEqual(result.processors.at(-1), {
      kind: 'voice-analytics',
      element: 'VoiceAnalyticsProcessor',
      index: 2,
      voiceToneAnalysis: true,
      speakerSearchNotice: true,
    });

    const toneOnly = plan(transcribe(), kds, voice({ VoiceToneAnalysisStatus: 'Enabled' }));
    assert.deepEqual(toneOnly.warnings, []);
    const nothing = plan(transcribe(), kds, voice({ VoiceToneAnalysisStatus: 'Disabled' }));
    assert.deepEqual(nothing.warnings, [
      {
        path: 'Elements[2].Type',
        message:
          'VoiceAnalyticsProcessor: neither VoiceToneAnalysisStatus nor SpeakerSearchStatus is Enabled, so the element does nothing',
      },
    ]);
    assert.deepEqual(
      nothing.processors.map((p) => p.kind),
      ['speech-recognition'],
    );
  });

  test('Lambda, SQS and SNS sinks: a URL is a webhook, an ARN or no target is refused', () => {
    const ok = plan(
      transcribe(),
      kds,
      sink('LambdaFunctionSink', 'https://a.example/l'),
      sink('SqsQueueSink', 'http://127.0.0.1:9000/q'),
      sink('SnsTopicSink', 'https://a.example/s'),
    );
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(
      ok.sinks.map((s) => [
        s.kind,
        s.element,
        s.kind === 'webhook' ? s.url : s.kind === 'data-stream' ? s.insightsTarget : null,
      ]),
      [
        ['data-stream', 'KinesisDataStreamSink', KDS],
        ['webhook', 'LambdaFunctionSink', 'https://a.example/l'],
        ['webhook', 'SqsQueueSink', 'http://127.0.0.1:9000/q'],
        ['webhook', 'SnsTopicSink', 'https://a.example/s'],
      ],
    );
    const refused = plan(
      transcribe(),
      kds,
      sink('SqsQueueSink', 'arn:aws:sqs:us-east-1:111122223333:queue'),
      sink('SnsTopicSink', 'arn:aws:sns:us-east-1:111122223333:topic'),
      sink('LambdaFunctionSink'),
    );
    assert.deepEqual(refused.errors, [
      {
        path: 'Elements[2].SqsQueueSinkConfiguration.InsightsTarget',
        message:
          "SqsQueueSink: Callsight cannot send to Amazon SQS queues; set InsightsTarget to an http(s) URL and Callsight POSTs the pipeline's records there (a webhook)",
      },
      {
        path: 'Elements[3].SnsTopicSinkConfiguration.InsightsTarget',
        message:
          "SnsTopicSink: Callsight cannot publish to Amazon SNS topics; set InsightsTarget to an http(s) URL and Callsight POSTs the pipeline's records there (a webhook)",
      },
      {
        path: 'Elements[4].LambdaFunctionSinkConfiguration.InsightsTarget',
        message:
          "Required: LambdaFunctionSink needs an http(s) URL in Callsight, which POSTs the pipeline's records there",
      },
    ]);
  });

  test("voice enhancement is refused unless disabled; the guide's example also breaks Chime's own rule without recording", () => {
    const enhancement = (Disabled: boolean): Element => ({
      Type: 'VoiceEnhancementSink',
      VoiceEnhancementSinkConfiguration: { Disabled },
    });
    const fixed = {
      ...DG_VOICE_ENHANCEMENT,
      Elements: [DG_VOICE_ENHANCEMENT.Elements[0] as Element, enhancement(false)],
    };
    const refused = checkCreateRequest(fixed);
    assert.deepEqual(!refused.ok && refused.errors, [
      {
        path: 'Elements[1].Type',
        message:
          'VoiceEnhancementSink: voice enhancement is not supported in Callsight; remove the element or set Disabled: true',
      },
    ]);
    const disabled = plan(transcribe(), kds, { Type: 'S3RecordingSink' }, enhancement(true));
    assert.deepEqual(disabled.errors, []);
    assert.ok(disabled.warnings.some((w) => w.message === 'VoiceEnhancementSink: disabled, so ignored'));
    // DG-OUT: "The VoiceEnhancementSink element always requires an S3RecordingSink element".
    assert.deepEqual(plan(transcribe(), kds, enhancement(true)).errors, [
      {
        path: 'Elements[2].Type',
        message: 'VoiceEnhancementSink requires an S3RecordingSink in the same configuration',
      },
    ]);
  });

  test("the guide's recording-only configuration is accepted: recorded, no transcripts", () => {
    const result = checkCreateRequest(DG_RECORDING_ONLY);
    assert.ok(result.ok);
    assert.deepEqual(paths(result.warnings), ['ResourceAccessRoleArn', 'Elements']);
    assert.equal(
      result.warnings[1]?.message,
      'No AmazonTranscribeProcessor: calls using this configuration produce no transcripts',
    );
    assert.deepEqual(result.plan.processors, []);
    assert.deepEqual(
      result.plan.sinks.map((s) => s.kind),
      ['data-stream', 'recording'],
    );
  });

  test('S3RecordingSink is honoured: WAV without a warning, Opus recorded as WAV with one', () => {
    const recording = (RecordingFileFormat?: 'Wav' | 'Opus'): Element => ({
      Type: 'S3RecordingSink',
      S3RecordingSinkConfiguration: {
        Destination: 'arn:aws:s3:::recordings',
        ...(RecordingFileFormat ? { RecordingFileFormat } : {}),
      },
    });
    for (const format of [undefined, 'Wav'] as const) {
      const wav = plan(transcribe(), kds, recording(format));
      assert.deepEqual([wav.errors, wav.warnings], [[], []], String(format));
      assert.deepEqual(wav.sinks[1], {
        kind: 'recording',
        element: 'S3RecordingSink',
        index: 2,
        destination: 'arn:aws:s3:::recordings',
        fileFormat: 'Wav',
      });
    }
    const opus = plan(transcribe(), kds, recording('Opus'));
    assert.deepEqual(opus.errors, []);
    assert.deepEqual(opus.warnings, [
      {
        path: 'Elements[2].S3RecordingSinkConfiguration.RecordingFileFormat',
        message:
          'S3RecordingSink: Opus recordings are not available; calls are recorded as WAV (16-bit PCM, 16 kHz stereo)',
      },
    ]);
    assert.equal(opus.sinks[1]?.kind, 'recording');
  });
});

describe("planConfiguration: Chime's rules for combining elements", () => {
  test('each element type once; Transcribe and Transcribe Call Analytics never together', () => {
    assert.deepEqual(plan(transcribe(), kds, kds, tca()).errors, [
      {
        path: 'Elements[2].Type',
        message:
          'KinesisDataStreamSink appears more than once; each element type may appear only once in a configuration',
      },
      {
        path: 'Elements[3].Type',
        message:
          'AmazonTranscribeProcessor and AmazonTranscribeCallAnalyticsProcessor cannot be combined; keep one',
      },
    ]);
  });

  test('Transcribe processors need a KinesisDataStreamSink; voice analytics needs one of its sinks', () => {
    assert.deepEqual(plan(transcribe(), sink('LambdaFunctionSink', 'https://a.example')).errors, [
      {
        path: 'Elements[0].Type',
        message: 'AmazonTranscribeProcessor delivers its insights only to a KinesisDataStreamSink; add one',
      },
    ]);
    const voice: Element = { Type: 'VoiceAnalyticsProcessor', VoiceAnalyticsProcessorConfiguration: {} };
    assert.deepEqual(plan(voice, { Type: 'S3RecordingSink' }).errors, [
      {
        path: 'Elements[0].Type',
        message:
          'VoiceAnalyticsProcessor needs a KinesisDataStreamSink, LambdaFunctionSink, SqsQueueSink or SnsTopicSink for its results',
      },
    ]);
    assert.deepEqual(plan(voice, sink('SnsTopicSink', 'https://a.example')).errors, []);
  });

  test('a configuration must process audio somehow', () => {
    assert.deepEqual(plan(kds).errors, [
      {
        path: 'Elements',
        message:
          'Needs at least one of AmazonTranscribeProcessor, AmazonTranscribeCallAnalyticsProcessor, VoiceAnalyticsProcessor or S3RecordingSink',
      },
    ]);
    assert.equal(plan().errors.length, 1);
  });

  test('real-time alerts need a Transcribe processor; Sentiment and IssueDetection need call analytics', () => {
    const withTca = checkCreateRequest(DG_EVENTBRIDGE_ALERTS_NESTED);
    assert.ok(withTca.ok);
    const alerts = withTca.value.RealTimeAlertConfiguration;
    assert.deepEqual(paths(withTca.warnings), ['ResourceAccessRoleArn']);
    assert.deepEqual(
      planConfiguration({ RealTimeAlertConfiguration: alerts, Elements: [transcribe(), kds] }).errors,
      [
        {
          path: 'RealTimeAlertConfiguration.Rules[1].Type',
          message:
            'Sentiment rules need an AmazonTranscribeCallAnalyticsProcessor (AmazonTranscribeProcessor supports only KeywordMatch)',
        },
        {
          path: 'RealTimeAlertConfiguration.Rules[2].Type',
          message:
            'IssueDetection rules need an AmazonTranscribeCallAnalyticsProcessor (AmazonTranscribeProcessor supports only KeywordMatch)',
        },
      ],
    );
    assert.deepEqual(
      planConfiguration({ RealTimeAlertConfiguration: alerts, Elements: [{ Type: 'S3RecordingSink' }, kds] })
        .errors,
      [
        {
          path: 'RealTimeAlertConfiguration',
          message:
            'Real-time alerts need an AmazonTranscribeProcessor or AmazonTranscribeCallAnalyticsProcessor',
        },
      ],
    );
  });
});

describe('checkCreateRequest / checkUpdateRequest', () => {
  test('one answer lists schema problems and refused elements together', () => {
    const result = checkCreateRequest({
      MediaInsightsPipelineConfigurationName: 'mixed',
      Elements: [
        transcribe({ LanguageCode: 'en-GB' }),
        { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: 42 } },
        { Type: 'VoiceEnhancementSink', VoiceEnhancementSinkConfiguration: {} },
      ],
    });
    assert.equal(result.ok, false);
    assert.deepEqual(!result.ok && paths(result.errors), [
      'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageCode',
      'Elements[1].KinesisDataStreamSinkConfiguration.InsightsTarget',
      'Elements[2].Type',
    ]);
  });

  test('a refused language is reported next to a misspelt key of the same element', () => {
    const result = checkCreateRequest({
      MediaInsightsPipelineConfigurationName: 'french-line',
      Elements: [transcribe({ LanguageCode: 'fr-FR', languageModelName: 'claims' }), kds],
    });
    assert.deepEqual(!result.ok && result.errors, [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageCode',
        message:
          'AmazonTranscribeProcessor: Callsight ships only the en-US speech model, so "fr-FR" cannot be transcribed; use "en-US"',
      },
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.languageModelName',
        message: 'Unknown key (did you mean LanguageModelName?)',
      },
    ]);
    // Where the schema already found a problem, the plan adds nothing (one message per path).
    const wrongType = checkCreateRequest({
      MediaInsightsPipelineConfigurationName: 'typed',
      Elements: [
        transcribe(),
        kds,
        { Type: 'SqsQueueSink', SqsQueueSinkConfiguration: { InsightsTarget: 42 } },
      ],
    });
    assert.deepEqual(!wrongType.ok && wrongType.errors, [
      {
        path: 'Elements[2].SqsQueueSinkConfiguration.InsightsTarget',
        message: 'Expected string, received number',
      },
    ]);
  });

  test('an update is checked the same way', () => {
    const result = checkUpdateRequest({ Elements: [transcribe({ LanguageCode: 'it-IT' }), kds] });
    assert.deepEqual(!result.ok && paths(result.errors), [
      'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageCode',
    ]);
    assert.equal(checkUpdateRequest({ Elements: [transcribe(), kds] }).ok, true);
  });
});
