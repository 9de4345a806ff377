import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Downsampler2x } from '../../src/media/codec/Resampler.js';
import { parseWav } from '../../src/media/wav/WavFile.js';
import { WavHeader } from '../../src/media/wav/WavHeader.js';
import { highBandLevelDb, WIDEBAND_THRESHOLD_DB } from '../../src/transcribe/Bandwidth.js';
import { wordErrorRate } from '../../src/transcribe/wer.js';
import { SipCaller } from '../../scripts/lib/SipCaller.js';
import { authFetch, type RunningCallsight } from '../helpers/callsight.js';
import { librivoxSpeech } from '../helpers/librivoxSpeech.js';
import { startRecordingCallsight, type RecordingCallsight } from '../helpers/recordingCallsight.js';
import { s3ServerUnavailable } from '../helpers/s3Server.js';
import { RecordCollector, callIdOf, detailOf, transcriptText } from '../helpers/wsRecords.js';

/*
 * Wideband calls end to end: a caller offering G.722 (then Opus) before PCMU gets G.722 (Opus),
 * sends 16 kHz speech, and the call is transcribed and recorded at 16 kHz with its audio above
 * 4 kHz intact — what G.711 cannot carry: the same speech over PCMU is the control.
 */

const BUCKET = 'e2e-wideband';
const dir = mkdtempSync(join(tmpdir(), 'callsight-e2e-wideband-'));
/**
 * Measured live on this speech (71 words; the same on every run so far): G.722 23.9 %, Opus
 * (32 kbit/s) 36.6 %, G.711 26.8 % WER; eval-asr's offline figures are in docs/asr.md. The VAD cuts
 * live audio at other places than offline; the bound leaves room for that without hiding a broken
 * decoder (which scores 90 %+).
 */
const MAX_WER = 0.5;

const unavailable = s3ServerUnavailable();
if (unavailable) process.stderr.write(`\n*** SKIPPING the wideband end-to-end test: ${unavailable} ***\n\n`);

describe(
  'wideband calls: G.722 and Opus transcribed and recorded at 16 kHz',
  { skip: unavailable ?? false },
  () => {
    let running: RecordingCallsight | undefined;
    let callsight: RunningCallsight;
    let live: RecordCollector;

    before(async () => {
      running = await startRecordingCallsight(BUCKET, dir);
      ({ callsight, live } = running);
    });

    after(async () => {
      const code = await running?.stop();
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, running?.callsight.stderr());
    });

    for (const [codec, fromNumber] of [
      ['G722', '+15555550722'],
      ['OPUS', '+15555550111'],
      ['PCMU', '+15555550000'],
    ] as const) {
      const wideband = codec !== 'PCMU';
      const what = wideband
        ? `answered in ${codec} although PCMU is offered too, transcribed, recorded at 16 kHz with its high band`
        : 'the same speech over G.711: recorded at 16 kHz too, without a high band';
      test(`${codec}: ${what}`, async (t) => {
        const { samples: wide, reference } = librivoxSpeech();
        const samples = wideband ? wide : new Downsampler2x().process(wide);
        const caller = await SipCaller.open('127.0.0.1');
        try {
          // SipCaller refuses to send if the answer chose another codec than the one asked for.
          const outcome = await caller.call({
            host: '127.0.0.1',
            port: callsight.sipPort,
            fromNumber,
            toNumber: '+18005550100',
            codec,
            samples,
            tailMs: 1500,
          });
          assert.equal(outcome.endedBy, 'caller');
        } finally {
          caller.close();
        }
        const started = live.frames.find(
          (f) => detailOf(f).streamingStatus === 'ALL_STARTED' && detailOf(f).fromNumber === fromNumber,
        );
        assert.ok(started, 'ALL_STARTED of the call');
        const callId = callIdOf(started)!;
        const record = await live.waitFor(
          (f) => f['detail-type'] === 'Recording' && callIdOf(f) === callId,
          90_000,
          'the Recording record',
        );

        // The recogniser may lag behind the call on a busy machine: its last finals come before the pipeline stops.
        await live.waitFor(
          (f) => detailOf(f).eventType === 'chime:MediaInsightsStopped' && callIdOf(f) === callId,
          120_000,
          'the pipeline to stop',
        );
        const hypothesis = transcriptText(live.frames, callId, 'ch_0');
        const { wer } = wordErrorRate(reference, hypothesis);
        t.diagnostic(`${codec} WER ${(wer * 100).toFixed(1)} %: ${hypothesis}`);
        assert.ok(wer <= MAX_WER, `WER ${(wer * 100).toFixed(1)} % > ${MAX_WER * 100} %: ${hypothesis}`);

        assert.deepEqual([record.sampleRate, record.channels], [16_000, 2]);
        const res = await authFetch(record.s3MediaObjectConsoleUrl as string);
        assert.equal(res.status, 200);
        const body = Buffer.from(await res.arrayBuffer());
        const header = WavHeader.parse(body);
        assert.deepEqual([header?.channels, header?.sampleRate], [2, 16_000]);
        // The caller's channel: G.711 of this speech measures −73 dB above 5 kHz, G.722 and Opus −19…−35 dB.
        const level = highBandLevelDb(parseWav(body).samples);
        t.diagnostic(`${codec} recording: ${level.toFixed(1)} dB above 5 kHz`);
        if (wideband)
          assert.ok(level > WIDEBAND_THRESHOLD_DB, `${level.toFixed(1)} dB above 5 kHz: high band lost`);
        else assert.ok(level < WIDEBAND_THRESHOLD_DB, `${level.toFixed(1)} dB above 5 kHz from G.711?`);
      });
    }
  },
);
