import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChimeSDKVoiceClient,
  GetVoiceToneAnalysisTaskCommand,
  StartSpeakerSearchTaskCommand,
  StartVoiceToneAnalysisTaskCommand,
  StopVoiceToneAnalysisTaskCommand,
} from '@aws-sdk/client-chime-sdk-voice';
import { readWav } from '../../src/media/wav/WavFile.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { authFetch, startCallsight, TEST_AUTH, type RunningCallsight } from '../helpers/callsight.js';
import { STREAM_SINK_ELEMENT, writeConfigFile } from '../helpers/configFile.js';
import { RecordCollector, detailOf, type StreamFrame } from '../helpers/wsRecords.js';

const WAV = new URL('../fixtures/audio/angry-customer.wav', import.meta.url).pathname;

function configFile(): string {
  return writeConfigFile(
    {
      configurations: [
        {
          MediaInsightsPipelineConfigurationName: 'voice-analytics',
          Elements: [
            {
              Type: 'VoiceAnalyticsProcessor',
              VoiceAnalyticsProcessorConfiguration: {
                VoiceToneAnalysisStatus: 'Enabled',
                SpeakerSearchStatus: 'Disabled',
              },
            },
            STREAM_SINK_ELEMENT,
          ],
        },
      ],
      pipeline: { defaultConfiguration: 'voice-analytics' },
    },
    { prefix: 'callsight-voice-tasks-' },
  );
}

const tones = (frames: readonly StreamFrame[], callId: string) =>
  frames.filter((f) => f['detail-type'] === 'VoiceToneAnalysisStatus' && detailOf(f).callId === callId);

/**
 * The seed's voice analytics flow, as its Lambda sink runs it, with the AWS SDK's own Chime SDK Voice
 * client pointed at Callsight: on "VoiceAnalyticsStatus" AnalyticsReady, StartVoiceToneAnalysisTask
 * with the event's voiceConnectorId and transactionId; then Get and Stop, on a real SIP call.
 */
