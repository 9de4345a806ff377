import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/platform/errors.js';
import {
  parseConfigurationDocument,
  validateCreateRequest,
  validateUpdateRequest,
  type ValidationResult,
} from '../../src/configurations/ConfigurationSchema.js';
import {
  DG_EVENTBRIDGE_ALERTS,
  DG_EVENTBRIDGE_ALERTS_NESTED,
  DG_RECORDING_ONLY,
  DG_VOICE_ENHANCEMENT,
  KDS,
  ROLE,
  SEED_CONFIGURATION,
} from './fixtures.js';

/** The errors of a document the schema refuses (fails the test if it accepts it). */
function errorsOf(
  document: unknown,
  validate: (input: unknown) => ValidationResult<unknown> = validateCreateRequest,
): { path: string; message: string }[] {
  const result = validate(document);
  assert.equal(result.ok, false, 'expected the document to be refused');
  return result.ok ? [] : [...result.errors];
}

describe('configuration schema: documents from Chime and the seed', () => {
  test("the seed's configuration is valid", () => {
    const result = validateCreateRequest(SEED_CONFIGURATION);
    assert.equal(result.ok, true);
    assert.deepEqual(result.ok && result.value, SEED_CONFIGURATION);
  });

  test('the EventBridge guide example is refused: its Sentiment and IssueDetection rules are flattened', () => {
    assert.deepEqual(errorsOf(DG_EVENTBRIDGE_ALERTS), [
      {
        path: 'RealTimeAlertConfiguration.Rules[1].RuleName',
        message: 'Unknown key (it belongs inside SentimentConfiguration)',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[1].SentimentType',
        message: 'Unknown key (it belongs inside SentimentConfiguration)',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[1].TimePeriod',
        message: 'Unknown key (it belongs inside SentimentConfiguration)',
      },
      { path: 'RealTimeAlertConfiguration.Rules[1].SentimentConfiguration', message: 'Required' },
      {
        path: 'RealTimeAlertConfiguration.Rules[2].RuleName',
        message: 'Unknown key (it belongs inside IssueDetectionConfiguration)',
      },
      { path: 'RealTimeAlertConfiguration.Rules[2].IssueDetectionConfiguration', message: 'Required' },
    ]);
  });

  test('the EventBridge guide example with nested rules is valid', () => {
    assert.equal(validateCreateRequest(DG_EVENTBRIDGE_ALERTS_NESTED).ok, true);
  });

  test('the guide\'s recording-only CLI example is valid, and its "WAV" spelling is not', () => {
    assert.equal(validateCreateRequest(DG_RECORDING_ONLY).ok, true);
    // The example's comment says: Specify "Opus" or "WAV"; the model's enum is Wav | Opus.
    const wav = structuredClone(DG_RECORDING_ONLY);
    wav.Elements[1]!.S3RecordingSinkConfiguration!.RecordingFileFormat = 'WAV';
    assert.deepEqual(errorsOf(wav), [
      {
        path: 'Elements[1].S3RecordingSinkConfiguration.RecordingFileFormat',
        message: 'Invalid option: expected one of "Wav"|"Opus"',
      },
    ]);
  });

  test('the guide\'s voice enhancement request is refused for its lower-case, string "disabled"', () => {
    assert.deepEqual(errorsOf(DG_VOICE_ENHANCEMENT), [
      {
        path: 'Elements[1].VoiceEnhancementSinkConfiguration.disabled',
        message: 'Unknown key (did you mean Disabled?)',
      },
    ]);
    const fixed = structuredClone(DG_VOICE_ENHANCEMENT) as { Elements: Record<string, unknown>[] };
    fixed.Elements[1]!.VoiceEnhancementSinkConfiguration = { Disabled: 'false' };
    assert.deepEqual(errorsOf(fixed), [
      {
        path: 'Elements[1].VoiceEnhancementSinkConfiguration.Disabled',
        message: 'Expected boolean, received string',
      },
    ]);
    fixed.Elements[1]!.VoiceEnhancementSinkConfiguration = { Disabled: false };
    assert.equal(validateCreateRequest(fixed).ok, true);
  });

  test('AWS CDK property names (camelCase) are refused with the Chime spelling suggested', () => {
    // aws-cdk-lib CfnMediaInsightsPipelineConfiguration.RealTimeAlertRuleProperty example, whose
    // properties CloudFormation maps to the API's PascalCase members.
    const cdkRule = {
      type: 'KeywordMatch',
      keywordMatchConfiguration: { keywords: ['keywords'], ruleName: 'ruleName', negate: false },
    };
    const document = { ...DG_EVENTBRIDGE_ALERTS_NESTED, RealTimeAlertConfiguration: { Rules: [cdkRule] } };
    assert.deepEqual(errorsOf(document), [
      { path: 'RealTimeAlertConfiguration.Rules[0].Type', message: 'Required' },
      {
        path: 'RealTimeAlertConfiguration.Rules[0].keywordMatchConfiguration',
        message: 'Unknown key (did you mean KeywordMatchConfiguration?)',
      },
      { path: 'RealTimeAlertConfiguration.Rules[0].type', message: 'Unknown key (did you mean Type?)' },
    ]);
  });
});

