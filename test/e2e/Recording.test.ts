import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallsightApi } from '../../client/src/index.js';
import { readWav } from '../../src/media/wav/WavFile.js';
import { WavHeader } from '../../src/media/wav/WavHeader.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { type RunningCallsight, authFetch, TEST_TOKEN } from '../helpers/callsight.js';
import { startRecordingCallsight, type RecordingCallsight } from '../helpers/recordingCallsight.js';
import { s3ServerUnavailable, type S3TestServer } from '../helpers/s3Server.js';
import { RecordCollector, callIdOf, detailOf, type StreamFrame } from '../helpers/wsRecords.js';
import { soxInfo } from '../recording/wavTools.js';

const WAV = new URL('../fixtures/audio/demo-customer.wav', import.meta.url).pathname;
const BUCKET = 'e2e-recordings';
const dir = mkdtempSync(join(tmpdir(), 'callsight-e2e-recording-'));

const unavailable = s3ServerUnavailable();
if (unavailable) process.stderr.write(`\n*** SKIPPING the recording end-to-end test: ${unavailable} ***\n\n`);

describe(
  'call recording end to end (S3RecordingSink + Transcribe, recordings in an S3-compatible store)',
  { skip: unavailable ?? false },
  () => {
    let running: RecordingCallsight | undefined;
    let s3: S3TestServer;
    let callsight: RunningCallsight;
    let live: RecordCollector;

    before(async () => {
      running = await startRecordingCallsight(BUCKET, dir);
      ({ s3, callsight, live } = running);
    });

    after(async () => {
      const code = await running?.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, running?.callsight.stderr());
    });

    let erasedCallId = '';

    test('a real call is recorded; its Recording record links a stereo WAV as long as the call, served with ranges', async (t) => {
      const audio = readWav(WAV);
      const caller = await SipCaller.open('127.0.0.1');
      let answeredAt = 0;
      let outcome;
      try {
        outcome = await caller.call({
          host: '127.0.0.1',
          port: callsight.sipPort,
          fromNumber: '+15555550100',
          toNumber: '+18005550100',
          samples: audio.samples,
          tailMs: 500,
          onAnswered: () => (answeredAt = Date.now()),
        });
      } finally {
        caller.close();
      }
      const callSeconds = (Date.now() - answeredAt) / 1000;
      assert.equal(outcome.endedBy, 'caller');

      const started = await live.waitFor(
        (f) => detailOf(f).streamingStatus === 'ALL_STARTED',
        10_000,
        'ALL_STARTED',
      );
      const callId = callIdOf(started)!;
      erasedCallId = callId;
      const record = await live.waitFor(
        (f) => f['detail-type'] === 'Recording' && callIdOf(f) === callId,
        60_000,
        'the Recording record',
      );
      assert.ok(
        live.frames.some((f) => f['detail-type'] === 'Transcribe' && callIdOf(f) === callId),
        'the call was transcribed as well',
      );

      // Chime's fields, Callsight's URL and additions.
      const pipelineId = record.mediaInsightsPipelineId as string;
      assert.equal(record['service-type'], 'CallAnalytics');
      const url = record.s3MediaObjectConsoleUrl as string;
      assert.equal(
        url,
        `http://127.0.0.1:${callsight.httpPort}/api/calls/${callId}/recording.wav?pipelineId=${pipelineId}`,
      );
      assert.equal(record.location, `s3://${BUCKET}/${callId}/${pipelineId}.wav`, 'uploaded to the bucket');
      assert.deepEqual([record.sampleRate, record.channels], [16_000, 2]);
      assert.equal(typeof record.recordingDurationSeconds, 'string');
      const metadata = JSON.parse(record.metadata as string) as Record<string, string>;
      assert.equal(metadata.callId, callId);
      assert.ok(Date.parse(metadata.endTime!) > Date.parse(metadata.startTime!));

      // The URL serves a valid stereo WAV as long as the call (within 10 %).
      const res = await authFetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'audio/wav');
      const body = Buffer.from(await res.arrayBuffer());
      assert.equal(body.length, record.sizeBytes);
      const file = join(dir, 'downloaded.wav');
      writeFileSync(file, body);
      const info = soxInfo(file);
      assert.deepEqual([info.channels, info.sampleRate], [2, 16_000]);
      assert.ok(
        Math.abs(info.seconds - callSeconds) <= 0.1 * callSeconds,
        `recording ${info.seconds} s, call ${callSeconds.toFixed(2)} s`,
      );
      assert.ok(Math.abs(Number(record.recordingDurationSeconds) - info.seconds) < 0.01);
      t.diagnostic(
        `call ${callSeconds.toFixed(2)} s, recording ${info.seconds} s, ${body.length} bytes at ${String(record.location)}`,
      );
      const left = readWav(file).samples;
      assert.ok(
        left.some((s) => Math.abs(s) > 1000),
        'the caller is audible on the left channel',
      );

      // A range request: the header alone.
      const head = await authFetch(url, { headers: { range: 'bytes=0-43' } });
      assert.equal(head.status, 206);
      assert.equal(head.headers.get('content-range'), `bytes 0-43/${body.length}`);
      const header = WavHeader.parse(Buffer.from(await head.arrayBuffer()));
      assert.deepEqual(
        [header?.channels, header?.sampleRate, header?.dataBytes],
        [2, 16_000, body.length - 44],
      );
    });

    test('an erased call is gone everywhere: its records, its recording in the bucket, its post-call document; replays skip it', async () => {
      const callId = erasedCallId;
      assert.ok(callId, 'the recording test ran');
      const api = `http://127.0.0.1:${callsight.httpPort}/api`;
      // Audit records (who fetched the recording, who erased the call) name the call but hold nothing of
      // it, and outlive its erasure: they are not the call's.
      const ofCall = (frames: readonly StreamFrame[]) =>
        frames.filter(
          (f) =>
            f['detail-type'] !== 'Callsight Audit' &&
            (callIdOf(f) === callId || detailOf(f).callId === callId),
        );
      await live.waitFor(
        (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
        60_000,
        'the pipeline stop',
      );
      const before = await authFetch(`${api}/records?from=0&limit=1000`).then(
        (r) => r.json() as Promise<StreamFrame[]>,
      );
      assert.ok(ofCall(before).length > 5, 'the call has records before');

      const client = new CallsightApi({ url: `http://127.0.0.1:${callsight.httpPort}`, token: TEST_TOKEN });
      const report = await client.eraseCall(callId);
      assert.equal(report.callId, callId);
      assert.equal(report.removed.recordings, 1, 'the object in the bucket');
      assert.ok(report.removed.records! >= ofCall(before).length - 1, JSON.stringify(report));
      assert.ok(report.removed.pipelines! >= 1);

      assert.equal((await authFetch(`${api}/calls/${callId}/recording`)).status, 404);
      const listing = await authFetch(`${s3.endpoint}/${BUCKET}?list-type=2`).then((r) => r.text());
      assert.ok(!listing.includes(callId), 'nothing of the call is left in the bucket');
      const after = await authFetch(`${api}/records?from=0&limit=1000`).then(
        (r) => r.json() as Promise<StreamFrame[]>,
      );
      assert.deepEqual(
        ofCall(after).filter((f) => f['detail-type'] !== 'Callsight Call Erased'),
        [],
      );
      const audit = after.find((f) => f['detail-type'] === 'Callsight Call Erased');
      assert.deepEqual((audit?.detail as { callId?: string } | undefined)?.callId, callId);
      assert.ok(!JSON.stringify(audit).includes('Transcript'), 'the audit record holds no content');

      const replay = new RecordCollector(`http://127.0.0.1:${callsight.httpPort}`);
      try {
        await replay.opened;
        await replay.waitFor((f) => f['detail-type'] === 'Callsight Call Erased', 10_000, 'the replay');
        assert.deepEqual(
          ofCall(replay.frames).filter((f) => f['detail-type'] !== 'Callsight Call Erased'),
          [],
        );
      } finally {
        replay.close();
      }
      await assert.rejects(client.eraseCall(callId), { status: 404, code: 'CS_ERR_NOT_FOUND' });
    });
  },
);