describe('Chime SDK Voice API voice tone analysis tasks on a real call (AWS SDK client)', () => {
  let callsight: RunningCallsight;
  let live: RecordCollector;
  let voice: ChimeSDKVoiceClient;

  before(async () => {
    callsight = await startCallsight({ env: { CALLSIGHT_CONFIG: configFile() } });
    live = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
    await live.opened;
    voice = new ChimeSDKVoiceClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${callsight.httpPort}/api`,
      credentials: { accessKeyId: 'callsight', secretAccessKey: 'not-checked' },
      maxAttempts: 1,
    });
    // Callsight takes an API token, not a SigV4 signature: it replaces the signature once signed.
    voice.middlewareStack.add(
      (next) => (args) => {
        (args.request as { headers: Record<string, string> }).headers.authorization =
          TEST_AUTH.authorization!;
        return next(args);
      },
      { step: 'deserialize', name: 'callsightBearerToken' },
    );
  });

  after(async () => {
    voice?.destroy();
    live?.close();
    const code = await callsight?.stop();
    assert.equal(code, 0, callsight?.stderr());
  });

  test('AnalyticsReady → Start finds the running task; Get per leg; Stop ends its events; speaker search is refused', async (t) => {
    const caller = await SipCaller.open('127.0.0.1');
    const call = caller.call({
      host: '127.0.0.1',
      port: callsight.sipPort,
      fromNumber: '+15555550123',
      toNumber: '+18005550100',
      samples: readWav(WAV).samples,
      tailMs: 500,
    });
    try {
      const ready = await live.waitFor(
        (f) => f['detail-type'] === 'VoiceAnalyticsStatus' && detailOf(f).detailStatus === 'AnalyticsReady',
        15_000,
        'AnalyticsReady',
      );
      assert.equal(ready['service-type'], 'VoiceAnalytics');
      const { voiceConnectorId, transactionId, callId } = detailOf(ready) as Record<string, string>;

      // The seed's Lambda sink, as written.
      const started = await voice.send(
        new StartVoiceToneAnalysisTaskCommand({
          VoiceConnectorId: voiceConnectorId,
          TransactionId: transactionId,
          LanguageCode: 'en-US',
        }),
      );
      const task = started.VoiceToneAnalysisTask!;
      assert.equal(started.$metadata.httpStatusCode, 201);
      assert.equal(task.VoiceToneAnalysisTaskStatus, 'IN_PROGRESS');
      assert.deepEqual(task.CallDetails, {
        VoiceConnectorId: voiceConnectorId,
        TransactionId: transactionId,
        IsCaller: true,
      });
      assert.ok(task.StartedTimestamp instanceof Date);
      const taskId = task.VoiceToneAnalysisTaskId!;

      // Its events carry the task's id; Get answers per leg.
      const first = await live.waitFor(
        (f) => tones([f], callId!).length === 1 && detailOf(f).detailStatus === 'VoiceToneAnalysisSuccessful',
        20_000,
        'a voice tone update',
      );
      assert.equal(detailOf(first).taskId, taskId);
      for (const IsCaller of [true, false]) {
        const got = await voice.send(
          new GetVoiceToneAnalysisTaskCommand({
            VoiceConnectorId: voiceConnectorId,
            VoiceToneAnalysisTaskId: taskId,
            IsCaller,
          }),
        );
        assert.equal(got.VoiceToneAnalysisTask?.VoiceToneAnalysisTaskId, taskId);
        assert.equal(got.VoiceToneAnalysisTask?.CallDetails?.IsCaller, IsCaller);
        // The caller sends the call's one stream; the other leg never comes on a call answered here.
        assert.equal(
          got.VoiceToneAnalysisTask?.VoiceToneAnalysisTaskStatus,
          IsCaller ? 'IN_PROGRESS' : 'IN_QUEUE',
        );
      }

      // Stop: STOPPED on both legs, and no voice tone event for the call after it.
      const stopped = await voice.send(
        new StopVoiceToneAnalysisTaskCommand({
          VoiceConnectorId: voiceConnectorId,
          VoiceToneAnalysisTaskId: taskId,
        }),
      );
      assert.equal(stopped.$metadata.httpStatusCode, 204);
      const atStop = tones(live.frames, callId!).length;
      const afterStop = await voice.send(
        new GetVoiceToneAnalysisTaskCommand({
          VoiceConnectorId: voiceConnectorId,
          VoiceToneAnalysisTaskId: taskId,
          IsCaller: false,
        }),
      );
      assert.equal(afterStop.VoiceToneAnalysisTask?.VoiceToneAnalysisTaskStatus, 'STOPPED');

      // A call has one task: starting it again is a conflict.
      await assert.rejects(
        voice.send(
          new StartVoiceToneAnalysisTaskCommand({
            VoiceConnectorId: voiceConnectorId,
            TransactionId: transactionId,
            LanguageCode: 'en-US',
          }),
        ),
        (err: { $metadata: { httpStatusCode: number } }) => err.$metadata.httpStatusCode === 409,
      );
      // Unknown transaction, or another Voice Connector: 404.
      for (const [vc, tx] of [
        [voiceConnectorId, 'no-such-transaction'],
        ['another-vc', transactionId],
      ])
        await assert.rejects(
          voice.send(
            new StartVoiceToneAnalysisTaskCommand({
              VoiceConnectorId: vc,
              TransactionId: tx,
              LanguageCode: 'en-US',
            }),
          ),
          (err: { $metadata: { httpStatusCode: number } }) => err.$metadata.httpStatusCode === 404,
        );
      // Speaker search: the documented refusal.
      await assert.rejects(
        voice.send(
          new StartSpeakerSearchTaskCommand({
            VoiceConnectorId: voiceConnectorId,
            TransactionId: transactionId,
            VoiceProfileDomainId: 'domain',
          }),
        ),
        (err: { $metadata: { httpStatusCode: number } }) => err.$metadata.httpStatusCode === 422,
      );
      const raw = await authFetch(
        `http://127.0.0.1:${callsight.httpPort}/api/voice-connectors/${voiceConnectorId}/speaker-search-tasks/x`,
      );
      assert.equal(raw.status, 422);
      assert.deepEqual(
        [((await raw.json()) as { code: string; exception: string }).code, raw.headers.get('content-type')],
        ['CS_ERR_SPEAKER_SEARCH_UNSUPPORTED', 'application/json; charset=utf-8'],
      );
      // Get without isCaller: 400.
      const noLeg = await authFetch(
        `http://127.0.0.1:${callsight.httpPort}/api/voice-connectors/${voiceConnectorId}/voice-tone-analysis-tasks/${taskId}`,
      );
      assert.equal(noLeg.status, 400);

      await call;
      await live.waitFor(
        (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped',
        30_000,
        'the pipeline to stop',
      );
      assert.equal(tones(live.frames, callId!).length, atStop, 'no voice tone event after the stop');
      t.diagnostic(`${atStop} voice tone updates before the stop`);
    } finally {
      await call.catch(() => undefined);
      caller.close();
    }
  });
});
