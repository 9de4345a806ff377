import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BASELINE_SPEECH_MS, SpeakerBaseline } from '../../../src/analytics/voice/SpeakerBaseline.js';
import {
  CURRENT_SPEECH_MS,
  NO_SPEECH_FAILURE_MS,
  VoiceToneTracker,
  type ToneUpdate,
} from '../../../src/analytics/voice/VoiceToneTracker.js';
import type { AcousticWindow } from '../../../src/analytics/voice/VoiceToneTypes.js';

function window(index: number, voice: Partial<AcousticWindow> = {}): AcousticWindow {
  return {
    beginMs: index * 5000,
    endMs: (index + 1) * 5000,
    speechMs: 3000,
    voicedMs: 2000,
    pitchSt: 10,
    pitchRangeSt: 3,
    levelDb: -24,
    levelSpreadDb: 5,
    onsetRate: 4,
    pauseRatio: 0.05,
    ...voice,
  };
}
const agitated = {
  pitchSt: 17,
  pitchRangeSt: 5,
  levelDb: -17,
  levelSpreadDb: 6,
  onsetRate: 5.5,
  pauseRatio: 0,
};
const silent = {
  speechMs: 0,
  voicedMs: 0,
  pitchSt: null,
  pitchRangeSt: null,
  levelDb: null,
  levelSpreadDb: null,
  onsetRate: 0,
};
const tones = (updates: ToneUpdate[]) => updates.flatMap((u) => (u.kind === 'tone' ? [u] : []));

describe('SpeakerBaseline', () => {
  test('a naturally high voice is its own reference: at its baseline it reads 0', () => {
    const baseline = new SpeakerBaseline();
    const high = window(0, { pitchSt: 14, levelDb: -10 });
    baseline.observe(high);
    assert.equal(baseline.complete, false);
    baseline.observe(window(1, { pitchSt: 14, levelDb: -10 }));
    assert.equal(baseline.complete, true, `complete after ${BASELINE_SPEECH_MS} ms of speech`);
    const f = baseline.features(window(2, { pitchSt: 14, levelDb: -10 }));
    assert.equal(f.pitchDeltaSt, 0);
    assert.equal(f.levelDeltaDb, 0);
    // Later windows do not move it.
    baseline.observe(window(3, { pitchSt: 20 }));
    assert.equal(baseline.features(window(4, { pitchSt: 17, levelDb: -10 })).pitchDeltaSt, 3);
  });
});

describe('VoiceToneTracker', () => {
  test('a window with speech yields an update; a window without speech does not', () => {
    const tracker = new VoiceToneTracker();
    assert.equal(tones(tracker.addWindow(window(0))).length, 1);
    assert.deepEqual(tracker.addWindow(window(1, silent)), []);
    assert.equal(tracker.addWindow(window(2, { speechMs: 800 })).length, 0, 'under a second of speech');
  });

  test('a speaker who becomes agitated turns the current average negative before the overall one', () => {
    const tracker = new VoiceToneTracker();
    const updates: ReturnType<typeof tones> = [];
    for (let i = 0; i < 4; i++) updates.push(...tones(tracker.addWindow(window(i))));
    for (let i = 4; i < 20; i++) updates.push(...tones(tracker.addWindow(window(i, agitated))));
    assert.equal(updates[0]!.current.label, 'neutral');
    assert.equal(updates.at(-1)!.current.label, 'negative');
    const firstNegative = (key: 'current' | 'overall') =>
      updates.findIndex((u) => u[key].label === 'negative');
    assert.ok(firstNegative('current') <= firstNegative('overall'));
    // The current average spans the last 30 s of speech: ten windows of 3 s of speech.
    const last = updates.at(-1)!;
    assert.equal(last.current.endMs, 100_000);
    assert.equal(last.current.beginMs, 100_000 - (CURRENT_SPEECH_MS / 3000) * 5000);
    assert.equal(last.overall.beginMs, 0);
    const end = tracker.finish();
    assert.ok(end?.kind === 'completed');
    assert.deepEqual(end.current, last.current);
  });

  test('no speech in the first 10 s is reported once; finish() then adds nothing', () => {
    const tracker = new VoiceToneTracker();
    assert.deepEqual(tracker.addWindow(window(0, silent)), []);
    assert.deepEqual(tracker.addWindow(window(1, silent)), [
      { kind: 'no-speech', audioMs: NO_SPEECH_FAILURE_MS },
    ]);
    assert.deepEqual(tracker.addWindow(window(2, silent)), []);
    assert.equal(tracker.finish(), null);
  });

  test('a short call without speech is reported at its end; speech later still gets analysed', () => {
    const short = new VoiceToneTracker();
    short.addWindow(window(0, silent));
    assert.deepEqual(short.finish(), { kind: 'no-speech', audioMs: 5000 });

    const late = new VoiceToneTracker();
    late.addWindow(window(0, silent));
    late.addWindow(window(1, silent));
    assert.equal(tones(late.addWindow(window(2))).length, 1);
    assert.equal(late.finish()?.kind, 'completed');
  });
});
