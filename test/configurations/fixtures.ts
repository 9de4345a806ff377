/**
 * Configuration documents taken from Chime's documentation and from the seed, shared by the
 * configuration tests. Placeholders (`{{account_id}}` …) are filled in with values of the right shape.
 */

export const ROLE = 'arn:aws:iam::111122223333:role/CallAnalyticsRole';
export const KDS = 'arn:aws:kinesis:us-east-1:111122223333:stream/call-analytics';

/**
 * The seed's configuration (chime-spec.md §1.1, `src/chime-sdk-media-pipelines.ts` of the seed), with
 * the CDK tokens replaced by ARNs of the right shape.
 */
export const SEED_CONFIGURATION = {
  MediaInsightsPipelineConfigurationName: 'CallAnalyticsReader',
  ResourceAccessRoleArn: ROLE,
  Elements: [
    { Type: 'AmazonTranscribeProcessor', AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' } },
    { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: KDS } },
    {
      Type: 'S3RecordingSink',
      S3RecordingSinkConfiguration: { Destination: 'arn:aws:s3:::callanalyticsreader-recordings' },
    },
    {
      Type: 'VoiceAnalyticsProcessor',
      VoiceAnalyticsProcessorConfiguration: {
        SpeakerSearchStatus: 'Disabled',
        VoiceToneAnalysisStatus: 'Enabled',
      },
    },
    {
      Type: 'LambdaFunctionSink',
      LambdaFunctionSinkConfiguration: {
        InsightsTarget: 'arn:aws:lambda:us-east-1:111122223333:function:voiceAnalyticsLambda',
      },
    },
  ],
};

/**
 * Developer Guide, "Using Amazon EventBridge notifications" → Real-time alerts: "This example shows how
 * to create or update a real-time alert configuration through the API" (placeholders filled in).
 * https://docs.aws.amazon.com/chime-sdk/latest/dg/using-eventbridge-notifications.html
 * Its Sentiment and IssueDetection rules put their settings on the rule itself; the API model nests
 * them in SentimentConfiguration / IssueDetectionConfiguration, so the example as printed is invalid.
 */
export const DG_EVENTBRIDGE_ALERTS = {
  MediaInsightsPipelineConfigurationName: 'config_name',
  ResourceAccessRoleArn: ROLE,
  RealTimeAlertConfiguration: {
    Disabled: false,
    Rules: [
      {
        Type: 'KeywordMatch',
        KeywordMatchConfiguration: {
          RuleName: 'rule_name_1',
          Keywords: ['hello', 'thank you'],
          Negate: false,
        },
      },
      { Type: 'Sentiment', RuleName: 'rule_name_2', SentimentType: 'NEGATIVE', TimePeriod: 60 },
      { Type: 'IssueDetection', RuleName: 'rule_name_3' },
    ],
  },
  Elements: [
    {
      Type: 'AmazonTranscribeCallAnalyticsProcessor',
      AmazonTranscribeCallAnalyticsProcessorConfiguration: { LanguageCode: 'en-US' },
    },
    {
      Type: 'KinesisDataStreamSink',
      KinesisDataStreamSinkConfiguration: {
        InsightsTarget: 'arn:aws:kinesis:us-east-1:111122223333:stream/stream_name',
      },
    },
  ],
};

/** The same example with the rules nested as the API reference (RealTimeAlertRule) defines them. */
export const DG_EVENTBRIDGE_ALERTS_NESTED = {
  ...DG_EVENTBRIDGE_ALERTS,
  RealTimeAlertConfiguration: {
    Disabled: false,
    Rules: [
      DG_EVENTBRIDGE_ALERTS.RealTimeAlertConfiguration.Rules[0],
      {
        Type: 'Sentiment',
        SentimentConfiguration: { RuleName: 'rule_name_2', SentimentType: 'NEGATIVE', TimePeriod: 60 },
      },
      { Type: 'IssueDetection', IssueDetectionConfiguration: { RuleName: 'rule_name_3' } },
    ],
  },
};

/**
 * Developer Guide, "Call analytics processor and output destinations" → Amazon S3 call recording: "a
 * configuration JSON file with only recording enabled" for `aws chime-sdk-media-pipeline
 * create-media-insights-pipeline-configuration --cli-input-json` (placeholders filled in).
 * https://docs.aws.amazon.com/chime-sdk/latest/dg/call-analytics-processor-and-output-destinations.html
 */
export const DG_RECORDING_ONLY = {
  MediaInsightsPipelineConfigurationName: 'configuration_name',
  ResourceAccessRoleArn: ROLE,
  Elements: [
    { KinesisDataStreamSinkConfiguration: { InsightsTarget: KDS }, Type: 'KinesisDataStreamSink' },
    {
      S3RecordingSinkConfiguration: {
        Destination: 'arn:aws:s3:::kvs-recording-testing',
        RecordingFileFormat: 'Wav',
      },
      Type: 'S3RecordingSink',
    },
  ],
};

/**
 * Same page → Enable voice enhancement: "This example request shows how to enable Voice Enhancement and
 * Amazon S3 recording" (placeholders filled in; `"disabled":"{{false}}"` kept as printed).
 */
export const DG_VOICE_ENHANCEMENT = {
  MediaInsightsPipelineConfigurationName: 'media_insights_configuration_name',
  ResourceAccessRoleArn: ROLE,
  Elements: [
    {
      Type: 'S3RecordingSink',
      S3RecordingSinkConfiguration: {
        Destination: 'arn:aws:s3:::input_bucket_path',
        RecordingFileFormat: 'Wav',
      },
    },
    { Type: 'VoiceEnhancementSink', VoiceEnhancementSinkConfiguration: { disabled: 'false' } },
  ],
  ClientRequestToken: 'client_request_token',
};