describe('configuration schema: the service model', () => {
  test('every problem is reported with its path, in document order', () => {
    const document = {
      MediaInsightsPipelineConfigurationName: 'x',
      ResourceAccessRoleArn: 'role',
      ClientRequestToken: 'x',
      Tags: [],
      RealTimeAlertConfiguration: {
        Disabled: 'no',
        Rules: [
          {
            Type: 'KeywordMatch',
            KeywordMatchConfiguration: {
              RuleName: 'k',
              Keywords: ['ok', 'cancel!', ...Array<string>(9).fill('x')],
            },
          },
          {
            Type: 'Sentiment',
            SentimentConfiguration: { RuleName: 'sentiment', SentimentType: 'POSITIVE', TimePeriod: 59 },
          },
          {
            Type: 'IssueDetection',
            IssueDetectionConfiguration: { RuleName: 'issues' },
            KeywordMatchConfiguration: { RuleName: 'kw', Keywords: ['a'] },
          },
          { Type: 'Escalation' },
        ],
      },
      Elements: [
        {
          Type: 'AmazonTranscribeCallAnalyticsProcessor',
          AmazonTranscribeCallAnalyticsProcessorConfiguration: {
            LanguageCode: 'en-NZ',
            ContentIdentificationType: 'PII',
            ContentRedactionType: 'PII',
            PiiEntityTypes: 'NAME,PASSPORT',
            CallAnalyticsStreamCategories: Array.from({ length: 21 }, (_, i) => `category-${i}`),
            PostCallAnalyticsSettings: { OutputLocation: 's3://bucket/prefix' },
          },
        },
        {
          Type: 'AmazonTranscribeProcessor',
          AmazonTranscribeProcessorConfiguration: {
            LanguageCode: 'en-US',
            IdentifyLanguage: true,
            PiiEntityTypes: 'ALL',
            PartialResultsStability: 'Medium',
          },
        },
        { Type: 'AmazonTranscribeProcessor', AmazonTranscribeProcessorConfiguration: {} },
        {
          Type: 'KinesisDataStreamSink',
          KinesisDataStreamSinkConfiguration: { InsightsTarget: 'https://example.com/hook' },
        },
        { Type: 'SqsQueueSink', SqsQueueSinkConfiguration: { InsightsTarget: 'ftp://example.com' } },
        {
          Type: 'VoiceAnalyticsProcessor',
          VoiceAnalyticsProcessorConfiguration: { SpeakerSearchStatus: 'On' },
        },
        { Type: 'S3RecordingSink' },
        'element',
      ],
      MediaInsightsPipelineConfigurationArn:
        'arn:aws:chime:us-east-1:111122223333:media-insights-pipeline-configuration/x',
    };
    const tca = 'Elements[0].AmazonTranscribeCallAnalyticsProcessorConfiguration';
    const transcribe = 'Elements[1].AmazonTranscribeProcessorConfiguration';
    assert.deepEqual(errorsOf(document), [
      {
        path: 'MediaInsightsPipelineConfigurationName',
        message: 'Too small: expected string to have >=2 characters',
      },
      {
        path: 'ResourceAccessRoleArn',
        message: 'Must be an ARN (arn:partition:service:region:account:resource)',
      },
      { path: 'RealTimeAlertConfiguration.Disabled', message: 'Expected boolean, received string' },
      { path: 'RealTimeAlertConfiguration.Rules', message: 'Must have at most 3 rules (found 4)' },
      {
        path: 'RealTimeAlertConfiguration.Rules[0].KeywordMatchConfiguration.RuleName',
        message: 'Too small: expected string to have >=2 characters',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[0].KeywordMatchConfiguration.Keywords',
        message: 'Must have at most 10 keywords (found 11)',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[0].KeywordMatchConfiguration.Keywords[1]',
        message: 'May contain only letters, digits, spaces, "\'" and "-"',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[1].SentimentConfiguration.SentimentType',
        message: 'Invalid input: expected "NEGATIVE"',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[1].SentimentConfiguration.TimePeriod',
        message: 'Too small: expected number to be >=60',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[2].KeywordMatchConfiguration',
        message: 'Not allowed in a rule of Type "IssueDetection" (use IssueDetectionConfiguration)',
      },
      {
        path: 'RealTimeAlertConfiguration.Rules[3].Type',
        message: 'Invalid option: expected one of "KeywordMatch"|"Sentiment"|"IssueDetection"',
      },
      {
        path: `${tca}.LanguageCode`,
        message:
          'Invalid option: expected one of "en-US"|"en-GB"|"es-US"|"fr-CA"|"fr-FR"|"en-AU"|"it-IT"|"de-DE"|"pt-BR"',
      },
      {
        path: `${tca}.ContentRedactionType`,
        message: 'Cannot be set together with ContentIdentificationType',
      },
      {
        path: `${tca}.PiiEntityTypes`,
        message:
          'Unknown PII entity type "PASSPORT"; allowed: ADDRESS, BANK_ACCOUNT_NUMBER, BANK_ROUTING, CREDIT_DEBIT_CVV, CREDIT_DEBIT_EXPIRY, CREDIT_DEBIT_NUMBER, EMAIL, NAME, PHONE, PIN, SSN, ALL',
      },
      { path: `${tca}.PostCallAnalyticsSettings.DataAccessRoleArn`, message: 'Required' },
      { path: `${tca}.CallAnalyticsStreamCategories`, message: 'Must have at most 20 categories (found 21)' },
      {
        path: `${transcribe}.PartialResultsStability`,
        message: 'Invalid option: expected one of "high"|"medium"|"low"',
      },
      {
        path: `${transcribe}.PiiEntityTypes`,
        message: 'Requires ContentIdentificationType or ContentRedactionType',
      },
      {
        path: `${transcribe}.IdentifyLanguage`,
        message:
          'Cannot be set together with LanguageCode: use one of LanguageCode, IdentifyLanguage and IdentifyMultipleLanguages',
      },
      {
        path: 'Elements[2].AmazonTranscribeProcessorConfiguration.LanguageCode',
        message: 'Required: set one of LanguageCode, IdentifyLanguage or IdentifyMultipleLanguages',
      },
      {
        path: 'Elements[3].KinesisDataStreamSinkConfiguration.InsightsTarget',
        message: 'Must be an ARN (arn:partition:service:region:account:resource)',
      },
      {
        path: 'Elements[4].SqsQueueSinkConfiguration.InsightsTarget',
        message: 'Must be an ARN or, in Callsight, an http(s) URL',
      },
      {
        path: 'Elements[5].VoiceAnalyticsProcessorConfiguration.SpeakerSearchStatus',
        message: 'Invalid option: expected one of "Enabled"|"Disabled"',
      },
      { path: 'Elements[7]', message: 'Expected object, received string' },
      { path: 'Tags', message: 'Must not be empty' },
      { path: 'ClientRequestToken', message: 'Too small: expected string to have >=2 characters' },
      { path: 'MediaInsightsPipelineConfigurationArn', message: 'Unknown key' },
    ]);
  });

  test('required members: name and Elements; Type; the Transcribe processors carry their configuration', () => {
    assert.deepEqual(errorsOf({}), [
      { path: 'MediaInsightsPipelineConfigurationName', message: 'Required' },
      { path: 'Elements', message: 'Required' },
    ]);
    assert.deepEqual(
      errorsOf({
        MediaInsightsPipelineConfigurationName: 'abc',
        Elements: [
          { AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' } },
          { Type: 'AmazonTranscribeProcessor' },
          {
            Type: 'AmazonTranscribeCallAnalyticsProcessor',
            AmazonTranscribeCallAnalyticsProcessorConfiguration: {},
          },
        ],
      }),
      [
        { path: 'Elements[0].Type', message: 'Required' },
        { path: 'Elements[1].AmazonTranscribeProcessorConfiguration', message: 'Required' },
        {
          path: 'Elements[2].AmazonTranscribeCallAnalyticsProcessorConfiguration.LanguageCode',
          message: 'Required',
        },
      ],
    );
    assert.deepEqual(errorsOf(null), [{ path: '', message: 'Expected object, received null' }]);
    assert.deepEqual(errorsOf([]), [{ path: '', message: 'Expected object, received array' }]);
  });

  test("an element's settings must sit under its own Type's configuration", () => {
    assert.deepEqual(
      errorsOf({
        MediaInsightsPipelineConfigurationName: 'abc',
        Elements: [
          {
            Type: 'KinesisDataStreamSink',
            AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' },
            LambdaFunctionSinkConfiguration: { InsightsTarget: KDS },
          },
          { Type: 'AmazonTranscribeProcessor', LanguageCode: 'en-US' },
        ],
      }),
      [
        {
          path: 'Elements[0].AmazonTranscribeProcessorConfiguration',
          message:
            'Not allowed in an element of Type "KinesisDataStreamSink" (use KinesisDataStreamSinkConfiguration)',
        },
        {
          path: 'Elements[0].LambdaFunctionSinkConfiguration',
          message:
            'Not allowed in an element of Type "KinesisDataStreamSink" (use KinesisDataStreamSinkConfiguration)',
        },
        {
          path: 'Elements[1].LanguageCode',
          message: 'Unknown key (it belongs inside AmazonTranscribeProcessorConfiguration)',
        },
        { path: 'Elements[1].AmazonTranscribeProcessorConfiguration', message: 'Required' },
      ],
    );
  });

  test('names are matched in full against the model pattern; Chime ARNs and webhook URLs are targets', () => {
    assert.deepEqual(
      errorsOf({ ...DG_RECORDING_ONLY, MediaInsightsPipelineConfigurationName: 'my config' }),
      [
        {
          path: 'MediaInsightsPipelineConfigurationName',
          message: 'May contain only letters, digits, ".", "_" and "-"',
        },
      ],
    );
    assert.deepEqual(
      errorsOf({ ...DG_RECORDING_ONLY, MediaInsightsPipelineConfigurationName: 'x'.repeat(65) }),
      [
        {
          path: 'MediaInsightsPipelineConfigurationName',
          message: 'Too big: expected string to have <=64 characters',
        },
      ],
    );
    for (const target of ['https://hooks.example.com/calls', 'http://10.0.0.5:8080/x', KDS]) {
      const doc = {
        ...SEED_CONFIGURATION,
        Elements: [
          ...SEED_CONFIGURATION.Elements.slice(0, 4),
          { Type: 'LambdaFunctionSink', LambdaFunctionSinkConfiguration: { InsightsTarget: target } },
        ],
      };
      assert.equal(validateCreateRequest(doc).ok, true, target);
    }
  });

  test('a Transcribe processor takes exactly one of LanguageCode, IdentifyLanguage, IdentifyMultipleLanguages', () => {
    const withTranscribe = (config: object) => ({
      MediaInsightsPipelineConfigurationName: 'abc',
      Elements: [{ Type: 'AmazonTranscribeProcessor', AmazonTranscribeProcessorConfiguration: config }],
    });
    assert.equal(
      validateCreateRequest(withTranscribe({ IdentifyLanguage: true, LanguageOptions: 'en-US,es-US' })).ok,
      true,
    );
    assert.equal(validateCreateRequest(withTranscribe({ IdentifyMultipleLanguages: true })).ok, true);
    assert.deepEqual(errorsOf(withTranscribe({ IdentifyLanguage: false })), [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageCode',
        message: 'Required: set one of LanguageCode, IdentifyLanguage or IdentifyMultipleLanguages',
      },
    ]);
    assert.deepEqual(errorsOf(withTranscribe({ IdentifyLanguage: true, IdentifyMultipleLanguages: true })), [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.IdentifyMultipleLanguages',
        message:
          'Cannot be set together with IdentifyLanguage: use one of LanguageCode, IdentifyLanguage and IdentifyMultipleLanguages',
      },
    ]);
  });

  test('an update body has no name, tags or token, and needs Elements', () => {
    assert.equal(validateUpdateRequest({ Elements: DG_RECORDING_ONLY.Elements }).ok, true);
    assert.deepEqual(
      errorsOf({ ...DG_RECORDING_ONLY, Tags: [{ Key: 'a', Value: 'b' }] }, validateUpdateRequest),
      [
        { path: 'MediaInsightsPipelineConfigurationName', message: 'Unknown key' },
        { path: 'Tags', message: 'Unknown key' },
      ],
    );
    assert.deepEqual(errorsOf({ ResourceAccessRoleArn: ROLE }, validateUpdateRequest), [
      { path: 'Elements', message: 'Required' },
    ]);
  });
});

