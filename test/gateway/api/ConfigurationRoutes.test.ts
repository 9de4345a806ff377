import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerConfigurationRoutes } from '../../../src/gateway/api/ConfigurationRoutes.js';
import { silentLogger } from '../../../src/platform/logger.js';
import { SqliteConfigurationStore } from '../../../src/configurations/SqliteConfigurationStore.js';
import type { MediaInsightsPipelineConfiguration } from '../../../src/configurations/ConfigurationTypes.js';
import { tempDir } from '../wsHarness.js';
import {
  DG_EVENTBRIDGE_ALERTS,
  DG_EVENTBRIDGE_ALERTS_NESTED,
  KDS,
  ROLE,
  SEED_CONFIGURATION,
} from '../../configurations/fixtures.js';

const tmp = tempDir('callsight-configuration-routes-');
let server: FastifyInstance;
let store: SqliteConfigurationStore;
let base: string;

type Json = Record<string, unknown>;
interface Answer {
  readonly status: number;
  readonly body: Json;
  readonly headers: Headers;
}

async function call(
  method: string,
  url: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Answer> {
  const res = await fetch(`${base}${url}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          headers: { 'content-type': contentType },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : (JSON.parse(text) as Json), headers: res.headers };
}

const configurationOf = (answer: Answer) =>
  answer.body.MediaInsightsPipelineConfiguration as MediaInsightsPipelineConfiguration;

const minimal = (name: string) => ({
  MediaInsightsPipelineConfigurationName: name,
  Elements: [
    { Type: 'AmazonTranscribeProcessor', AmazonTranscribeProcessorConfiguration: { LanguageCode: 'en-US' } },
    { Type: 'KinesisDataStreamSink', KinesisDataStreamSinkConfiguration: { InsightsTarget: KDS } },
  ],
});

before(async () => {
  store = SqliteConfigurationStore.open({
    path: path.join(tmp.dir, 'callsight.db'),
    region: 'local',
    account: '000000000000',
    inUse: (c) => c.MediaInsightsPipelineConfigurationName === 'in-use',
  });
  server = Fastify();
  registerConfigurationRoutes(server, store, silentLogger);
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});

after(async () => {
  await server.close();
  await store.close();
  tmp.cleanup();
});

describe('configuration REST API', () => {
  test('create (201), get by name, id and ARN, update (200), delete (204), then 404', async () => {
    const created = await call('POST', '/api/configurations', minimal('crud'));
    assert.equal(created.status, 201);
    assert.deepEqual(Object.keys(created.body), ['MediaInsightsPipelineConfiguration']);
    const configuration = configurationOf(created);
    assert.equal(
      configuration.MediaInsightsPipelineConfigurationArn,
      'arn:callsight:chime:local:000000000000:media-insights-pipeline-configuration/crud',
    );
    assert.equal(configuration.CreatedTimestamp, configuration.UpdatedTimestamp);

    for (const identifier of [
      'crud',
      configuration.MediaInsightsPipelineConfigurationId,
      encodeURIComponent(configuration.MediaInsightsPipelineConfigurationArn),
    ]) {
      const got = await call('GET', `/api/configurations/${identifier}`);
      assert.equal(got.status, 200, identifier);
      assert.deepEqual(got.body, { MediaInsightsPipelineConfiguration: configuration });
    }

    const updated = await call('PUT', '/api/configurations/crud', {
      ResourceAccessRoleArn: ROLE,
      Elements: minimal('crud').Elements,
    });
    assert.equal(updated.status, 200);
    assert.equal(configurationOf(updated).ResourceAccessRoleArn, ROLE);
    assert.equal(
      configurationOf(updated).MediaInsightsPipelineConfigurationId,
      configuration.MediaInsightsPipelineConfigurationId,
    );
    assert.deepEqual(updated.body.Warnings, [
      {
        path: 'ResourceAccessRoleArn',
        message:
          'Callsight does not use IAM roles; ResourceAccessRoleArn is kept for compatibility and ignored',
      },
    ]);

    const deleted = await call(
      'DELETE',
      `/api/configurations/${configuration.MediaInsightsPipelineConfigurationId}`,
    );
    assert.equal(deleted.status, 204);
    const missing = await call('GET', '/api/configurations/crud');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {
      code: 'CS_ERR_NOT_FOUND',
      exception: 'NotFoundException',
      message: 'no media insights pipeline configuration "crud"',
    });
    assert.equal(missing.headers.get('x-amzn-errortype'), 'NotFoundException');
    assert.equal(
      (await call('PUT', '/api/configurations/crud', { Elements: minimal('x').Elements })).status,
      404,
    );
    assert.equal((await call('DELETE', '/api/configurations/crud')).status, 404);
  });

  test('a YAML body (application/yaml) is accepted and answers with warnings beside the configuration', async () => {
    const yaml = `
MediaInsightsPipelineConfigurationName: from-yaml
ResourceAccessRoleArn: ${ROLE}
Elements:
  - Type: AmazonTranscribeProcessor
    AmazonTranscribeProcessorConfiguration:
      LanguageCode: en-US
      VocabularyFilterName: product-names
  - Type: KinesisDataStreamSink
  - Type: SnsTopicSink
    SnsTopicSinkConfiguration:
      InsightsTarget: https://hooks.example.com/sns
`;
    const created = await call('POST', '/api/configurations', yaml, 'application/yaml');
    assert.equal(created.status, 201);
    assert.deepEqual(configurationOf(created).Elements[2], {
      Type: 'SnsTopicSink',
      SnsTopicSinkConfiguration: { InsightsTarget: 'https://hooks.example.com/sns' },
    });
    assert.deepEqual(
      (created.body.Warnings as { path: string }[]).map((w) => w.path),
      ['ResourceAccessRoleArn', 'Elements[0].AmazonTranscribeProcessorConfiguration.VocabularyFilterName'],
    );
    const viaText = await call(
      'POST',
      '/api/configurations',
      yaml.replace('from-yaml', 'from-text-yaml'),
      'text/yaml',
    );
    assert.equal(viaText.status, 201);
  });

  test('400 lists every problem with its path, schema and Callsight support alike', async () => {
    const refused = await call('POST', '/api/configurations', DG_EVENTBRIDGE_ALERTS);
    assert.equal(refused.status, 400);
    assert.equal(refused.body.code, 'CS_ERR_BAD_REQUEST');
    assert.equal(refused.body.exception, 'BadRequestException');
    assert.equal(refused.headers.get('x-amzn-errortype'), 'BadRequestException');
    assert.deepEqual(
      (refused.body.errors as { path: string }[]).map((e) => e.path),
      [
        'RealTimeAlertConfiguration.Rules[1].RuleName',
        'RealTimeAlertConfiguration.Rules[1].SentimentType',
        'RealTimeAlertConfiguration.Rules[1].TimePeriod',
        'RealTimeAlertConfiguration.Rules[1].SentimentConfiguration',
        'RealTimeAlertConfiguration.Rules[2].RuleName',
        'RealTimeAlertConfiguration.Rules[2].IssueDetectionConfiguration',
      ],
    );
    assert.match(
      String(refused.body.message),
      /^CreateMediaInsightsPipelineConfiguration: RealTimeAlertConfiguration\.Rules\[1\]\.RuleName: /,
    );

    const seed = await call('POST', '/api/configurations', {
      ...SEED_CONFIGURATION,
      Elements: [
        {
          Type: 'AmazonTranscribeProcessor',
          AmazonTranscribeProcessorConfiguration: { LanguageCode: 'es-US' },
        },
        ...SEED_CONFIGURATION.Elements.slice(1),
        { Type: 'VoiceEnhancementSink', VoiceEnhancementSinkConfiguration: { Disabled: false } },
      ],
    });
    assert.equal(seed.status, 400);
    assert.deepEqual(seed.body.errors, [
      {
        path: 'Elements[0].AmazonTranscribeProcessorConfiguration.LanguageCode',
        message:
          'AmazonTranscribeProcessor: Callsight ships only the en-US speech model, so "es-US" cannot be transcribed; use "en-US"',
      },
      {
        path: 'Elements[4].LambdaFunctionSinkConfiguration.InsightsTarget',
        message:
          "LambdaFunctionSink: Callsight cannot invoke AWS Lambda functions; set InsightsTarget to an http(s) URL and Callsight POSTs the pipeline's records there (a webhook)",
      },
      {
        path: 'Elements[5].Type',
        message:
          'VoiceEnhancementSink: voice enhancement is not supported in Callsight; remove the element or set Disabled: true',
      },
    ]);
    assert.equal(
      (await call('GET', '/api/configurations/CallAnalyticsReader')).status,
      404,
      'nothing was stored',
    );

    const update = await call('PUT', '/api/configurations/anything', { ...minimal('renamed') });
    assert.equal(update.status, 400);
    assert.deepEqual(update.body.errors, [
      { path: 'MediaInsightsPipelineConfigurationName', message: 'Unknown key' },
    ]);
  });

  test('malformed and empty bodies are 400 at the top level', async () => {
    const json = await call(
      'POST',
      '/api/configurations',
      '{"MediaInsightsPipelineConfigurationName":',
      'application/json',
    );
    assert.equal(json.status, 400);
    assert.match((json.body.errors as { message: string }[])[0]!.message, /^Not valid JSON/);
    const yaml = await call('POST', '/api/configurations', 'Elements: [\n', 'application/yaml');
    assert.equal(yaml.status, 400);
    assert.match(
      (yaml.body.errors as { message: string }[])[0]!.message,
      /^Not valid YAML: .* at line \d+, column \d+$/,
    );
    const empty = await fetch(`${base}/api/configurations`, { method: 'POST' });
    assert.equal(empty.status, 400);
    assert.deepEqual(((await empty.json()) as Json).errors, [{ path: '', message: 'The document is empty' }]);
  });

  test('409 for a duplicate name and for deleting a configuration in use', async () => {
    assert.equal((await call('POST', '/api/configurations', minimal('twice'))).status, 201);
    const again = await call('POST', '/api/configurations', minimal('twice'));
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, {
      code: 'CS_ERR_CONFIGURATION_CONFLICT',
      exception: 'ConflictException',
      message: 'a media insights pipeline configuration named twice already exists',
    });
    assert.equal(again.headers.get('x-amzn-errortype'), 'ConflictException');
    assert.equal((await call('POST', '/api/configurations', minimal('in-use'))).status, 201);
    const busy = await call('DELETE', '/api/configurations/in-use');
    assert.equal(busy.status, 409);
    assert.equal(busy.body.exception, 'ConflictException');
  });

  test("list pages with MaxResults / NextToken (and Chime's max-results / next-token)", async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) {
      assert.equal((await call('POST', '/api/configurations', minimal(name))).status, 201);
    }
    const all = await call('GET', '/api/configurations');
    assert.equal(all.status, 200);
    const names = (
      all.body.MediaInsightsPipelineConfigurations as { MediaInsightsPipelineConfigurationName: string }[]
    ).map((c) => c.MediaInsightsPipelineConfigurationName);
    assert.deepEqual(names, [...names].sort());
    assert.ok(['page-a', 'page-b', 'page-c'].every((n) => names.includes(n)));
    assert.equal(all.body.NextToken, undefined);

    const collected: string[] = [];
    let token: string | undefined;
    let query = '?MaxResults=2';
    for (;;) {
      const page = await call('GET', `/api/configurations${query}`);
      assert.equal(page.status, 200);
      const summaries = page.body.MediaInsightsPipelineConfigurations as Json[];
      assert.ok(summaries.length <= 2);
      for (const s of summaries) {
        assert.deepEqual(Object.keys(s), [
          'MediaInsightsPipelineConfigurationName',
          'MediaInsightsPipelineConfigurationId',
          'MediaInsightsPipelineConfigurationArn',
        ]);
        collected.push(String(s.MediaInsightsPipelineConfigurationName));
      }
      token = page.body.NextToken as string | undefined;
      if (!token) break;
      // Alternate between the two spellings of the parameters.
      query =
        collected.length % 4 === 2
          ? `?max-results=2&next-token=${encodeURIComponent(token)}`
          : `?MaxResults=2&NextToken=${encodeURIComponent(token)}`;
    }
    assert.deepEqual(collected, names);

    const bad = await call('GET', '/api/configurations?MaxResults=500');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.errors, [{ path: 'MaxResults', message: 'Must be an integer from 1 to 100' }]);
    const badToken = await call('GET', '/api/configurations?NextToken=nope');
    assert.equal(badToken.status, 400);
    assert.deepEqual(badToken.body.errors, [
      { path: 'NextToken', message: 'Not a token this server issued' },
    ]);
  });

  test('a Chime document with nested alert rules is stored as sent', async () => {
    const created = await call('POST', '/api/configurations', DG_EVENTBRIDGE_ALERTS_NESTED);
    assert.equal(created.status, 201);
    assert.deepEqual(
      configurationOf(created).RealTimeAlertConfiguration,
      DG_EVENTBRIDGE_ALERTS_NESTED.RealTimeAlertConfiguration,
    );
    assert.deepEqual(configurationOf(created).Elements, DG_EVENTBRIDGE_ALERTS_NESTED.Elements);
  });
});
