import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readWav } from '../../src/media/wav/WavFile.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { startCallsight, type RunningCallsight, authFetch } from '../helpers/callsight.js';
import {
  EVERYTHING_TO_THE_STREAM,
  recordingElement,
  startPipelineOnEveryCall,
  STREAM_SINK_ELEMENT,
  TRANSCRIBE_ELEMENT,
  writeConfigFile,
} from '../helpers/configFile.js';
import { webhookEndpoint, type WebhookEndpoint } from '../helpers/webhookEndpoint.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;

/** The worked example of docs/event-rules.md, with the webhook pointed at the test's endpoint. */
function configFile(webhookUrl: string): string {
  return writeConfigFile(
    {
      configurations: [
        {
          MediaInsightsPipelineConfigurationName: 'transcribe-sales',
          Elements: [TRANSCRIBE_ELEMENT, STREAM_SINK_ELEMENT],
        },
        {
          MediaInsightsPipelineConfigurationName: 'record-every-call',
          Elements: [recordingElement('recordings'), STREAM_SINK_ELEMENT],
        },
      ],
      rules: [
        EVERYTHING_TO_THE_STREAM,
        {
          name: 'transcribe-sales-calls',
          eventPattern: {
            'detail-type': ['Chime VoiceConnector Streaming Status'],
            detail: { streamingStatus: ['ALL_STARTED'], toNumber: [{ prefix: '+1800' }] },
          },
          targets: [{ startPipeline: 'transcribe-sales' }],
        },
        startPipelineOnEveryCall('record-every-call', 'record-every-call'),
        {
          name: 'tell-the-crm-about-every-call',
          eventPattern: { detail: { streamingStatus: ['ALL_STARTED', 'ENDED'] } },
          targets: [{ webhook: { url: webhookUrl, maxAttempts: 3 } }],
        },
      ],
    },
    { prefix: 'callsight-rules-' },
  );
}

const isTranscribe = (f: StreamFrame) => f['detail-type'] === 'Transcribe';
const eventType = (f: StreamFrame) => detailOf(f).eventType as string | undefined;