describe('configuration documents', () => {
  const yaml = `
# The seed's configuration as YAML
MediaInsightsPipelineConfigurationName: CallAnalyticsReader
ResourceAccessRoleArn: ${ROLE}
Elements:
  - Type: AmazonTranscribeProcessor
    AmazonTranscribeProcessorConfiguration: { LanguageCode: en-US }
  - Type: KinesisDataStreamSink
    KinesisDataStreamSinkConfiguration:
      InsightsTarget: ${KDS}
  - Type: S3RecordingSink
    S3RecordingSinkConfiguration:
      Destination: arn:aws:s3:::callanalyticsreader-recordings
  - Type: VoiceAnalyticsProcessor
    VoiceAnalyticsProcessorConfiguration:
      SpeakerSearchStatus: Disabled
      VoiceToneAnalysisStatus: Enabled
  - Type: LambdaFunctionSink
    LambdaFunctionSinkConfiguration:
      InsightsTarget: arn:aws:lambda:us-east-1:111122223333:function:voiceAnalyticsLambda
`;

  test('YAML and JSON give the same document', () => {
    assert.deepEqual(parseConfigurationDocument(yaml, 'yaml'), SEED_CONFIGURATION);
    assert.deepEqual(
      parseConfigurationDocument(JSON.stringify(SEED_CONFIGURATION), 'json'),
      SEED_CONFIGURATION,
    );
    // JSON is YAML too.
    assert.deepEqual(
      parseConfigurationDocument(JSON.stringify(SEED_CONFIGURATION), 'yaml'),
      SEED_CONFIGURATION,
    );
  });

  test('YAML 1.2: "no" and "on" stay strings, so a boolean written that way is reported', () => {
    const doc = parseConfigurationDocument(
      'MediaInsightsPipelineConfigurationName: abc\nRealTimeAlertConfiguration: { Disabled: no }\nElements: []\n',
      'yaml',
    );
    assert.deepEqual(errorsOf(doc), [
      { path: 'RealTimeAlertConfiguration.Disabled', message: 'Expected boolean, received string' },
    ]);
  });

  test('syntax errors, duplicate keys and empty documents are ValidationErrors at the top level', () => {
    const problems = (text: string, format: 'json' | 'yaml') => {
      try {
        parseConfigurationDocument(text, format);
      } catch (err) {
        assert.ok(err instanceof ValidationError);
        assert.equal(err.code, 'CS_ERR_BAD_REQUEST');
        return err.problems;
      }
      assert.fail('expected a ValidationError');
    };
    assert.match(problems('{"Elements": [', 'json')[0]!.message, /^Not valid JSON: /);
    const duplicate = problems('Elements: []\nElements: []\n', 'yaml');
    assert.equal(duplicate[0]!.path, '');
    assert.match(duplicate[0]!.message, /^Not valid YAML: Map keys must be unique at line 2, column 1$/);
    assert.match(
      problems('Elements: [\n', 'yaml')[0]!.message,
      /^Not valid YAML: .* at line \d+, column \d+$/,
    );
    assert.deepEqual(problems('  \n', 'yaml'), [{ path: '', message: 'The document is empty' }]);
  });
});