describe('event rules and pipeline lifecycle with real calls', () => {
  let callsight: RunningCallsight;
  let webhook: WebhookEndpoint;
  let live: RecordCollector;
  let api: string;

  before(async () => {
    webhook = await webhookEndpoint('/calls');
    callsight = await startCallsight({ env: { CALLSIGHT_CONFIG: configFile(webhook.url) } });
    api = `http://127.0.0.1:${callsight.httpPort}/api`;
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
  });

  after(async () => {
    live?.close();
    await new Promise((resolve) => webhook?.server.close(resolve));
    const code = await callsight?.stop();
    assert.equal(code, 0, callsight?.stderr());
  });

  test('rules pick the calls; the API pauses, resumes, starts and stops pipelines', async () => {
    const audio = readWav(WAV).samples;
    const caller = await SipCaller.open('127.0.0.1');
    const call = (toNumber: string) =>
      caller.call({
        host: '127.0.0.1',
        port: callsight.sipPort,
        fromNumber: '+15555550100',
        toNumber,
        samples: audio,
        tailMs: 500,
      });
    const sales = call('+18005550100');
    const support = call('+15555550199');
    try {
      const allStarted = (to: string) =>
        live.waitFor(
          (f) => detailOf(f).streamingStatus === 'ALL_STARTED' && detailOf(f).toNumber === to,
          10_000,
          `ALL_STARTED to ${to}`,
        );
      const salesCallId = callIdOf(await allStarted('+18005550100'))!;
      const supportStarted = await allStarted('+15555550199');
      const supportCallId = callIdOf(supportStarted)!;

      // Both calls are recorded; only the sales call got a transcription pipeline from its rule.
      type Listed = {
        MediaPipelineId: string;
        MediaPipelineArn: string;
        MediaInsightsPipelineConfigurationName: string;
        CallId: string;
      };
      let listed: Listed[] = [];
      for (const deadline = Date.now() + 10_000; listed.length < 3 && Date.now() < deadline;) {
        listed = ((await (await authFetch(`${api}/pipelines`)).json()) as { MediaPipelines: Listed[] })
          .MediaPipelines;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.deepEqual(
        listed
          .map(
            (p) =>
              `${p.CallId === salesCallId ? 'sales' : 'support'} ${p.MediaInsightsPipelineConfigurationName}`,
          )
          .sort(),
        ['sales record-every-call', 'sales transcribe-sales', 'support record-every-call'],
      );
      const salesPipeline = listed.find(
        (p) => p.MediaInsightsPipelineConfigurationName === 'transcribe-sales',
      )!;
      const pipelineArn = salesPipeline.MediaPipelineArn;
      const pipelineId = salesPipeline.MediaPipelineId;

      // UpdateMediaInsightsPipelineStatus: Pause, a second Pause conflicts, Resume.
      await live.waitFor((f) => isTranscribe(f) && callIdOf(f) === salesCallId, 20_000, 'a sales transcript');
      const put = (status: string) =>
        authFetch(`${api}/pipelines/${pipelineId}/status`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ UpdateStatus: status }),
        });
      assert.equal((await put('Pause')).status, 200);
      const conflict = await put('Pause');
      assert.equal(conflict.status, 409);
      assert.equal(((await conflict.json()) as { exception: string }).exception, 'ConflictException');
      assert.equal((await put('Resume')).status, 200);

      // CreateMediaInsightsPipeline for the support call, by its stream ARN, with runtime metadata.
      const streams = detailOf(supportStarted).streams as { streamArn: string }[];
      const created = await authFetch(`${api}/pipelines`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          MediaInsightsPipelineConfigurationArn: 'transcribe-sales',
          KinesisVideoStreamSourceRuntimeConfiguration: {
            Streams: [
              {
                StreamArn: streams[0]!.streamArn,
                StreamChannelDefinition: {
                  NumberOfChannels: 1,
                  ChannelDefinitions: [{ ChannelId: 1, ParticipantRole: 'AGENT' }],
                },
              },
            ],
            MediaEncoding: 'pcm',
            MediaSampleRate: 8000,
          },
          MediaInsightsRuntimeMetadata: { ticket: 'T-42' },
        }),
      });
      assert.equal(created.status, 201, await created.clone().text());
      const supportPipeline = (
        (await created.json()) as { MediaInsightsPipeline: { MediaPipelineId: string } }
      ).MediaInsightsPipeline;
      const supportTranscript = await live.waitFor(
        (f) => isTranscribe(f) && callIdOf(f) === supportCallId,
        20_000,
        'a support transcript',
      );
      assert.equal(
        (supportTranscript.TranscriptEvent as { ChannelId: string }).ChannelId,
        'ch_1',
        'the channel the request defined',
      );
      assert.equal((JSON.parse(supportTranscript.metadata as string) as { ticket: string }).ticket, 'T-42');

      // DeleteMediaPipeline stops the sales pipeline while its call goes on.
      assert.equal((await authFetch(`${api}/pipelines/${pipelineId}`, { method: 'DELETE' })).status, 204);
      await Promise.all([sales, support]);
      await live.waitFor(
        (f) => detailOf(f).streamingStatus === 'ENDED' && callIdOf(f) === supportCallId,
        10_000,
        'support ENDED',
      );
      await live.waitFor(
        (f) =>
          eventType(f) === 'chime:MediaInsightsStopped' &&
          detailOf(f).mediaInsightsPipelineArn ===
            `${pipelineArn.slice(0, pipelineArn.lastIndexOf('/'))}/${supportPipeline.MediaPipelineId}`,
        20_000,
        'the support pipeline to stop with its call',
      );

      const salesStates = live.frames
        .filter((f) => detailOf(f).mediaInsightsPipelineArn === pipelineArn)
        .map(eventType);
      assert.deepEqual(salesStates, [
        'chime:MediaInsightsInProgress',
        'chime:MediaInsightsPaused',
        'chime:MediaInsightsInProgress',
        'chime:MediaInsightsStopped',
      ]);
      const stoppedAt = live.frames.findIndex(
        (f) =>
          detailOf(f).mediaInsightsPipelineArn === pipelineArn &&
          eventType(f) === 'chime:MediaInsightsStopped',
      );
      assert.ok(
        !live.frames
          .slice(stoppedAt + 1)
          .some((f) => isTranscribe(f) && f.mediaInsightsPipelineId === pipelineId),
        'no sales transcript after its pipeline was deleted',
      );

      // The recording rule recorded both calls.
      for (const id of [salesCallId, supportCallId]) {
        await live.waitFor(
          (f) => f['detail-type'] === 'Recording' && callIdOf(f) === id,
          15_000,
          `the recording of ${id}`,
        );
      }

      // The webhook rule saw both calls start and end.
      const deadline = Date.now() + 10_000;
      while (webhook.events.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      const seen = webhook.events
        .map(
          (e) =>
            `${(e.detail as { toNumber: string }).toNumber} ${(e.detail as { streamingStatus: string }).streamingStatus}`,
        )
        .sort();
      assert.deepEqual(seen, [
        '+15555550199 ALL_STARTED',
        '+15555550199 ENDED',
        '+18005550100 ALL_STARTED',
        '+18005550100 ENDED',
      ]);
    } finally {
      await Promise.allSettled([sales, support]);
      caller.close();
    }
  });

  test('the configuration API lists the file-defined and default configurations', async () => {
    const list = (await (await authFetch(`${api}/configurations`)).json()) as {
      MediaInsightsPipelineConfigurations: { MediaInsightsPipelineConfigurationName: string }[];
    };
    const names = list.MediaInsightsPipelineConfigurations.map(
      (c) => c.MediaInsightsPipelineConfigurationName,
    );
    assert.ok(names.includes('transcribe-sales') && names.includes('callsight-default'), names.join());
  });
});
